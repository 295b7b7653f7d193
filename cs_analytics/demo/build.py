"""The deterministic demo data set: a SaaS customer base with the cases the product exists to find.

`generate_demo_frames(accounts=1200, seed=7)` returns canonical frames (accounts, contracts,
usage, assessments, nps) plus `demo_truth`; `write_demo(ws, ...)` loads them through the same
ingest path as a user's files (`cs_analytics.ingest.load.ingest_dataframe`, replace mode), rebuilds
the derived tables and replaces the `demo_truth` table (migration 007). The same seed always
gives the same data (numpy Generator); as_of is fixed at 2026-10-31 (36 months from November
2023).

The story
---------
- Segments: SMB 55% (80% monthly open-ended subscriptions, 20% annual), Mid-Market 30% (12 or
  24-month terms), Enterprise 15% (12/24/36-month terms). 12 CSMs own segment books (3
  Enterprise, 4 Mid-Market, 5 SMB). 22% of accounts start in November 2023, the rest arrive
  over the 36 months at a slowly rising pace.
- Each account has a latent "true success" s per month: AR(1) around its own level
  (s' = 0.85 s + 0.15 mu + noise). Churn is driven by s: an annual term is not renewed with
  probability sigmoid(b_segment - 1.5 s) (b = -1.4 SMB, -2.0 Mid-Market, -2.5 Enterprise); a
  monthly subscription is cancelled at each anniversary with probability sigmoid(-3.9 - 1.3 s).
  Renewals expand (+10-45%) when s is high and contract (-10-35%) when low; monthly plans
  upgrade or downgrade; some Mid-Market/Enterprise terms get a mid-term add-on contract. 15% of
  churned SMB (6% Mid-Market, 3% Enterprise) come back 2-9 months later (reactivation).
- Usage reflects s with noise: each user is active on a day with probability
  p_user * exp(0.5 s) (weekends x0.12, weekly noise, account-level habits independent of s), so
  usage carries real but imperfect signal about churn.
- Amounts are MRR in one currency (USD; no currency column is written).
- A contract renewal is a new contract row starting the day after the previous end; monthly
  subscriptions are open-ended (end_date empty) until cancelled.

Planted cases (demo_truth.planted_case; one per account at most)
-----------------------------------------------------------------
1. green_but_failing (6.5% of accounts, Mid-Market/Enterprise with annual terms): usage is
   healthy (+30% seats, frequent use, breadth 0.8-1.0, high success before the failure) and
   stays so, but the customer's business fails (true success drops by 2.5). From the onset
   (100-160 days before the renewal that decides, or 60-110 days before as_of for live ones) the
   CSM assesses about monthly, red (70%) or yellow, reason business_decline / champion_left /
   budget_cut (the first call after the onset is yellow half the time, every later one red),
   with one assessment 10-40 days before the decision (or as_of). 80% churn at that
   renewal; the rest renew 20-40% smaller. About 40% are live (customers at as_of, renewal after
   as_of, latest assessment within 120 days of as_of); the rest are historical.
2. red_but_fine (4%): 1-3 seats, rare (1.5-3% of weekdays per user) narrow usage, but true
   success high; the CSM assesses
   every ~75 days and always says green; they renew (2% churn chance per renewal).
3. spike (3%, ~30 contract ends, Mid-Market/Enterprise with 40+ seats and steady success): in
   the 60 days up to a contract end E (E at least 300 days after the start and 60+ days before
   as_of) users are active 3x as often and do 1.5x more per day; the account renews at E and
   usage in the 60 days after E is 0.8x normal.
4. onboarding_failure (10%): usage in the first 90 days is 8% of normal and true success drops
   by 2.0 from day 90; these churn far more than activated accounts.
Onboarding signal (demo/onboarding.py, own stream [seed, 21], applied to the usage afterwards):
reports in the first 30 days since the start month follow 12-month retention (docs/demo.md).

Thresholds asserted (tests/demo/test_demo_frames.py, seed 7, 1,200 accounts; details in docs/demo.md):
green_but_failing 5-8% of accounts with >= 25 live and >= 25 historical; >= 75% usage-healthy
(30-day active users and active days both >= the 60th percentile of customers) at as_of (live) or
30 days before the decision (historical); latest assessment before as_of/decision red or yellow,
failing reason, <= 120 days old; historical churn at the decision >= 0.6 and >= 2x the 180-day
churn rate of other usage-healthy customers at quarterly snapshots. red_but_fine >= 30 accounts,
ever-churned <= 10%, >= 80% of live ones at or below the 25th percentile of 30-day active users,
latest assessment green. spike 20-40, every planted end has ratio_before >= 2 and ratio_after
< 1.2 and renews; unplanted renewals with full service history meeting both <= 25% of planted.
onboarding_failure >= 80; median active days in the first 90 days <= 0.3x activated accounts';
ever-churned rate (accounts started >= 365 days before as_of) >= 2x activated. MRR at as_of >=
2x the first month; GRR(12m) in [0.82, 0.95] and NRR(12m) in [0.90, 1.12] in each of the last 12
months; usage rows 1.0-1.5M.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import numpy as np
import pandas as pd

from cs_analytics.core.tables import TABLE_NAMES
from cs_analytics.demo import model
from cs_analytics.demo.model import AS_OF, Account
from cs_analytics.demo.outcomes import churn_list
from cs_analytics.demo.onboarding import plant_onboarding_signal
from cs_analytics.demo.renewals import renewal_calls, with_renewal_dates, write_calls
from cs_analytics.demo.signals import generate_assessments, generate_nps
from cs_analytics.demo.usage import generate_usage

DEFAULT_ACCOUNTS = 1200
DEFAULT_SEED = 7
TRUTH_COLUMNS = ["account_id", "segment", "true_success_final", "planted_case", "churned",
                 "ever_churned", "first_churn_date", "reactivated", "activated",
                 "spike_contract_end", "gbf_live", "gbf_onset_date", "gbf_decision_date"]

Progress = Callable[[float, str], None]


def simulate(accounts: int = DEFAULT_ACCOUNTS, seed: int = DEFAULT_SEED) -> list[Account]:
    """The simulated accounts (attributes, latent success, contracts), deterministic in seed."""
    if accounts < 10:
        raise ValueError("The demo needs at least 10 accounts.")
    rng = np.random.default_rng(seed)
    book = model.make_accounts(rng, accounts)
    for a in book:
        model.simulate_success(rng, a)
        model.simulate_contracts(rng, a)
        model.finalise_gbf(rng, a)
    return book


def generate_demo_frames(accounts: int = DEFAULT_ACCOUNTS, seed: int = DEFAULT_SEED,
                         as_of: dt.date = AS_OF) -> dict[str, pd.DataFrame]:
    """Canonical frames accounts, contracts, usage, assessments, nps, outcomes (the churn list,
    demo/outcomes.py), plus demo_truth and renewal_calls.

    The as_of is fixed (2026-10-31); any other value is refused, so numbers stay stable.
    """
    if as_of != AS_OF:
        raise ValueError(f"The demo's as_of is fixed at {AS_OF.isoformat()}.")
    book = simulate(accounts, seed)
    rng = np.random.default_rng([seed, 1])
    accounts_frame = accounts_table(rng, book)
    csm_of = dict(zip(accounts_frame["account_id"], accounts_frame["csm_owner"]))
    frames = {
        "accounts": accounts_frame,
        "contracts": contracts_table(book),
        "usage": generate_usage(np.random.default_rng([seed, 2]), book),
        "assessments": generate_assessments(np.random.default_rng([seed, 3]), book, csm_of),
        "nps": generate_nps(np.random.default_rng([seed, 4]), book),
        "demo_truth": truth_table(book),
    }
    frames["usage"] = plant_onboarding_signal(np.random.default_rng([seed, 21]), frames["usage"], book)
    _pin_as_of(frames["usage"], book)
    frames["contracts"] = with_renewal_dates(np.random.default_rng([seed, 12]), frames["contracts"])
    frames["outcomes"] = churn_list(np.random.default_rng([seed, 14]), frames["demo_truth"])
    frames["renewal_calls"] = renewal_calls(np.random.default_rng([seed, 13]), book, frames["contracts"], csm_of)
    return frames


def _pin_as_of(usage: pd.DataFrame, book: list[Account]) -> None:
    """Make sure the data's as_of is AS_OF: at least one usage row on that day."""
    if (usage["event_date"] == pd.Timestamp(AS_OF)).any():
        return
    live = [a for a in book if a.live_spans and a.live_spans[-1][1] >= model.day_of(AS_OF)]
    a = live[0] if live else book[0]
    usage.loc[len(usage)] = [a.account_id, pd.Timestamp(AS_OF), "login", 1.0,
                             a.account_id.replace("ACC", "u") + "-000"]


def accounts_table(rng: np.random.Generator, book: list[Account]) -> pd.DataFrame:
    names, seen = [], set()
    for a in book:
        while True:
            name = (f"{model.NAME_FIRST[rng.integers(len(model.NAME_FIRST))]} "
                    f"{model.NAME_SECOND[rng.integers(len(model.NAME_SECOND))]} "
                    f"{model.NAME_SUFFIX[rng.integers(len(model.NAME_SUFFIX))]}")
            if name not in seen:
                break
        seen.add(name)
        names.append(name)
    rows = []
    for a, name in zip(book, names):
        csms = model.CSM_BOOKS[a.segment]
        plans = model.PLANS[a.segment]
        plan = plans[rng.choice(len(plans), p=[p for _, p in plans])][0]
        region = model.REGIONS[rng.choice(len(model.REGIONS), p=[p for _, p in model.REGIONS])][0]
        rows.append((a.account_id, name, a.segment, csms[rng.integers(len(csms))], plan,
                     model.INDUSTRIES[rng.integers(len(model.INDUSTRIES))], region,
                     model.date_of(a.start_day - int(rng.integers(0, 30)))))
    frame = pd.DataFrame(rows, columns=["account_id", "account_name", "segment", "csm_owner",
                                        "plan", "industry", "region", "created_at"])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


def contracts_table(book: list[Account]) -> pd.DataFrame:
    rows = [(cid, a.account_id, model.date_of(start), None if end is None else model.date_of(end),
             mrr, product)
            for a in book for cid, start, end, mrr, product in a.contracts]
    frame = pd.DataFrame(rows, columns=["contract_id", "account_id", "start_date", "end_date",
                                        "mrr", "product"])
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame.sort_values(["account_id", "start_date", "contract_id"]).reset_index(drop=True)


def truth_table(book: list[Account]) -> pd.DataFrame:
    as_of_day = model.day_of(AS_OF)

    def date_or_none(day):
        return None if day is None else model.date_of(day)

    rows = []
    for a in book:
        last_live = a.live_spans[-1][1] if a.live_spans else -1
        s = a.s_true[~np.isnan(a.s_true)]
        rows.append((a.account_id, a.segment, round(float(s[-1]), 4) if s.size else None, a.case,
                     last_live < as_of_day, bool(a.churn_days),
                     date_or_none(a.churn_days[0] + 1) if a.churn_days else None,
                     len(a.live_spans) > 1, a.activated,
                     date_or_none(a.spike_end_day) if a.case == model.SPIKE else None,
                     a.case == model.GREEN_BUT_FAILING and a.gbf_live,
                     date_or_none(a.gbf_onset_day) if a.case == model.GREEN_BUT_FAILING else None,
                     date_or_none(a.gbf_decision_day) if a.case == model.GREEN_BUT_FAILING else None))
    frame = pd.DataFrame(rows, columns=TRUTH_COLUMNS)
    for col in ("first_churn_date", "spike_contract_end", "gbf_onset_date", "gbf_decision_date"):
        frame[col] = pd.to_datetime(frame[col])
    frame["planted_case"] = frame["planted_case"].astype(object).where(frame["planted_case"].notna(), None)
    return frame


def planted_counts(truth: pd.DataFrame) -> dict[str, int]:
    counts = truth["planted_case"].value_counts().to_dict()
    gbf = truth["planted_case"] == model.GREEN_BUT_FAILING
    return {
        model.GREEN_BUT_FAILING: int(counts.get(model.GREEN_BUT_FAILING, 0)),
        "green_but_failing_live": int((gbf & truth["gbf_live"]).sum()),
        "green_but_failing_historical": int((gbf & ~truth["gbf_live"]).sum()),
        model.RED_BUT_FINE: int(counts.get(model.RED_BUT_FINE, 0)),
        model.SPIKE: int(counts.get(model.SPIKE, 0)),
        model.ONBOARDING_FAILURE: int(counts.get(model.ONBOARDING_FAILURE, 0)),
    }


def write_demo(ws, accounts: int = DEFAULT_ACCOUNTS, seed: int = DEFAULT_SEED,
               progress: Progress | None = None) -> dict:
    """Generate the demo and load it into `ws` through the ingest path (replace mode).

    Returns a summary: rows per table, as_of, planted counts, quarantined rows (always 0; a
    quarantined demo row raises RuntimeError), seed and accounts.
    """
    from cs_analytics.core.derived import rebuild_workspace
    from cs_analytics.ingest.load import ingest_dataframe

    report = progress or (lambda fraction, message: None)
    report(0.0, "generating the demo data")
    frames = generate_demo_frames(accounts, seed)
    rows, quarantined = {}, {}
    for i, table in enumerate(TABLE_NAMES):
        report(0.3 + 0.1 * i, f"loading {table}")
        result = ingest_dataframe(ws, table, frames[table], file_name=f"demo/{table}.csv",
                                  mode="replace", user="demo", rebuild_derived=False)
        quarantined[table] = _quarantined_count(result)
        rows[table] = ws.row_count(table)
    if any(quarantined.values()):
        raise RuntimeError(f"The demo data had quarantined rows: {quarantined}")
    report(0.9, "replacing demo_truth")
    write_truth(ws, frames["demo_truth"])
    write_calls(ws, frames["renewal_calls"])
    report(0.92, "rebuilding derived tables")
    as_of = rebuild_workspace(ws)
    rows["demo_truth"] = ws.row_count("demo_truth")
    rows["renewal_calls"] = len(frames["renewal_calls"])
    report(1.0, "done")
    return {
        "accounts": accounts,
        "seed": seed,
        "as_of": as_of.isoformat() if as_of else None,
        "rows": rows,
        "quarantined": quarantined,
        "planted": planted_counts(frames["demo_truth"]),
    }


def _quarantined_count(result) -> int:
    """Quarantined rows from an ingest result (an object or a dict)."""
    for name in ("rows_quarantined", "quarantined"):
        value = result.get(name) if isinstance(result, dict) else getattr(result, name, None)
        if value is not None:
            return int(value if not hasattr(value, "__len__") else len(value))
    raise RuntimeError(f"Cannot read the quarantined count from the ingest result {result!r}")


def write_truth(ws, truth: pd.DataFrame) -> None:
    """Replace the demo_truth table's rows with `truth`."""
    cols = ", ".join(TRUTH_COLUMNS)
    with ws.transaction() as cur:
        cur.execute("DELETE FROM demo_truth")
        cur.register("_demo_truth_frame", truth[TRUTH_COLUMNS])
        cur.execute(f"INSERT INTO demo_truth ({cols}) SELECT {cols} FROM _demo_truth_frame")
        cur.unregister("_demo_truth_frame")
