"""The Renewals page: upcoming renewals, likelihood and calls, forecast, history, track record.

Every figure comes from `cs_analytics.renewals.report.renewals_report` (the CLI's `renewals`
uses the same), so the page only lays out `RenewalsView`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.renewals.calls import call_history, disagreement_rule
from cs_analytics.renewals.report import RenewalsReport, renewals_report

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

SEED_CLAIM = "Customers with good retention indicators renew almost always."
LIST_COLUMNS = ["account_id", "account_name", "csm_owner", "due_date", "expiring_mrr", "band",
                "override_label", "likelihood", "mrr_at_risk", "call", "call_note", "call_by", "first_year"]
DEFINITION = (
    "A renewal is due at a contract's renewal date, else its end date; expiring MRR is the MRR of the "
    "account's contracts due that day. **Renewed**: the account still pays for it at the end of the "
    "month after the due date (after the contract's end, when the renewal date comes first). **Gross "
    "renewal rate** = renewed MRR capped at the expiring MRR / expiring MRR; **net** = MRR of the "
    "renewing accounts the month after / expiring MRR. First-year renewals (an account's first due "
    "date) are reported apart. **Likelihood to renew**: a model fitted on past renewals (score, band "
    "and measure scores before the due date, first-year flag, segment, horizon to the due date), "
    "calibrated. **MRR at risk** = (1 - likelihood) x expiring MRR. " + disagreement_rule()
)


@dataclass(frozen=True)
class RenewalsView:
    """What the Renewals page shows at one as-of and filter (report: renewals.report; calls: the
    append-only call history of the filtered accounts, newest first)."""

    report: RenewalsReport
    calls: pd.DataFrame

    def upcoming(self, within_days: int) -> pd.DataFrame:
        """The upcoming list (LIST_COLUMNS) within `within_days`, largest MRR at risk first, MRR at
        risk in whole units."""
        return shown_list(self.report.within(within_days))

    @property
    def disagreements(self) -> pd.DataFrame:
        return shown_list(self.report.disagreements)

    def call_choices(self) -> dict[tuple[str, dt.date], str]:
        """{(account_id, due_date): label} of every upcoming renewal, soonest first."""
        frame = self.report.upcoming_all.sort_values(["due_date", "account_id"])
        return {(a, d): f"{n or a} ({a}) · due {d:%Y-%m-%d}"
                for a, d, n in zip(frame["account_id"], frame["due_date"], frame["account_name"])}

    def seed_claim_sentence(self) -> str:
        """The seed claim beside the measured renewal rate of accounts green 90 days before."""
        green = self.report.by_band[self.report.by_band["band_before"] == "green"]
        if green.empty or not int(green["due"].iloc[0]):
            return f"Seed claim: \"{SEED_CLAIM}\" Not measurable yet: no past renewal of a green account."
        row = green.iloc[0]
        holds = row["logo_rate"] >= self.report.target_rate
        verdict = ("it holds here" if holds else
                   f"it does not hold here: below the {self.report.target_rate:.0%} target")
        return (f"Seed claim: \"{SEED_CLAIM}\" Measured here: {row['logo_rate']:.0%} of the "
                f"{int(row['due'])} renewals of accounts green 90 days before the due date renewed "
                f"({int(row['renewed'])}), gross renewal rate {row['gross_rate']:.0%}; {verdict}.")

    def track_sentence(self) -> str:
        """Brier scores of calls and model on past renewals, with counts."""
        t = self.report.calls_track
        if not t["calls_scored"]:
            return "No call has been scored yet: calls are scored once their renewal's outcome is known."
        probabilities = ", ".join(f"{k.replace('_', ' ')} = {v:.0%}" for k, v in t["call_probabilities"].items())
        text = (f"Brier score of {t['calls_scored']} CSM calls on past renewals: {t['brier_calls']:.3f} "
                f"(calls read as {probabilities}; lower is better, 0.25 is a coin toss).")
        if t["paired"]:
            text += (f" On the {t['paired']} of them the model also predicted out of sample: calls "
                     f"{t['brier_calls_paired']:.3f}, model {t['brier_model_paired']:.3f}.")
        return text


def shown_list(frame: pd.DataFrame) -> pd.DataFrame:
    """LIST_COLUMNS of upcoming renewals as the page lists them (MRR at risk rounded)."""
    return frame[LIST_COLUMNS].assign(mrr_at_risk=lambda f: f["mrr_at_risk"].astype(float).round(0))


def renewals_view(ws: "Workspace", account_filter: AccountFilter = NO_FILTER, as_of=None) -> RenewalsView:
    """Everything the Renewals page shows (as_of None: the as-of in force, calls up to now)."""
    history = keep_filtered(ws, call_history(ws), account_filter)
    history = history.sort_values(["created_at", "call_id"], ascending=False).reset_index(drop=True)
    return RenewalsView(report=renewals_report(ws, as_of, account_filter),
                        calls=history[["account_id", "due_date", "call", "note", "user_name", "created_at"]])


WINDOWS_DAYS = config.RENEWAL_WINDOWS_DAYS
