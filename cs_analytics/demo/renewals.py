"""The demo's renewals: renewal dates on some term contracts, and CSM renewal calls.

Both use their own random streams (seed, 12) and (seed, 13), so every other demo number is
unchanged.

- Renewal dates: of the terms (an account's contracts ending on the same day) lasting at least
  TERM_MIN_DAYS, RENEWAL_DATE_SHARE carry renewal_date = end - RENEWAL_NOTICE_DAYS.
- Calls: on renewals due in (as_of - PAST_CALL_DAYS, as_of + UPCOMING_CALL_DAYS], the account's
  CSM makes a call with probability CALL_SHARE. The CSM knows the customer: the call reads the
  latent success (model.renewal_churn_probability at the call day, with noise): renewal chance
  >= 0.85 good, < 0.6 at risk, else monitor. Past calls are made CALL_LEAD_DAYS before the due
  date; calls on upcoming renewals in the 20 days before the as-of.
- Planted disagreements (docs/demo.md): every live green-but-failing account with an upcoming
  renewal is called at_risk (its metrics still look healthy, so the model rates it likely), and
  every red-but-fine account with an upcoming renewal is called good (its metrics look poor).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cs_analytics.demo import model
from cs_analytics.demo.model import AS_OF, Account

TERM_MIN_DAYS = 360
RENEWAL_DATE_SHARE = 0.3
RENEWAL_NOTICE_DAYS = 30
PAST_CALL_DAYS = 240
UPCOMING_CALL_DAYS = 180
CALL_SHARE = 0.6
CALL_LEAD_DAYS = 45
CALL_COLUMNS = ["account_id", "due_date", "call", "note", "user_name", "created_at"]
NOTES = {"good": "Sponsor engaged, renewal on track.", "monitor": "Some open questions before renewal.",
         "at_risk": "Budget and adoption concerns raised by the customer."}


def with_renewal_dates(rng: np.random.Generator, contracts: pd.DataFrame) -> pd.DataFrame:
    """contracts plus renewal_date for RENEWAL_DATE_SHARE of the long terms (see module doc)."""
    out = contracts.copy()
    out["renewal_date"] = pd.NaT
    ended = out[out["end_date"].notna()]
    terms = ended.groupby(["account_id", "end_date"])["start_date"].min().reset_index()
    terms = terms[(terms["end_date"] - terms["start_date"]).dt.days >= TERM_MIN_DAYS]
    chosen = terms[rng.random(len(terms)) < RENEWAL_DATE_SHARE]
    keys = set(zip(chosen["account_id"], chosen["end_date"]))
    marked = [(a, e) in keys for a, e in zip(out["account_id"], out["end_date"])]
    out.loc[marked, "renewal_date"] = out.loc[marked, "end_date"] - pd.Timedelta(days=RENEWAL_NOTICE_DAYS)
    late_start = out["renewal_date"] < out["start_date"]
    out.loc[late_start, "renewal_date"] = pd.NaT
    return out


def due_renewals(contracts: pd.DataFrame) -> pd.DataFrame:
    """(account_id, due_date) of every renewal: renewal_date, else end_date."""
    due = contracts["renewal_date"].fillna(contracts["end_date"])
    return (pd.DataFrame({"account_id": contracts["account_id"], "due_date": due})
            .dropna().drop_duplicates().sort_values(["account_id", "due_date"]).reset_index(drop=True))


def csm_call(rng: np.random.Generator, a: Account, day: dt.date) -> str:
    """The CSM's call from the latent success on `day`, with noise."""
    chance = 1.0 - model.renewal_churn_probability(a, model.day_of(min(day, AS_OF)))
    logit = np.log(chance / (1 - chance)) + rng.normal(0, 0.5)
    chance = 1 / (1 + np.exp(-logit))
    return "good" if chance >= 0.85 else ("at_risk" if chance < 0.6 else "monitor")


def planted_call(a: Account) -> str | None:
    """The planted call of an account with an upcoming renewal (module doc), or None."""
    if a.case == model.GREEN_BUT_FAILING and a.gbf_live:
        return "at_risk"
    if a.case == model.RED_BUT_FINE:
        return "good"
    return None


def renewal_calls(rng: np.random.Generator, book: list[Account], contracts: pd.DataFrame,
                  csm_of: dict[str, str]) -> pd.DataFrame:
    """The demo's CSM calls (CALL_COLUMNS), see the module doc."""
    by_id = {a.account_id: a for a in book}
    as_of = pd.Timestamp(AS_OF)
    rows = []
    for account_id, due in due_renewals(contracts).itertuples(index=False):
        if not as_of - pd.Timedelta(days=PAST_CALL_DAYS) < due <= as_of + pd.Timedelta(days=UPCOMING_CALL_DAYS):
            continue
        a, upcoming = by_id[account_id], due > as_of
        planted = planted_call(a) if upcoming else None
        covered = rng.random() < CALL_SHARE
        if not (planted or covered):
            continue
        if upcoming:
            made = as_of - pd.Timedelta(days=int(rng.integers(1, 21))) + pd.Timedelta(hours=10)
        else:
            made = due - pd.Timedelta(days=CALL_LEAD_DAYS) + pd.Timedelta(hours=10)
        call = planted or csm_call(rng, a, made.date())
        rows.append((account_id, due.date(), call, NOTES[call], csm_of[account_id], made.to_pydatetime()))
    return pd.DataFrame(rows, columns=CALL_COLUMNS)


def write_calls(ws, calls: pd.DataFrame) -> None:
    """Replace the demo's calls (source 'demo') in renewal_calls; calls from the app stay."""
    cols = ", ".join(CALL_COLUMNS)
    with ws.transaction() as cur:
        cur.execute("DELETE FROM renewal_calls WHERE source = 'demo'")
        cur.register("_demo_calls", calls[CALL_COLUMNS])
        cur.execute(f"INSERT INTO renewal_calls ({cols}, source) SELECT {cols}, 'demo' FROM _demo_calls "
                    "ORDER BY created_at, account_id")
        cur.unregister("_demo_calls")
