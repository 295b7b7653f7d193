"""What people say about the demo accounts: CSM assessments and quarterly NPS responses.

CSMs see the latent (true) success through noise: sentiment = green when s + N(0, 0.6) > 0.2,
yellow when > -0.7, red otherwise. Cadence: Enterprise about monthly, Mid-Market about
quarterly, a quarter of SMB accounts about twice a year. Planted accounts get their own story
(see cs_analytics/demo.py). NPS: 45% of accounts answer the quarterly survey (January, April,
July, October) with probability 0.55 each time; score = round(7.2 + 1.4 s + N(0, 1.3)) in 0-10.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cs_analytics.demo.model import (AS_OF, GREEN_BUT_FAILING, N_MONTHS, RED_BUT_FINE, START,
                                     Account, date_of, day_of, month_index)

RISK_REASONS = (("low_value_realised", 0.25), ("product_gap", 0.2), ("competitor", 0.15),
                ("champion_left", 0.1), ("budget_cut", 0.1), ("reorg_or_acquisition", 0.08),
                ("business_decline", 0.07), ("other", 0.05))
FAILING_REASONS = (("business_decline", 0.45), ("champion_left", 0.25), ("budget_cut", 0.3))
NOTES = {
    "green": ("QBR went well; exec sponsor engaged.", "Healthy adoption, expansion conversation open.",
              "Regular check-in, no concerns.", "Happy with support and roadmap."),
    "business_decline": ("Their revenue is down sharply; layoffs announced.",
                         "Customer's own business is shrinking; renewal at risk despite usage."),
    "champion_left": ("Our champion left the company; new lead is unknown to us.",
                      "Sponsor moved on; nobody owns the renewal."),
    "budget_cut": ("Procurement told us budgets are frozen for next year.",
                   "CFO asked every team to cut tools by 30%."),
    "low_value_realised": ("They do not see the value they expected.",),
    "product_gap": ("Missing SSO/SCIM features they need.", "Asked again for a feature we do not have."),
    "competitor": ("Evaluating a competitor at renewal.",),
    "reorg_or_acquisition": ("Being acquired; tooling will be consolidated.",),
    "other": ("See CRM notes.",),
}
NPS_COMMENTS = {
    "promoter": ("Great product, saves us hours.", "Support is excellent."),
    "passive": ("Does the job.", "Fine, a bit pricey."),
    "detractor": ("Too slow and missing features.", "Not worth the price for us."),
}
CSM_NOISE = 0.6
CADENCE_DAYS = {"Enterprise": (30, 7), "Mid-Market": (90, 20), "SMB": (180, 60)}


def _choice(rng: np.random.Generator, options) -> str:
    names = [o[0] for o in options]
    weights = np.array([o[1] for o in options])
    return str(names[rng.choice(len(names), p=weights / weights.sum())])


def _success(a: Account, day: int, usage_view: bool = False) -> float:
    path = a.s_usage if usage_view else a.s_true
    value = path[min(month_index(day), N_MONTHS - 1)]
    return float(a.mu if np.isnan(value) else value)


def _live(a: Account, day: int) -> bool:
    return any(first <= day <= last for first, last in a.live_spans)


def assessment_days(rng: np.random.Generator, a: Account) -> list[int]:
    """The days a CSM assesses the account (only while it is a customer)."""
    as_of_day = day_of(AS_OF)
    mean, spread = CADENCE_DAYS[a.segment]
    if a.case == RED_BUT_FINE:
        mean, spread = 75, 15
    elif a.segment == "SMB" and a.case != GREEN_BUT_FAILING and rng.random() >= 0.25:
        return []
    days, day = [], a.start_day + int(rng.integers(20, 60))
    while day <= as_of_day:
        if _live(a, day):
            days.append(day)
        step = mean
        if a.case == GREEN_BUT_FAILING and a.gbf_onset_day is not None and day >= a.gbf_onset_day - 30:
            step = 30
        day += max(7, int(rng.normal(step, spread)))
    if a.case == GREEN_BUT_FAILING and a.gbf_onset_day is not None:
        # At-risk accounts are assessed after the failure starts and shortly before the decision.
        end = min(a.gbf_decision_day or as_of_day, as_of_day)
        days += [a.gbf_onset_day + int(rng.integers(5, 20)), end - int(rng.integers(10, 40))]
        days = sorted(d for d in set(days) if d <= as_of_day and _live(a, d))
    return days


def assessment_rows(rng: np.random.Generator, a: Account, csm: str) -> list[tuple]:
    rows = []
    first_failing = True
    for day in assessment_days(rng, a):
        reason = None
        failing = (a.case == GREEN_BUT_FAILING and a.gbf_onset_day is not None
                   and a.gbf_onset_day <= day <= (a.gbf_decision_day or day))
        if failing:
            # Escalation: the first call after the onset may be yellow; every later one is red.
            sentiment = "yellow" if first_failing and rng.random() < 0.5 else "red"
            first_failing = False
            reason = _choice(rng, FAILING_REASONS)
        elif a.case == RED_BUT_FINE:
            sentiment = "green"
        else:
            perceived = _success(a, day) + rng.normal(0, CSM_NOISE)
            sentiment = "green" if perceived > 0.2 else ("yellow" if perceived > -0.7 else "red")
            if sentiment != "green":
                reason = _choice(rng, RISK_REASONS)
        notes = NOTES["green" if reason is None else reason]
        note = notes[int(rng.integers(len(notes)))] if rng.random() < 0.8 else None
        if a.case == RED_BUT_FINE and rng.random() < 0.5:
            note = "Small team, uses the monthly reports; very happy, renewing."
        rows.append((a.account_id, date_of(day), sentiment, csm, reason, note))
    return rows


def generate_assessments(rng: np.random.Generator, accounts: list[Account], csm_of: dict) -> pd.DataFrame:
    rows = [r for a in accounts for r in assessment_rows(rng, a, csm_of[a.account_id])]
    frame = pd.DataFrame(rows, columns=["account_id", "assessed_at", "sentiment", "csm", "reason", "note"])
    frame["assessed_at"] = pd.to_datetime(frame["assessed_at"])
    return frame.sort_values(["account_id", "assessed_at"], kind="stable").reset_index(drop=True)


def survey_days() -> list[int]:
    days = []
    for m in range(N_MONTHS):
        month = (START.month - 1 + m) % 12 + 1
        if month in (1, 4, 7, 10):
            year = START.year + (START.month - 1 + m) // 12
            days.append(day_of(START.replace(year=year, month=month, day=10)))
    return days


def generate_nps(rng: np.random.Generator, accounts: list[Account]) -> pd.DataFrame:
    rows = []
    surveys = survey_days()
    for a in accounts:
        if rng.random() >= 0.45:
            continue
        for survey in surveys:
            day = survey + int(rng.integers(0, 15))
            if day > day_of(AS_OF) or not _live(a, day) or rng.random() >= 0.55:
                continue
            # The people answering are users: for green-but-failing accounts they still like it.
            s = _success(a, day, usage_view=a.case == GREEN_BUT_FAILING)
            score = int(np.clip(round(7.2 + 1.4 * s + rng.normal(0, 1.3)), 0, 10))
            kind = "promoter" if score >= 9 else ("passive" if score >= 7 else "detractor")
            comment = NPS_COMMENTS[kind][int(rng.integers(2))] if rng.random() < 0.3 else None
            rows.append((a.account_id, date_of(day), score, comment))
    frame = pd.DataFrame(rows, columns=["account_id", "responded_at", "score", "comment"])
    frame["responded_at"] = pd.to_datetime(frame["responded_at"])
    return frame
