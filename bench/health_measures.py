"""Benchmark: score 30 measures (the six built-in + 24 defined from usage metrics) on 20k accounts
and 10M usage rows as of one date, against a plain pandas implementation of the same numbers.

The workspace is generated once (bench/health.py's generator) and kept under /tmp, so a second
run skips the generation. Target: scoring < 1 s.

    .venv/bin/python bench/health.py --measures [--quick]
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from health import CPU_TIMES, _median_time, generate, pandas_builtin_raw, pandas_weighted_score

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.workspace import data_as_of
from cs_analytics.health.definitions import MeasureDefinition
from cs_analytics.health.scorecard import MeasureSetting, default_scorecard
from cs_analytics.health.scoring import score_accounts

METRICS = [f"metric_{i}" for i in range(10)]


def thirty_measures():
    """The default scorecard plus, per metric, its 30-day sum and 30-day trend, and the active days
    of four metrics: 30 measures, the added ones percentile-normalised, weight 5 each."""
    sc = default_scorecard()
    defs = [MeasureDefinition(f"{m}_sum_30d", "usage", metric=m, window_days=30) for m in METRICS]
    defs += [MeasureDefinition(f"{m}_trend_30d", "usage", metric=m, window_days=30, trend=True) for m in METRICS]
    defs += [MeasureDefinition(f"{m}_days_30d", "usage", metric=m, aggregation="active_days") for m in METRICS[:4]]
    for d in defs:
        sc.measures.append(MeasureSetting(d.name, True, 5.0, "higher", "percentile", [], definition=d))
    return sc.validate(), defs


def pandas_custom_raw(usage: pd.DataFrame, defs, as_of, index) -> pd.DataFrame:
    """The 24 added measures with pandas: window sums / trends / active days per account."""
    t = pd.Timestamp(as_of)
    u = usage[usage.event_date <= t]
    has_usage = pd.Index(u["account_id"].unique())
    now = u[u.event_date > t - pd.Timedelta(days=30)]
    prev = u[(u.event_date > t - pd.Timedelta(days=60)) & (u.event_date <= t - pd.Timedelta(days=30))]
    sums_now = now.groupby(["account_id", "metric"])["value"].sum().unstack()
    sums_prev = prev.groupby(["account_id", "metric"])["value"].sum().unstack()
    days_now = now[now.value > 0].groupby(["account_id", "metric"])["event_date"].nunique().unstack()
    raw = pd.DataFrame(index=index)
    for d in defs:
        if d.aggregation == "active_days":
            col = days_now.get(d.metric, pd.Series(dtype=float)).reindex(has_usage).fillna(0)
        else:
            col = sums_now.get(d.metric, pd.Series(dtype=float)).reindex(has_usage).fillna(0)
            if d.trend:
                before = sums_prev.get(d.metric, pd.Series(dtype=float)).reindex(has_usage).fillna(0)
                col = (col / before)[before > 0]
        raw[d.name] = col
    return raw


def _workspace(accounts: int, usage_rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"cs_bench_measures_{accounts}_{usage_rows}.duckdb"
    if not path.exists():
        ws = open_workspace(path)
        generate(ws, accounts, usage_rows)
        ws.checkpoint()
        close_workspace(path)
    return path


def run_measures(quick: bool = False, accounts: int | None = None, usage_rows: int | None = None) -> str:
    accounts = accounts or (2_000 if quick else 20_000)
    usage_rows = usage_rows or (1_000_000 if quick else 10_000_000)
    repeats = 3
    path = _workspace(accounts, usage_rows)
    ws = open_workspace(path)
    as_of = data_as_of(ws)
    sc, defs = thirty_measures()
    score_accounts(ws, as_of, sc)  # warm-up
    score_s, scores = _median_time(lambda: score_accounts(ws, as_of, sc), repeats)
    six_s, six = _median_time(lambda: score_accounts(ws, as_of, default_scorecard()), repeats)
    n_usage = ws.row_count("usage")
    usage = ws.query("SELECT account_id, event_date, metric, value, user_id FROM usage")
    contracts = ws.query("SELECT account_id, start_date, end_date, mrr FROM contracts")
    nps = ws.query("SELECT account_id, responded_at, score FROM nps")
    for frame, cols in ((usage, ["event_date"]), (contracts, ["start_date", "end_date"]), (nps, ["responded_at"])):
        for col in cols:
            frame[col] = pd.to_datetime(frame[col])
    close_workspace(path)

    def pandas_all():
        raw = pandas_builtin_raw(usage, contracts, nps, as_of)
        raw = raw.join(pandas_custom_raw(usage, defs, as_of, raw.index))
        return pandas_weighted_score(raw, sc)

    pandas_s, pd_scores = _median_time(pandas_all, repeats)
    mine = scores.set_index("account_id")["score"]
    max_diff = float((mine - pd_scores.reindex(mine.index)).abs().max())
    return "\n".join([
        f"## Health score with 30 measures ({'quick' if quick else 'full'})",
        "",
        f"{accounts:,} accounts, {n_usage:,} usage rows, as_of {as_of}; the six built-in measures plus, for each "
        "of 10 metrics, its 30-day sum and 30-day trend, and the 30-day active days of 4 metrics (one DuckDB scan "
        f"for all 26 window measures). Median of {repeats} runs; pandas computes the same scores from frames "
        f"already in memory (max abs difference {max_diff:.2g} points).",
        "",
        "| task | size | DuckDB wall (s) | DuckDB CPU (s) | pandas wall (s) | pandas / DuckDB | target |",
        "|---|---|---|---|---|---|---|",
        f"| score one date, 30 measures | {len(scores):,} customers | {score_s:.3f} | {CPU_TIMES[id(scores)]:.3f} | "
        f"{pandas_s:.3f} | {pandas_s / score_s:.1f}x | < 1 s |",
        f"| score one date, the six built-in measures (same run) | {len(six):,} customers | {six_s:.3f} | "
        f"{CPU_TIMES[id(six)]:.3f} | - | - | - |",
    ]) + "\n"
