"""The app's view state under AppTest: the as-of control, links with filters and as-of,
targets that reach Overview, and the empty-filter state."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cs_analytics.core import settings
from cs_analytics.retention.cohorts import cohort_long
from cs_analytics.core.db import open_workspace
from cs_analytics.core.filters import AccountFilter
from conftest import assert_no_exception
from factories import build_workspace

REVENUE = "app_pages/revenue.py"
COHORTS = "app_pages/cohorts.py"
DEMO_AS_OF = dt.date(2026, 10, 31)


def texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def view_params(at) -> dict:
    return {k: at.query_params[k] for k in at.query_params if k == "as_of" or k.startswith("f.")}


def test_as_of_control_sets_and_resets_the_workspace_setting(app_test, demo_workspace_path):
    at = app_test(None, demo_workspace_path)
    assert_no_exception(at)
    assert f"As of **{DEMO_AS_OF}**: the data's own" in texts(at.sidebar.caption)
    assert f"Data as of **{DEMO_AS_OF}**" in texts(at.caption)
    at.date_input(key="as_of_input").set_value(dt.date(2025, 6, 15)).run()
    at.button(key="as_of_set").click().run()
    assert_no_exception(at)
    ws = open_workspace(demo_workspace_path)
    assert settings.as_of_setting(ws) == dt.date(2025, 6, 15)
    assert "As of **2025-06-15**: the workspace setting" in texts(at.sidebar.caption)
    assert "Data as of **2025-06-15**" in texts(at.caption)
    assert "The last complete month is May 2025" in texts(at.caption)  # partial last month
    assert "Revenue, May 2025" in texts(at.markdown)
    assert "as_of" not in at.query_params  # a workspace setting is not a link's
    at.button(key="as_of_reset").click().run()
    assert_no_exception(at)
    assert settings.as_of_setting(ws) is None
    assert f"Data as of **{DEMO_AS_OF}**" in texts(at.caption)


def test_a_links_as_of_applies_to_the_session_only(app_test, demo_workspace_path):
    at = app_test(REVENUE, demo_workspace_path, query={"as_of": "2025-06-15"})
    assert_no_exception(at)
    text = texts(at.caption)
    assert "months through 2025-05" in text and "as of 2025-06-15" in text
    assert "from this link, for this session only" in texts(at.sidebar.caption)
    assert settings.as_of_setting(open_workspace(demo_workspace_path)) is None
    assert view_params(at) == {"as_of": "2025-06-15"}


def test_a_cohorts_link_carries_filters_next_to_the_pages_params(app_test, demo_workspace_path):
    at = app_test(COHORTS, demo_workspace_path,
                  query={"f.segment": "Enterprise", "basis": "nrr", "as_of": "2026-03-31"})
    assert_no_exception(at)
    assert "segment = Enterprise" in texts(at.caption)
    assert at.radio(key="cohort_basis").value == "nrr"
    assert at.multiselect(key="filter_segment").value == ["Enterprise"]
    table = next(d for d in at.dataframe if "cohort_size" in d.value.columns).value
    cli = cohort_long(open_workspace(demo_workspace_path), "nrr", "month",
                      account_filter=AccountFilter.of(segment="Enterprise"), as_of="2026-03-31")
    expected = cli.drop_duplicates("cohort").set_index("cohort")["cohort_size"]
    assert table["cohort_size"].to_dict() == expected.to_dict()
    assert at.query_params["basis"] in ("nrr", ["nrr"])
    assert view_params(at)["f.segment"] in ("Enterprise", ["Enterprise"])


def test_unknown_values_in_a_link_are_ignored_with_a_note(app_test, demo_workspace_path):
    at = app_test(COHORTS, demo_workspace_path,
                  query={"f.segment": ["Enterprise", "Galactic"], "f.no_such": "x", "as_of": "²⁰²⁴-01-01",
                         "period": "²"})
    assert_no_exception(at)
    notes = texts(at.sidebar.warning)
    assert "Galactic" in notes and "no_such" in notes and "²⁰²⁴" in notes
    assert at.multiselect(key="filter_segment").value == ["Enterprise"]
    assert f"As of **{DEMO_AS_OF}**: the data's own" in texts(at.sidebar.caption)


def test_targets_saved_on_revenue_reach_overview_as_percents(app_test, demo_workspace_path):
    at = app_test(REVENUE, demo_workspace_path)
    assert at.number_input(key="target_grr").value == 90.0
    at.number_input(key="target_grr").set_value(85.0).run()
    at.number_input(key="target_logo_churn").set_value(15.0).run()
    at.button(key="save_targets").click().run()
    assert_no_exception(at)
    saved = settings.targets(open_workspace(demo_workspace_path))
    assert (saved.grr, saved.logo_churn) == (0.85, 0.15)
    overview = app_test(None, demo_workspace_path)
    captions = texts(overview.caption)
    assert "Target ≥ 85%" in captions and "Target ≤ 15%" in captions
    assert "Target ≥ 90%" not in captions


def _two_accounts(path):
    accounts = pd.DataFrame({"account_id": ["A1", "A2"], "segment": ["SMB", "Enterprise"],
                             "plan": ["Pro", "Basic"]})
    contracts = pd.DataFrame({"account_id": ["A1", "A2"], "start_date": ["2024-01-01", "2024-01-01"],
                              "end_date": [None, None], "mrr": [100.0, 200.0]})
    build_workspace(path, accounts=accounts, contracts=contracts)


def test_filters_that_match_nothing_say_so_and_reset(app_test, tmp_path):
    path = tmp_path / "two.duckdb"
    _two_accounts(path)
    at = app_test(None, path, query={"f.segment": "SMB", "f.plan": "Basic"})
    assert_no_exception(at)
    info = texts(at.info)
    assert "No account matches the filters (segment = SMB; plan = Basic)" in info.replace("\\", "")
    assert "No contracts yet" not in info
    assert not at.metric
    at.button(key="reset_filters").click().run()
    assert_no_exception(at)
    assert "No account matches" not in texts(at.info)
    assert at.metric and not view_params(at)


def test_health_and_reality_use_the_links_as_of(app_test, demo_workspace_path):
    for page in ("app_pages/health.py", "app_pages/reality.py"):
        at = app_test(page, demo_workspace_path, query={"as_of": "2025-06-15"})
        assert_no_exception(at)
        text = texts(at.caption)
        assert "2025-06-15" in text and str(DEMO_AS_OF) not in text.replace(f"As of **{DEMO_AS_OF}**", ""), page


def test_account_links_in_tables_carry_the_view(app_test, demo_workspace_path):
    at = app_test(REVENUE, demo_workspace_path, query={"as_of": "2025-06-15", "f.segment": "Enterprise"})
    assert_no_exception(at)
    links = next(d.value for d in at.dataframe if "mrr_after" in d.value.columns)["link"]
    assert len(links) and links.str.startswith("/account?as_of=2025-06-15&f.segment=Enterprise&account=").all()
    account = links.iloc[0].rsplit("account=", 1)[1]
    opened = app_test("app_pages/account.py", demo_workspace_path,
                      query={"as_of": "2025-06-15", "f.segment": "Enterprise", "account": account})
    assert_no_exception(opened)
    assert "from this link" in texts(opened.sidebar.caption)


def test_a_cohorts_link_with_a_non_ascii_digit_period_opens_period_0(app_test, demo_workspace_path):
    at = app_test(COHORTS, demo_workspace_path, query={"cohort": "2024-03", "period": "²"})
    assert_no_exception(at)
    assert at.number_input(key="cell_period").value == 0
