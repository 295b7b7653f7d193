"""Contract / usage generators for the retention tests (hypothesis strategies and a small book)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import strategies as st

BASE_DAY = dt.date(2022, 1, 1)
ACCOUNT_IDS = [f"a{i}" for i in range(6)]
MRR_VALUES = [10.0, 25.5, 40.0, 100.0, 250.0]


@st.composite
def contract_frames(draw, max_contracts: int = 10):
    """Contracts with open ends, gaps, same-month start and end, overlaps, re-starts; usage rows
    (some with value 0); and an as_of (the data's, an earlier one or a later one)."""
    n = draw(st.integers(1, max_contracts))
    rows = []
    for i in range(n):
        start = BASE_DAY + dt.timedelta(days=draw(st.integers(0, 720)))
        kind = draw(st.sampled_from(["open", "short", "long", "same_month"]))
        if kind == "open":
            end = None
        elif kind == "same_month":
            end = start + dt.timedelta(days=draw(st.integers(0, 20)))
        elif kind == "short":
            end = start + dt.timedelta(days=draw(st.integers(20, 120)))
        else:
            end = start + dt.timedelta(days=draw(st.integers(120, 500)))
        rows.append({"contract_id": f"c{i}", "account_id": draw(st.sampled_from(ACCOUNT_IDS)),
                     "start_date": start, "end_date": end, "mrr": draw(st.sampled_from(MRR_VALUES))})
    contracts = pd.DataFrame(rows)
    u = draw(st.integers(0, 12))
    usage = pd.DataFrame([{
        "account_id": draw(st.sampled_from(ACCOUNT_IDS)),
        "event_date": BASE_DAY + dt.timedelta(days=draw(st.integers(0, 800))),
        "metric": "logins",
        "value": draw(st.sampled_from([0.0, 1.0, 3.0])),
    } for _ in range(u)], columns=["account_id", "event_date", "metric", "value"])
    as_of_kind = draw(st.sampled_from(["data", "data", "earlier", "later", "month_end"]))
    return contracts, usage, as_of_kind


def choose_as_of(contracts: pd.DataFrame, usage: pd.DataFrame, kind: str) -> dt.date | None:
    """None (the data's as_of) or a user as_of before / after it, or a month's last day."""
    dates = [pd.Timestamp(d) for d in contracts["start_date"]]
    dates += [pd.Timestamp(d) for d in usage["event_date"]]
    data = max(dates).date()
    if kind == "earlier":
        return data - dt.timedelta(days=75)
    if kind == "later":
        return data + dt.timedelta(days=100)
    if kind == "month_end":
        return (pd.Timestamp(data) + pd.offsets.MonthEnd(0)).date()
    return None


def small_book(accounts: int = 60, seed: int = 3) -> dict[str, pd.DataFrame]:
    """A small but varied book (segments, renewals, churn, reactivation, usage) for page tests."""
    rng = np.random.default_rng(seed)
    segs = np.array(["SMB", "Mid-Market", "Enterprise"])
    acc = pd.DataFrame({
        "account_id": [f"A{i:03d}" for i in range(accounts)],
        "account_name": [f"Account {i}" for i in range(accounts)],
        "segment": segs[rng.integers(0, 3, accounts)],
        "plan": np.array(["basic", "pro"])[rng.integers(0, 2, accounts)],
        "csm_owner": np.array(["ann", "bob"])[rng.integers(0, 2, accounts)],
    })
    contracts, usage = [], []
    for i, account in enumerate(acc["account_id"]):
        start = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 600)))
        mrr = float(rng.choice([50, 100, 200, 500]))
        for term in range(int(rng.integers(1, 4))):
            end = start + pd.DateOffset(months=12) - pd.Timedelta(days=1)
            last = term == 2 or rng.random() < 0.3
            contracts.append({"account_id": account, "start_date": start.date(),
                              "end_date": None if last and rng.random() < 0.5 else end.date(), "mrr": mrr})
            if last:
                break
            start = end + pd.Timedelta(days=1 + (90 if rng.random() < 0.15 else 0))
            mrr = mrr * float(rng.choice([0.8, 1.0, 1.2]))
        for d in range(0, 700, 9):
            day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=d)
            if rng.random() < 0.4:
                usage.append({"account_id": account, "event_date": day.date(), "metric": "logins",
                              "value": float(rng.integers(0, 5))})
    return {"accounts": acc, "contracts": pd.DataFrame(contracts), "usage": pd.DataFrame(usage)}
