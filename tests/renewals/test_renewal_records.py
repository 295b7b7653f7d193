"""Renewal rates and history against an independent pandas reference on a hand-built workspace:
first-year renewals apart, multi-contract accounts, renewal_date versus end_date."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.renewals.records import history, rates, renewals, upcoming_renewals
from factories import build_workspace

AS_OF = dt.date(2026, 6, 30)
D = pd.Timestamp


def contracts() -> pd.DataFrame:
    rows = [
        # A: annual, renewed twice (first-year then later), expanded at the second renewal.
        ("A1", "A", "2024-01-01", "2024-12-31", 100, None),
        ("A2", "A", "2025-01-01", "2025-12-31", 120, None),
        ("A3", "A", "2026-01-01", "2026-12-31", 150, None),
        # B: first-year renewal lost.
        ("B1", "B", "2024-03-01", "2025-02-28", 200, None),
        # C: platform + add-on due together, renewed smaller (contraction); a second product runs on.
        ("C1", "C", "2024-05-01", "2025-04-30", 300, None),
        ("C2", "C", "2024-09-01", "2025-04-30", 50, None),
        ("C3", "C", "2024-05-01", None, 70, None),
        ("C4", "C", "2025-05-01", "2026-04-30", 200, None),
        # D: renewal_date 30 days before the end; churns at the end (not renewed).
        ("D1", "D", "2024-07-01", "2025-06-30", 400, "2025-05-31"),
        # E: renewal_date before the end, renewed with a gap-free new contract.
        ("E1", "E", "2024-10-15", "2025-10-14", 80, "2025-09-14"),
        ("E2", "E", "2025-10-15", "2026-10-14", 90, None),
        # F: upcoming (due after the as-of), and one whose outcome month has not ended yet.
        ("F1", "F", "2025-08-01", "2026-07-31", 500, None),
        ("G1", "G", "2025-06-10", "2026-06-09", 60, None),
        ("G2", "G", "2026-06-10", "2027-06-09", 60, None),
    ]
    frame = pd.DataFrame(rows, columns=["contract_id", "account_id", "start_date", "end_date", "mrr", "renewal_date"])
    for column in ("start_date", "end_date", "renewal_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def reference(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The renewal relation computed independently: loops over renewals, MRR from the contracts."""
    c = frame.copy()
    c["due"] = c["renewal_date"].fillna(c["end_date"])
    c = c[c["due"].notna() & (c["start_date"] <= D(as_of))]
    firsts = c.groupby("account_id")["due"].min()
    out = []
    for (account, due), group in c.groupby(["account_id", "due"]):
        service_end = max(due, group["end_date"].fillna(due).max())
        outcome_month = (service_end + pd.offsets.MonthBegin(1)).normalize()
        month_end = outcome_month + pd.offsets.MonthEnd(0)
        known = month_end.date() <= as_of
        mine = frame[frame["account_id"] == account]
        running = (mine["start_date"] <= month_end) & (mine["end_date"].fillna(D("2100-01-01")) >= month_end)
        account_mrr = mine.loc[running, "mrr"].sum()
        mine_due = mine["renewal_date"].fillna(mine["end_date"])
        other = mine[(mine["start_date"] <= due) & (mine_due != due)
                     & (mine["end_date"].fillna(D("2100-01-01")) >= month_end)]
        renewal_mrr = max(account_mrr - other["mrr"].sum(), 0.0) if known else np.nan
        out.append({"account_id": account, "due_date": due.date(), "expiring_mrr": float(group["mrr"].sum()),
                    "first_year": due == firsts[account], "outcome_known": known, "renewal_mrr": renewal_mrr})
    return pd.DataFrame(out).sort_values(["due_date", "account_id"]).reset_index(drop=True)


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "renewals.duckdb"
    accounts = pd.DataFrame({"account_id": list("ABCDEFG"), "account_name": [f"Acct {x}" for x in "ABCDEFG"],
                             "segment": ["SMB"] * 7, "csm_owner": ["Kim"] * 7})
    yield build_workspace(path, accounts=accounts, contracts=contracts())
    close_workspace(path)


def test_renewals_match_the_reference(ws):
    got = renewals(ws, AS_OF)
    want = reference(contracts(), AS_OF)
    assert got[["account_id", "due_date"]].values.tolist() == want[["account_id", "due_date"]].values.tolist()
    assert got["expiring_mrr"].tolist() == pytest.approx(want["expiring_mrr"].tolist())
    assert got["first_year"].tolist() == want["first_year"].tolist()
    assert got["outcome_known"].tolist() == want["outcome_known"].tolist()
    np.testing.assert_allclose(got["renewal_mrr"].to_numpy(dtype=float), want["renewal_mrr"].to_numpy(dtype=float))


def test_hand_checked_cases(ws):
    got = renewals(ws, AS_OF).set_index(["account_id", "due_date"])
    # C: platform and add-on due together (350 expiring); renewed at 200; the open product (70) is not renewal.
    c = got.loc[("C", dt.date(2025, 4, 30))]
    assert c["expiring_mrr"] == 350 and c["renewal_mrr"] == 200 and bool(c["renewed"])
    # D: due at its renewal_date, judged after the end: lost although the month after the due date was paid.
    d = got.loc[("D", dt.date(2025, 5, 31))]
    assert not bool(d["renewed"]) and d["first_year"]
    # E: due at its renewal_date, renewed.
    assert bool(got.loc[("E", dt.date(2025, 9, 14)), "renewed"])
    # A's second renewal is a later (not first-year) renewal with expansion.
    a2 = got.loc[("A", dt.date(2025, 12, 31))]
    assert not a2["first_year"] and a2["renewal_mrr"] == 150
    # G's renewal (due 2026-06-09) waits for July to end.
    assert not got.loc[("G", dt.date(2026, 6, 9)), "outcome_known"]


def test_rates_and_history_match_the_reference(ws):
    got = renewals(ws, AS_OF)
    want = reference(contracts(), AS_OF)
    known = want[want["outcome_known"]]
    for first_year in (True, False):
        part = known[known["first_year"] == first_year]
        r = rates(got[got["first_year"] == first_year])
        capped = np.minimum(part["renewal_mrr"], part["expiring_mrr"]).sum()
        assert r["due"] == len(part)
        assert r["gross_rate"] == pytest.approx(capped / part["expiring_mrr"].sum())
        assert r["net_rate"] == pytest.approx(part["renewal_mrr"].sum() / part["expiring_mrr"].sum())
        assert r["renewed"] == int((part["renewal_mrr"] > 0).sum())
    table = history(got)
    quarters = known.assign(q=[f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in known["due_date"]])
    for row in table.itertuples():
        part = quarters[(quarters["q"] == row.quarter) & (quarters["first_year"] == row.first_year)]
        assert row.due == len(part)
        assert row.net_rate == pytest.approx(part["renewal_mrr"].sum() / part["expiring_mrr"].sum())
    assert table["due"].sum() == len(known)
    assert table.loc[table["quarter"] == "2025-Q2", "first_year"].tolist() == [True]


def test_upcoming_window(ws):
    got = renewals(ws, AS_OF)
    assert upcoming_renewals(got, AS_OF, 30).empty  # F is due 31 days after the as-of
    assert upcoming_renewals(got, AS_OF, 31)["account_id"].tolist() == ["F"]
    assert upcoming_renewals(got, AS_OF, 180)["account_id"].tolist() == ["F", "E"]


def test_a_renewal_date_before_the_start_is_quarantined(tmp_workspace):
    from cs_analytics.ingest.load import ingest_dataframe

    frame = pd.DataFrame({"account_id": ["X", "Y"], "start_date": ["2025-01-01", "2025-01-01"],
                          "end_date": ["2025-12-31", "2025-12-31"], "mrr": [10, 20],
                          "renewal_date": ["2024-12-01", "2025-12-01"]})
    ingest_dataframe(tmp_workspace, "contracts", frame, file_name="c.csv", mode="replace", user="t")
    stored = tmp_workspace.query("SELECT account_id, renewal_date FROM contracts")
    assert stored["account_id"].tolist() == ["Y"]
    reasons = tmp_workspace.query("SELECT column_name, reason FROM quarantine")
    assert reasons["column_name"].tolist() == ["renewal_date"]
    assert "before start_date" in reasons["reason"].iloc[0]


def test_a_model_that_cannot_be_fitted_is_an_empty_state_not_a_crash():
    """sklearn refusing the data (here an infinite score) gives `problem`, as too few renewals do."""
    from cs_analytics.renewals.likelihood import fit_model

    n = 60
    rows = pd.DataFrame({
        "account_id": [f"A{i}" for i in range(n)], "due_date": pd.Timestamp("2025-01-31"),
        "renewed": [i % 3 != 0 for i in range(n)], "segment": "smb", "first_year": False,
        "score": [np.inf] + [50.0] * (n - 1), "band": "green", "horizon_days": 90,
    })
    model = fit_model(rows)
    assert model.estimator is None
    assert model.problem.startswith("The renewal likelihood could not be estimated")
