"""The demo's churn list (the `outcomes` table): one row per account that ever churned, dated at
its first churn, with a reason a CS team would record.

Contracts decide every churn date (metrics.md, Outcomes); the list only adds the reason, so loading
it changes no number and gives the churn-reason breakdowns (Health backtest, Revenue churn
drill-down) something to show. Reasons follow what was planted: green-but-failing accounts left for
business reasons, onboarding failures for low value realised; other churns draw from a fixed mix.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cs_analytics.demo import model

PLANTED_REASONS = {
    model.GREEN_BUT_FAILING: ("business_decline", "champion_left", "budget_cut"),
    model.ONBOARDING_FAILURE: ("low_value_realised",),
}
OTHER_REASONS = ("budget_cut", "competitor", "product_gap", "low_value_realised", "champion_left",
                 "reorg_or_acquisition", "other")
OTHER_WEIGHTS = (0.24, 0.2, 0.16, 0.16, 0.1, 0.06, 0.08)
NOTES = {
    "business_decline": "Their own business shrank; no budget for tools.",
    "champion_left": "Our sponsor left and nobody picked it up.",
    "budget_cut": "Cut in the annual budget review.",
    "low_value_realised": "Never got past the first reports.",
    "competitor": "Moved to a competitor at renewal.",
    "product_gap": "Needed an integration we do not have.",
    "reorg_or_acquisition": "Acquired; the parent has its own tool.",
    "other": "",
}


def churn_list(rng: np.random.Generator, truth: pd.DataFrame) -> pd.DataFrame:
    """account_id, churned, churned_at, reason, note for every account of demo_truth that ever churned."""
    churned = truth[truth["ever_churned"]].sort_values("account_id")
    reasons = [_reason(rng, case) for case in churned["planted_case"]]
    return pd.DataFrame({
        "account_id": churned["account_id"].to_numpy(),
        "churned": True,
        "churned_at": pd.to_datetime(churned["first_churn_date"]).dt.date.to_numpy(),
        "reason": reasons,
        "note": [NOTES[r] for r in reasons],
    })


def _reason(rng: np.random.Generator, planted_case) -> str:
    choices = PLANTED_REASONS.get(planted_case)
    if choices:
        return str(choices[rng.integers(len(choices))])
    return str(rng.choice(OTHER_REASONS, p=OTHER_WEIGHTS))
