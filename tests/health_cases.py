"""Hand-made workspaces for the health tests (exact numbers are worked out in the docstrings)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from factories import build_workspace

ROOT = Path(__file__).resolve().parent.parent
T = dt.date(2024, 6, 30)


def measures_case(path):
    """Account A on T = 2024-06-30, built so every raw measure is known:

    usage (value, metric, user): 30 days ending T (Jun 1..30): Jun 10 login 4 u1, Jun 25 report 4 u2,
    Jun 25 login 0 u3 (value 0: not active) -> recent value 8, users {u1, u2} = 2, metrics
    {login, report} = 2; the 30 days before (May 2..31): May 20 login 4 -> prior 4.
    usage_trend = 8 / 4 = 2.0; active_users = 2; the whole data has metrics login, report,
    export (B used export on 2024-01-10) -> breadth = 2 / 3; recency = Jun 30 - Jun 25 = 5.
    nps: 2023-06-01 score 2 (older than 365 days), 2024-03-01 score 9 -> nps = 9.
    contracts: C1 100 from 2024-01-01 open, C2 50 from 2024-05-01 open -> MRR on T 150,
    MRR at 2024-03-31 100 -> revenue_trend = 1.5.
    Account B: customer from 2024-01-01, usage only 2024-01-10 -> recency 172, usage_trend
    missing (no usage in 60 days), active_users 0, breadth 0, nps missing, revenue_trend 1.0.
    Account Z: contract ended 2024-05-31 -> not a customer on T (not scored).
    """
    usage = pd.DataFrame([
        ("A", "2024-06-10", "login", 4.0, "u1"),
        ("A", "2024-06-25", "report", 4.0, "u2"),
        ("A", "2024-06-25", "login", 0.0, "u3"),
        ("A", "2024-05-20", "login", 4.0, "u1"),
        ("B", "2024-01-10", "export", 1.0, "u9"),
        ("Z", "2024-05-01", "login", 1.0, "u7"),
    ], columns=["account_id", "event_date", "metric", "value", "user_id"])
    contracts = pd.DataFrame([
        ("C1", "A", "2024-01-01", None, 100.0),
        ("C2", "A", "2024-05-01", None, 50.0),
        ("C3", "B", "2024-01-01", None, 80.0),
        ("C4", "Z", "2024-01-01", "2024-05-31", 70.0),
    ], columns=["contract_id", "account_id", "start_date", "end_date", "mrr"])
    nps = pd.DataFrame([("A", "2023-06-01", 2), ("A", "2024-03-01", 9)],
                       columns=["account_id", "responded_at", "score"])
    accounts = pd.DataFrame({"account_id": ["A", "B", "Z"], "account_name": ["Alpha", "Beta", "Zed"],
                             "segment": ["SMB", "Enterprise", "SMB"], "csm_owner": ["ann", "bob", "ann"]})
    return build_workspace(path, accounts=accounts, contracts=contracts, usage=usage, nps=nps)


def backtest_case(path):
    """One snapshot (2024-01-31; as_of 2024-05-05 so Feb 29 + 90 days is too late) of four customers
    scored on NPS only (score = 10 x nps): A 20 churns (ends 2024-02-15), B 40 stays, C 60 churns
    (ends 2024-02-20), D 80 stays. Risk 100 - score ranks churned above retained in 3 of the 4
    pairs -> AUC 0.75. Bands: A red, B yellow (exactly 40), C yellow, D green."""
    contracts = pd.DataFrame([
        ("A", "2024-01-01", "2024-02-15", 10.0),
        ("B", "2024-01-01", None, 10.0),
        ("C", "2024-01-01", "2024-02-20", 10.0),
        ("D", "2024-01-01", None, 10.0),
    ], columns=["account_id", "start_date", "end_date", "mrr"])
    nps = pd.DataFrame([(a, "2024-01-15", s) for a, s in zip("ABCD", (2, 4, 6, 8))],
                       columns=["account_id", "responded_at", "score"])
    usage = pd.DataFrame([("B", "2024-05-05", "login", 1.0, "u1")],
                         columns=["account_id", "event_date", "metric", "value", "user_id"])
    return build_workspace(path, contracts=contracts, nps=nps, usage=usage)


def nps_only_scorecard():
    from cs_analytics.health.scorecard import MeasureSetting, Scorecard

    return Scorecard([MeasureSetting("nps", True, 100.0, "higher", "thresholds", [(0.0, 0.0), (10.0, 100.0)])])


def synthetic_workspace(path, accounts: int = 300, usage_rows: int = 120_000):
    """The benchmark's generator at a small size: churners' usage fades before they leave."""
    sys.path.insert(0, str(ROOT / "bench"))
    from cs_analytics.core.db import open_workspace
    import health as bench_health  # bench/health.py

    ws = open_workspace(path)
    bench_health.generate(ws, accounts, usage_rows, seed=3)
    return ws
