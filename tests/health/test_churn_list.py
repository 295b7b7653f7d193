"""Churn truth from a churn list (metrics.md, Outcomes): ingest, the outcome without contracts, the
one-snapshot backtest, reasons with contracts, and a telco-like set end to end (discovery finds the
cliff, the fitted scorecard beats an equal-weight one)."""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

from cs_analytics.core.config import reason_label
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.outcomes import NO_REASON, churn_outcomes, outcome_plan
from cs_analytics.health import backtest as bt
from cs_analytics.health.definitions import MeasureDefinition
from cs_analytics.health.discovery import add_candidate, discover
from cs_analytics.health.scorecard import MeasureSetting, Scorecard, default_scorecard
from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.load import ingest_dataframe, ingest_file
from factories import build_workspace


def test_a_churn_list_file_loads_with_quarantine_reasons(tmp_path):
    ws = open_workspace(tmp_path / "o.duckdb")
    csv = (b"Customer ID,Churn,Churn Date,Churn Reason\n"
           b"A1,yes,,price\nA2,No,,\nA3,,2024-03-01,support\nA4,maybe,,\nA5,false,2024-01-01,x\nA6,,,\n")
    result = ingest_file(ws, "outcomes", io.BytesIO(csv), file_name="churn.csv")
    stored = ws.query("SELECT account_id, churned, churned_at, reason FROM outcomes ORDER BY account_id")
    assert stored["account_id"].tolist() == ["A1", "A2", "A3"]
    assert stored["churned"].tolist() == [True, False, True]  # a date implies churned
    reasons = ws.query("SELECT line, reason FROM quarantine ORDER BY line")
    assert reasons["line"].tolist() == [5, 6, 7]
    assert reasons["reason"].str.startswith("not true/false").tolist()[0]
    assert "churned is false but churned_at is 2024-01-01" == reasons["reason"].iloc[1]
    assert reasons["reason"].iloc[2] == "no churned or churned_at"
    assert result.rows_accepted == 3
    with pytest.raises(IngestRefused, match=r"churned \(or churned_at\)"):
        ingest_file(ws, "outcomes", io.BytesIO(b"account,why\nA1,price\n"), file_name="bad.csv")
    close_workspace(tmp_path / "o.duckdb")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text(max_size=12), min_size=1, max_size=6))
def test_hostile_churned_values_are_stored_only_when_they_read_as_true_or_false(tmp_path, words):
    import uuid

    path = tmp_path / f"h_{uuid.uuid4().hex}.duckdb"  # one workspace per example
    ws = open_workspace(path)
    frame = pd.DataFrame({"account_id": [f"A{i}" for i in range(len(words))], "churned": words})
    try:
        ingest_dataframe(ws, "outcomes", frame, file_name="h.csv")
    except IngestRefused:
        pass  # nothing accepted: a replace that accepts no row is refused, and nothing is stored
    stored = ws.query("SELECT account_id, churned FROM outcomes")
    truth = {"true": True, "yes": True, "y": True, "t": True, "1": True, "1.0": True,
             "false": False, "no": False, "n": False, "f": False, "0": False, "0.0": False}
    expected = {f"A{i}": truth[w.strip().lower()] for i, w in enumerate(words) if w.strip().lower() in truth}
    assert dict(zip(stored["account_id"], stored["churned"])) == expected
    close_workspace(path)


def _usage_and_list(path):
    """Usage Jan-Jun 2024 (no contracts). A churns 2024-03-15 (dated), B is listed churned without a
    date (last usage 2024-04-20 -> churn date 2024-04-21), C and D stay. E's first data is May."""
    days = pd.date_range("2024-01-01", "2024-06-30", freq="7D")
    rows = [(a, d.date(), "login", 1.0) for a in "CD" for d in days]
    rows += [("A", d.date(), "login", 1.0) for d in days if d <= pd.Timestamp("2024-03-10")]
    rows += [("B", d.date(), "login", 1.0) for d in days if d <= pd.Timestamp("2024-04-20")]
    rows += [("E", d.date(), "login", 1.0) for d in days if d >= pd.Timestamp("2024-05-01")]
    usage = pd.DataFrame(rows, columns=["account_id", "event_date", "metric", "value"])
    outcomes = pd.DataFrame({"account_id": ["A", "B", "C"], "churned": [True, True, False],
                             "churned_at": ["2024-03-15", None, None], "reason": ["price", None, None]})
    return build_workspace(path, usage=usage, outcomes=outcomes)


def test_without_contracts_the_churn_list_gives_outcomes_and_snapshots(tmp_path):
    ws = _usage_and_list(tmp_path / "c.duckdb")
    plan = outcome_plan(ws, 30, dt.date(2024, 6, 30))
    assert plan.source == "churn_list" and not plan.label_only
    assert plan.dates == tuple(dt.date(2024, m, d) for m, d in ((1, 31), (2, 29), (3, 31), (4, 30), (5, 31)))
    out = churn_outcomes(ws, [dt.date(2024, 2, 29), dt.date(2024, 3, 31)], 30)
    # pandas reference: population = data on or before T and not churned by T; churned in (T, T+30]
    churn_date = {"A": dt.date(2024, 3, 15), "B": dt.date(2024, 4, 21)}
    first = {"A": dt.date(2024, 1, 1), "B": dt.date(2024, 1, 1), "C": dt.date(2024, 1, 1),
             "D": dt.date(2024, 1, 1), "E": dt.date(2024, 5, 6)}
    expected = {}
    for t in (dt.date(2024, 2, 29), dt.date(2024, 3, 31)):
        for a, f in first.items():
            if f <= t and not (a in churn_date and churn_date[a] <= t):
                expected[(t, a)] = a in churn_date and t < churn_date[a] <= t + dt.timedelta(days=30)
    assert {(r.as_of, r.account_id): r.churned for r in out.itertuples()} == expected
    reasons = out.set_index(["as_of", "account_id"])["reason"]
    assert reasons[(dt.date(2024, 2, 29), "A")] == "price" and pd.isna(reasons[(dt.date(2024, 2, 29), "C")])
    close_workspace(tmp_path / "c.duckdb")


def test_with_contracts_the_list_adds_only_the_reason(tmp_path):
    contracts = pd.DataFrame([("F", "2024-01-01", "2024-02-10", 10.0), ("G", "2024-01-01", None, 20.0)],
                             columns=["account_id", "start_date", "end_date", "mrr"])
    outcomes = pd.DataFrame({"account_id": ["F", "G"], "churned": [True, True],
                             "churned_at": ["2024-05-01", "2024-05-01"], "reason": ["budget", "merger"]})
    usage = pd.DataFrame({"account_id": ["G"], "event_date": ["2024-06-30"]})
    ws = build_workspace(tmp_path / "r.duckdb", contracts=contracts, usage=usage, outcomes=outcomes)
    out = churn_outcomes(ws, [dt.date(2024, 1, 31)], 60).set_index("account_id")
    assert out["churned"].to_dict() == {"F": True, "G": False}  # contracts decide, not the list's date
    assert out.loc["F", "reason"] == "budget" and pd.isna(out.loc["G", "reason"])
    close_workspace(tmp_path / "r.duckdb")


# -- a telco-like churn list: one snapshot, several usage metrics, a cliff --------------------------

METRICS = ("service_calls", "day_minutes", "evening_minutes", "intl_calls")
ACCOUNTS = 3_000
EXPORT_DAY = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def telco_path(tmp_path_factory):
    """One usage row per account and metric on one export day, a churn list with reasons (no
    contracts): service calls >= 4 churn at about 50%, the rest at about 11%."""
    rng = np.random.default_rng(7)
    calls, day = rng.poisson(1.5, ACCOUNTS), rng.normal(180, 50, ACCOUNTS).clip(1)
    churned = rng.random(ACCOUNTS) < 1 / (1 + np.exp(-(-2.3 + 0.012 * (day - 180) + np.where(calls >= 4, 2.2, 0))))
    values = {"service_calls": calls, "day_minutes": day, "evening_minutes": rng.normal(200, 50, ACCOUNTS).clip(1),
              "intl_calls": rng.poisson(4, ACCOUNTS)}
    ids = [f"T{i:05d}" for i in range(ACCOUNTS)]
    usage = pd.concat([pd.DataFrame({"account_id": ids, "event_date": EXPORT_DAY, "metric": m,
                                     "value": np.asarray(v, dtype=float) + 1e-9}) for m, v in values.items()])
    reasons = np.where(rng.random(ACCOUNTS) < 0.5, "competitor", "service")
    outcomes = pd.DataFrame({"account_id": ids, "churned": churned,
                             "reason": np.where(churned, reasons, None)})
    path = tmp_path_factory.mktemp("telco") / "telco.duckdb"
    build_workspace(path, usage=usage, outcomes=outcomes)
    close_workspace(path)
    return path, dict(zip(ids, churned)), dict(zip(ids, calls)), dict(zip(ids, np.where(churned, reasons, None)))


def _per_metric_scorecard() -> Scorecard:
    measures = [MeasureSetting(name=m, weight=25.0, direction="higher", normalisation="percentile",
                               definition=MeasureDefinition(m, "usage", metric=m, aggregation="sum", window_days=30))
                for m in METRICS]
    return Scorecard(measures).validate()


def test_one_snapshot_backtest_uses_the_list_as_label_and_cross_validation(telco_path):
    path, churned, _, reasons = telco_path
    ws = open_workspace(path)
    result = bt.run_backtest(ws, 90, _per_metric_scorecard())
    assert result.label_only and result.snapshot_dates == [EXPORT_DAY]
    assert result.observations == ACCOUNTS and result.churned == sum(churned.values())
    assert result.evaluation.kind == "cv" and result.to_dict()["evaluation"] == "cv"
    # the equal-weight scorecard calls more minutes/calls "better": the fitted one beats it, and is offered
    assert result.model_auc > result.test_auc and result.offered
    assert result.fitted_scorecard.validate().setting("service_calls").direction == "lower"
    # churn reasons against a pandas reference
    ref = pd.Series([reason_label(r) for a, r in reasons.items() if churned[a]]).value_counts()  # codes read as labels
    got = result.reasons.set_index("reason")["accounts"]
    assert got.to_dict() == ref.to_dict() and NO_REASON not in got
    close_workspace(path)


def test_discovery_finds_the_cliff_and_its_direction(telco_path):
    path, churned, calls, _ = telco_path
    ws = open_workspace(path)
    found = discover(ws, 90)
    top = found.candidates.head(4)["measure"].tolist()
    assert "service_calls_sum_30d" in top
    row = found.candidates.set_index("measure").loc["service_calls_sum_30d"]
    assert row["direction"] == "lower" and row["accounts"] == ACCOUNTS
    bins = found.bins["service_calls_sum_30d"]
    # pandas reference of the churn rate per distinct value of service calls
    ref = pd.DataFrame({"calls": calls, "churned": churned}).groupby("calls")["churned"].mean()
    assert np.allclose(bins["churn_rate"].to_numpy(), ref.to_numpy())
    high, low = bins[bins["lower"] >= 4], bins[bins["upper"] < 4]
    assert high["churned"].sum() / high["rows"].sum() > 3 * low["churned"].sum() / low["rows"].sum()  # the cliff
    # one click: the candidate joins a draft scorecard as a normal measure
    draft = add_candidate(default_scorecard(), found.definitions["service_calls_sum_30d"].to_dict(), "lower")
    assert draft.setting("service_calls_sum_30d").direction == "lower" and draft.version == 0
    close_workspace(path)


def test_cli_discover_and_backtest_json_on_a_churn_list(telco_path, capsys):
    import json

    from cs_analytics.cli.main import main

    path = telco_path[0]
    assert main(["measures", "--workspace", str(path), "--discover", "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert frame.columns.tolist()[:5] == ["measure", "source", "direction", "auc", "accounts"]
    assert frame["auc"].is_monotonic_decreasing and frame["auc"].between(0.5, 1).all()
    scorecard = tmp = path.parent / "per_metric.json"
    tmp.write_text(_per_metric_scorecard().to_json())
    assert main(["backtest", "--workspace", str(path), "--scorecard", str(scorecard)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["evaluation"] == "cv" and data["offered"] is True and data["label_only"] is True
    low, high = data["model_auc_interval"]
    assert low <= data["model_auc"] <= high and data["auc_difference_interval"][0] > 0
    assert {r["reason"] for r in data["reasons"]} == {"Competitor", "service"}  # a code reads as its label


def test_cli_discover_without_churn_truth_is_a_user_error(tmp_path, capsys):
    from cs_analytics.cli.main import main

    usage = pd.DataFrame({"account_id": ["A"], "event_date": ["2024-06-30"]})
    build_workspace(tmp_path / "u.duckdb", usage=usage)
    close_workspace(tmp_path / "u.duckdb")
    assert main(["measures", "--workspace", str(tmp_path / "u.duckdb"), "--discover"]) == 1
    assert "load contracts or a churn list" in capsys.readouterr().err
