"""The analyst workflow: versions carry definitions, old versions load, restore, scorecards per
segment, the draft backtested beside the active version, and the CLI `measures` / `explain`."""
from __future__ import annotations

import datetime as dt
import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.outcomes import churn_outcomes
from cs_analytics.health.backtest import snapshot_dates
from cs_analytics.health.compare import compare_scorecards
from cs_analytics.health.definitions import MeasureDefinition
from cs_analytics.health.scorecard import MeasureSetting, Scorecard, active_scorecard, default_scorecard, save_scorecard
from cs_analytics.health.scoring import explain_account, score_frame, score_snapshots
from cs_analytics.health.versions import restore_version, scorecard_for_account, version_history
from cs_analytics.views.scorecard import add_measure, definition_preview, remove_measure

LOGINS = MeasureDefinition("login_days", "usage", metric="login", aggregation="active_days", window_days=30)
# the configuration a version saved before definitions existed holds (no 'definition' keys)
OLD_CONFIG = {
    "measures": [
        {"name": "usage_trend", "enabled": True, "weight": 50.0, "direction": "higher",
         "normalisation": "thresholds", "thresholds": [[0.5, 0.0], [1.0, 70.0], [1.3, 100.0]]},
        {"name": "recency", "enabled": True, "weight": 50.0, "direction": "lower",
         "normalisation": "percentile", "thresholds": []},
    ],
    "bands": {"green_min": 70.0, "yellow_min": 40.0},
}


@pytest.fixture
def demo200(small_demo_master_path, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    ws = open_workspace(path)
    yield ws, path
    close_workspace(path)


def _with_logins(weight: float = 30.0) -> Scorecard:
    sc = default_scorecard()
    sc.measures.append(MeasureSetting("login_days", True, weight, "higher", "percentile", [], definition=LOGINS))
    return sc.validate()


def test_an_old_version_loads_with_the_builtin_definitions(demo200):
    ws, _ = demo200
    with ws.transaction() as cur:
        cur.execute("INSERT INTO scorecards (version, created_at, created_by, config, change_summary, active) "
                    "VALUES (nextval('scorecard_version_seq'), TIMESTAMP '2025-01-01 10:00', 'old', ?, 'old', TRUE)",
                    [json.dumps(OLD_CONFIG)])
    sc = active_scorecard(ws)
    assert sc.measure_names == ["usage_trend", "recency"] and sc.setting("recency").definition is None
    assert sc.setting("recency").resolved_definition.aggregation == "days_since_last"
    assert sc.to_dict()["measures"][1]["definition"]["aggregation"] == "days_since_last"
    frame = score_snapshots(ws, [dt.date(2026, 10, 31)])
    assert frame["score"].notna().sum() > 100


def test_a_version_stores_each_definition_and_scores_it(demo200):
    ws, _ = demo200
    version = save_scorecard(ws, _with_logins(), "Ana", "add login days")
    stored = json.loads(ws.scalar("SELECT config FROM scorecards WHERE version = ?", [version]))
    assert stored["measures"][-1]["definition"] == {**LOGINS.to_dict()}
    sc = active_scorecard(ws)
    assert sc.setting("login_days").definition == LOGINS
    day = dt.date(2026, 10, 31)
    frame = score_snapshots(ws, [day])
    # the raw value is the pandas count of distinct login days with value > 0 in the window
    usage = ws.query("SELECT account_id, event_date, value FROM usage WHERE metric = 'login'")
    usage["event_date"] = pd.to_datetime(usage["event_date"]).dt.date
    win = usage[(usage["event_date"] > day - dt.timedelta(days=30)) & (usage["event_date"] <= day) & (usage["value"] > 0)]
    want = win.groupby("account_id")["event_date"].nunique()
    got = frame.set_index("account_id")["login_days_raw"]
    assert len(got) > 100 and got.notna().all()
    assert (got == want.reindex(got.index).fillna(0)).all()
    explanation = explain_account(ws, frame["account_id"].iloc[0], day)
    row = explanation.table.set_index("measure").loc["login_days"]
    assert row["definition"] == LOGINS.describe() and row["unit"] == "days"


def test_restore_creates_a_new_recorded_version(demo200):
    ws, _ = demo200
    first = save_scorecard(ws, _with_logins(30.0), "Ana", "v1")
    second = save_scorecard(ws, default_scorecard(), "Ben", "back to six")
    assert active_scorecard(ws).version == second
    third = restore_version(ws, first, "Cleo")
    sc = active_scorecard(ws)
    assert sc.version == third > second and sc.created_by == "Cleo"
    assert sc.to_dict() == _with_logins(30.0).to_dict()
    history = version_history(ws).set_index("version")
    assert history.loc[third, "restored_from"] == first and history.loc[third, "change_summary"] == f"Restored v{first}"
    assert history["active"].sum() == 1
    with pytest.raises(ValueError, match="no saved scorecard version 99"):
        restore_version(ws, 99, "Cleo")
    with pytest.raises(ValueError, match="needs the name"):
        restore_version(ws, first, " ")


def test_a_segment_scorecard_scores_only_its_segment(demo200):
    ws, _ = demo200
    day = dt.date(2026, 10, 31)
    default_version = save_scorecard(ws, default_scorecard(), "Ana", "default")
    ent = _with_logins(60.0)
    ent_version = save_scorecard(ws, ent, "Ana", "enterprise", segment="Enterprise")
    assert active_scorecard(ws).version == default_version  # the default line is untouched
    frame = score_snapshots(ws, [day]).set_index("account_id")
    segments = ws.query("SELECT account_id, segment FROM accounts").set_index("account_id")["segment"]
    frame["segment_now"] = segments.reindex(frame.index)
    is_ent = frame["segment_now"] == "Enterprise"
    assert is_ent.any() and (~is_ent).any()
    assert (frame.loc[is_ent, "scorecard_version"] == ent_version).all()
    assert (frame.loc[~is_ent, "scorecard_version"] == default_version).all()
    assert frame.loc[~is_ent, "login_days_raw"].isna().all()
    # each part equals scoring everybody with that part's scorecard
    alone, _ = score_frame(ws, [day], active_scorecard(ws, "Enterprise"))
    alone = alone.set_index("account_id")
    np.testing.assert_allclose(frame.loc[is_ent, "score"], alone.loc[frame.index[is_ent], "score"])
    account = frame.index[is_ent][0]
    assert scorecard_for_account(ws, account).version == ent_version
    assert "for segment Enterprise" in explain_account(ws, account, day).scorecard_label
    with pytest.raises(ValueError, match="No account is in segment"):
        save_scorecard(ws, ent, "Ana", "x", segment="Nope")


def _rank_auc(churned: np.ndarray, risk: np.ndarray) -> float:
    """Mann-Whitney AUC with average ranks for ties (the pandas reference)."""
    ranks = pd.Series(risk).rank(method="average").to_numpy()
    pos = churned == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def test_draft_and_active_are_compared_on_the_same_observations(demo200):
    ws, _ = demo200
    draft = _with_logins(60.0)
    result = compare_scorecards(ws, {"Draft": draft, "Active": default_scorecard()}, 90)
    summary = result.summary.set_index("scorecard")
    assert summary.loc["Draft", "observations"] == summary.loc["Active", "observations"] > 0
    assert summary.loc["Draft", "churned"] == summary.loc["Active", "churned"] > 0
    dates = snapshot_dates(ws, 90)
    outcomes = churn_outcomes(ws, dates, 90)
    for label, sc in (("Draft", draft), ("Active", default_scorecard())):
        frame, _ = score_frame(ws, dates, sc)
        data = frame[frame["score"].notna()].merge(outcomes, on=["as_of", "account_id"])
        want = _rank_auc(data["churned"].astype(int).to_numpy(), 100 - data["score"].to_numpy())
        assert summary.loc[label, "auc"] == pytest.approx(want, abs=1e-12)
        bands = result.per_band[result.per_band["scorecard"] == label].set_index("band")
        assert bands.loc["red", "accounts"] == (data["band"] == "red").sum()
    smb = compare_scorecards(ws, {"Draft": draft}, 90, AccountFilter({"segment": ["SMB"]}))
    assert 0 < smb.summary.loc[0, "observations"] < summary.loc["Draft", "observations"]


def test_the_editor_logic_adds_previews_and_removes():
    fields = {"name": "api_trend", "source": "usage", "metric": "api_call", "aggregation": "sum",
              "window_days": 30, "trend": True, "per": None}
    text, unit, error = definition_preview(fields)
    assert error is None and unit == "ratio" and text.startswith("Sum of value of metric 'api_call'")
    assert "window_days" in definition_preview({**fields, "window_days": 3})[2]
    draft, refusal = add_measure(default_scorecard().to_json(), fields, "higher", "thresholds", "0.5:0, 1:70, 1.5:100", 20)
    assert refusal is None and Scorecard.from_json(draft).setting("api_trend").definition.trend
    again, refusal = add_measure(draft, fields, "higher", "percentile", "", 5)
    assert again == draft and "already has a measure named api_trend" in refusal
    _, refusal = add_measure(draft, {**fields, "name": "x2"}, "lower", "thresholds", "0.5:0, 1:70", 5)
    assert "must not increase" in refusal
    fewer, refusal = remove_measure(draft, "api_trend")
    assert refusal is None and "api_trend" not in Scorecard.from_json(fewer).measure_names
    text, _, error = definition_preview({**fields, "name": "", "metric": "Log-ins ✓"})
    assert error is None and text.endswith("(name: log_ins_sum_30d_trend)")
    named, refusal = add_measure(default_scorecard().to_json(), {**fields, "name": " "}, "higher", "percentile", "", 5)
    assert refusal is None and Scorecard.from_json(named).measures[-1].name == "api_call_sum_30d_trend"
    only = Scorecard([MeasureSetting("recency", True, 10, "lower", "percentile")]).to_json()
    assert "at least one measure" in remove_measure(only, "recency")[1]


def _cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_measures_lists_scorecard_and_candidates(demo200, capsys, tmp_path):
    ws, path = demo200
    close_workspace(path)
    code, out, err = _cli(capsys, "measures", "--workspace", path, "--format", "csv", "--as-of", "2026-10-31")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert frame.columns.tolist()[:5] == ["measure", "source", "direction", "auc", "accounts"]
    assert frame["measure"].tolist()[:6] == default_scorecard().measure_names
    assert frame["auc"].isna().all()
    row = frame.set_index("measure").loc["login_active_days_30d"]
    assert row["definition"] == "Days with metric 'login' (value > 0) in the 30 days ending T" and not row["in_scorecard"]
    file = tmp_path / "sc.json"
    file.write_text(json.dumps({"measures": [{"name": "recency"}, {
        "name": "login_days", "definition": {k: v for k, v in LOGINS.to_dict().items() if k != "name"}}]}))
    code, out, err = _cli(capsys, "health", "--workspace", path, "--format", "csv", "--scorecard", file)
    assert code == 0, err
    assert "login_days_raw" in pd.read_csv(io.StringIO(out)).columns
    file.write_text(json.dumps({"measures": [{"name": "x", "definition": {"source": "usage", "window_days": 999}}]}))
    code, out, err = _cli(capsys, "health", "--workspace", path, "--scorecard", file)
    assert code == 1 and "window_days must be a whole number from 7 to 365" in err
    code, out, err = _cli(capsys, "explain", "ACC-00001", "--workspace", path, "--format", "csv")
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out)).columns.tolist()[-2:] == ["definition", "unit"]
