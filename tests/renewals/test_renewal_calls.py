"""CSM renewal calls: append-only, validated, the disagreement rule; the CLI's renewals and call."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from cs_analytics.cli.main import main
from cs_analytics.core import config
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.renewals.calls import call_history, calls_in_force, disagrees, record_call
from renewals.test_renewal_records import AS_OF, contracts
from factories import build_workspace
import pandas as pd

DUE_F = dt.date(2026, 7, 31)


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "calls.duckdb"
    accounts = pd.DataFrame({"account_id": list("ABCDEFG"), "account_name": [f"Acct {x}" for x in "ABCDEFG"],
                             "segment": ["SMB"] * 7, "csm_owner": ["Kim"] * 7})
    build_workspace(path, accounts=accounts, contracts=contracts())
    close_workspace(path)
    return path


def test_calls_append_and_the_newest_is_in_force(path):
    ws = open_workspace(path)
    first = record_call(ws, "F", DUE_F, "good", user="Kim", now=dt.datetime(2026, 6, 1, 9))
    second = record_call(ws, " F ", DUE_F, "at_risk", user="Kim", note="budget cut", now=dt.datetime(2026, 6, 20, 9))
    assert second > first
    history = call_history(ws)
    assert history["call"].tolist() == ["good", "at_risk"]  # nothing overwritten
    in_force = calls_in_force(ws)
    assert in_force[["account_id", "call", "note"]].values.tolist() == [["F", "at_risk", "budget cut"]]
    assert calls_in_force(ws, dt.date(2026, 6, 10))["call"].tolist() == ["good"]  # as it stood then
    close_workspace(path)


@pytest.mark.parametrize("kwargs, message", [
    ({"account_id": "NOPE", "due_date": DUE_F, "call": "good", "user": "Kim"}, "Unknown account"),
    ({"account_id": "F", "due_date": dt.date(2026, 7, 30), "call": "good", "user": "Kim"}, "no renewal due"),
    ({"account_id": "F", "due_date": DUE_F, "call": "great", "user": "Kim"}, "one of good"),
    ({"account_id": "F", "due_date": DUE_F, "call": "good", "user": "  "}, "name of the person"),
])
def test_bad_calls_are_refused_and_nothing_is_written(path, kwargs, message):
    ws = open_workspace(path)
    with pytest.raises(ValueError, match=message):
        record_call(ws, kwargs.pop("account_id"), kwargs.pop("due_date"), kwargs.pop("call"), **kwargs)
    assert call_history(ws).empty
    close_workspace(path)


def test_disagreement_rule_thresholds():
    assert disagrees(config.DISAGREE_GOOD_BELOW - 0.01, "good")
    assert not disagrees(config.DISAGREE_GOOD_BELOW, "good")
    assert disagrees(config.DISAGREE_AT_RISK_FROM, "at_risk")
    assert not disagrees(config.DISAGREE_AT_RISK_FROM - 0.01, "at_risk")
    assert not disagrees(0.1, "monitor") and not disagrees(None, "good") and not disagrees(0.1, None)


def test_cli_call_then_renewals(path, capsys):
    # The as-of setting (not --as-of, which shows only the calls made by that day): calls up to now.
    assert main(["settings", "as_of", AS_OF.isoformat(), "--workspace", str(path)]) == 0
    capsys.readouterr()
    ws_arg = ["--workspace", str(path)]
    assert main(["call", "F", "at_risk", "--user", "Kim", "--note", "champion left", "--format", "json", *ws_arg]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["due_date"] == DUE_F.isoformat() and row["call"] == "at_risk"
    assert main(["renewals", "--within-days", "60", "--format", "json", *ws_arg]) == 0
    out = capsys.readouterr()
    listed = json.loads(out.out)
    assert "Too few past renewals" in out.err
    assert [(r["account_id"], r["csm_call"]) for r in listed] == [("F", "at_risk")]
    assert listed[0]["likelihood"] is None  # far too few past renewals for a model
    assert main(["renewals", "--within-days", "365", "--format", "json", *ws_arg]) == 0
    listed = json.loads(capsys.readouterr().out)  # beyond the page's 180 days: scored too
    assert sorted(r["account_id"] for r in listed) == ["A", "E", "F", "G"]
    assert main(["renewals", "--disagreements", "--format", "csv", *ws_arg]) == 0
    assert capsys.readouterr().out.strip().count("\n") == 0  # header only: no likelihood, no disagreement
    assert main(["renewals", "--history", "--format", "csv", *ws_arg]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header == "quarter,first_year,due,renewed,gross_rate,net_rate"


def test_cli_refusals(path, capsys):
    ws_arg = ["--workspace", str(path), "--as-of", AS_OF.isoformat()]
    assert main(["call", "F", "maybe", "--user", "Kim", *ws_arg]) == 1
    assert "good, monitor, at_risk" in capsys.readouterr().err
    assert main(["call", "B", "good", "--user", "Kim", *ws_arg]) == 1  # B has nothing due after the as-of
    assert "no renewal due after" in capsys.readouterr().err
    assert main(["renewals", "--within-days", "0", *ws_arg]) == 1


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=st.text(min_size=1, max_size=200).filter(lambda t: t.strip()),
       user=st.text(min_size=1, max_size=40).filter(lambda t: t.strip()))
def test_hostile_notes_and_names_are_stored_exactly(path, note, user):
    """Any text (quotes, markdown, HTML, SQL) is a bound value: stored and read back as typed."""
    ws = open_workspace(path)
    call_id = record_call(ws, "F", DUE_F, "monitor", user=user, note=note)
    row = call_history(ws).set_index("call_id").loc[call_id]
    assert row["note"] == note.strip() and row["user_name"] == user.strip()
    close_workspace(path)
