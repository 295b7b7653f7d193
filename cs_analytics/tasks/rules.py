"""The task rules (playbooks): each turns the workspace at an as-of date into tasks to raise.

Every rule returns `NewTask`s with the account's CSM as owner, a due date (`today + due_days`,
for a renewal no later than the renewal date) and a reason sentence, and a `rule_key`
"rule|account|subject" naming what the task is about, so the same subject never raises twice:

- band_drop          subject: the as-of month and the new band. The metric band at the as-of
                     date is at least `min_bands_dropped` below the band at the previous month-end
                     (green > yellow > red; "turned red" is a drop to red).
- green_but_failing  subject: the as-of month. Quadrant green_but_failing at the as-of date and
                     not at the previous month-end (reality.quadrants).
- flag_review        subject: the flag id. A current flag whose review-by date has passed.
- renewal_risk       subject: the renewal date. The next contract end_date lies within
                     (as_of, as_of + window_days] and the band is red (or yellow when
                     include_yellow), or the CSM's latest renewal call is at risk (`at_risk_calls`).
- pre_renewal_spike  subject: the contract end. A flagged spike (reality.spikes) with
                     ratio_before >= min_ratio whose contract ended within lookback_days of as_of.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd

from cs_analytics.core.dates import add_months, month_end
from cs_analytics.core.formatting import count_noun
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scoring import score_snapshots
from cs_analytics.reality.flags import flags_due_for_review
from cs_analytics.reality.quadrants import GREEN_BUT_FAILING, quadrants, renewal_dates
from cs_analytics.renewals.calls import calls_in_force
from cs_analytics.reality.spikes import activity_spikes
from cs_analytics.tasks.store import NewTask

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

BAND_RANK = {band: rank for rank, band in enumerate(reversed(BANDS))}  # red 0, yellow 1, green 2


def previous_month_end(as_of: dt.date) -> dt.date:
    """The last day of the month before as_of's month."""
    return month_end(add_months(as_of, -1))


def at_risk_calls(ws: "Workspace", as_of: dt.date, *, calls_up_to_now: bool = False) -> set[str]:
    """Accounts whose CSM renewal call in force on a renewal due after as_of is `at_risk`
    (renewals.calls: the newest call per renewal made on or before as_of, or up to now when
    `calls_up_to_now`, as the flags are read in the current view)."""
    calls = calls_in_force(ws, None if calls_up_to_now else as_of)
    calls = calls[calls["due_date"] > as_of]
    return set(calls.loc[calls["call"] == "at_risk", "account_id"])


@dataclass
class RuleContext:
    """What the rules read, computed once per run and only when a rule needs it."""

    ws: "Workspace"
    as_of: dt.date
    today: dt.date
    as_of_arg: Any = None  # None: the as-of in force, flags up to now (reality's current view)
    owners: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def previous(self) -> dt.date:
        return previous_month_end(self.as_of)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """as_of, account_id, score, band at the previous month-end and the as-of date."""
        frame = score_snapshots(self.ws, [self.previous, self.as_of])
        return frame[["as_of", "account_id", "score", "band"]]

    def scores_at(self, day: dt.date) -> pd.DataFrame:
        return self.scores[self.scores["as_of"] == day].drop(columns="as_of")

    def owner_of(self, account_id: str) -> str | None:
        value = self.owners.get(account_id)
        return value if isinstance(value, str) and value.strip() else None

    def task(self, rule: str, account_id: str, subject: str, title: str, reason: str,
             due_days: int, latest_due: dt.date | None = None) -> NewTask:
        due = self.today + dt.timedelta(days=int(due_days))
        if latest_due is not None:
            due = max(self.today, min(due, latest_due))
        return NewTask(rule, account_id, title, reason, self.owner_of(account_id), due,
                       rule_key=f"{rule}|{account_id}|{subject}")


def band_drop(ctx: RuleContext, config: dict) -> list[NewTask]:
    before = ctx.scores_at(ctx.previous).set_index("account_id")
    out = []
    for row in ctx.scores_at(ctx.as_of).itertuples():
        if row.account_id not in before.index or not isinstance(row.band, str):
            continue
        old = before.at[row.account_id, "band"]
        if not isinstance(old, str) or BAND_RANK[old] - BAND_RANK[row.band] < config["min_bands_dropped"]:
            continue
        title = "Turned red" if row.band == "red" else f"Dropped from {old} to {row.band}"
        reason = (f"Health band {old} on {ctx.previous:%Y-%m-%d} → {row.band} on {ctx.as_of:%Y-%m-%d} "
                  f"(score {before.at[row.account_id, 'score']:.0f} → {row.score:.0f}).")
        out.append(ctx.task("band_drop", row.account_id, f"{ctx.as_of:%Y-%m}:{row.band}", title, reason,
                            config["due_days"]))
    return out


def green_but_failing(ctx: RuleContext, config: dict) -> list[NewTask]:
    now = quadrants(ctx.ws, ctx.as_of_arg, scores=ctx.scores_at(ctx.as_of))
    before = quadrants(ctx.ws, ctx.previous, scores=ctx.scores_at(ctx.previous))
    was = set(before.loc[before["quadrant"] == GREEN_BUT_FAILING, "account_id"])
    out = []
    for row in now[now["quadrant"] == GREEN_BUT_FAILING].itertuples():
        if row.account_id in was:
            continue
        who = row.assessed_by if isinstance(row.assessed_by, str) else "the CSM"
        reason = (f"Metric band green (score {row.score:.0f}) but {who} says {row.csm_sentiment} "
                  f"({str(row.reason).replace('_', ' ')}); not so on {ctx.previous:%Y-%m-%d}.")
        out.append(ctx.task("green_but_failing", row.account_id, f"{ctx.as_of:%Y-%m}",
                            "Green but failing: the CSM says at risk", reason, config["due_days"]))
    return out


def flag_review(ctx: RuleContext, config: dict) -> list[NewTask]:
    due = flags_due_for_review(ctx.ws, ctx.today)
    return [ctx.task("flag_review", row.account_id, str(row.flag_id), "Flag past its review date",
                     f"Flagged {row.sentiment} by {row.user_name} on {row.created_at:%Y-%m-%d} "
                     f"({str(row.reason).replace('_', ' ')}); review by {row.review_by:%Y-%m-%d} has passed: "
                     "confirm or withdraw it.", config["due_days"])
            for row in due.itertuples()]


def renewal_risk(ctx: RuleContext, config: dict) -> list[NewTask]:
    risky = {"red", "yellow"} if config["include_yellow"] else {"red"}
    bands = ctx.scores_at(ctx.as_of).set_index("account_id")["band"]
    calls = at_risk_calls(ctx.ws, ctx.as_of, calls_up_to_now=ctx.as_of_arg is None)
    horizon = ctx.as_of + dt.timedelta(days=int(config["window_days"]))
    out = []
    for row in renewal_dates(ctx.ws, ctx.as_of).itertuples():
        if row.renewal_date > horizon:
            continue
        band = bands.get(row.account_id)
        why = []
        if band in risky:
            why.append(f"a {band} band")
        if row.account_id in calls:
            why.append("the CSM's renewal call at risk")
        if not why:
            continue
        days = (row.renewal_date - ctx.as_of).days
        reason = (f"Renewal due on {row.renewal_date:%Y-%m-%d} (in {count_noun(days, 'day')}) "
                  f"with {' and '.join(why)}.")
        out.append(ctx.task("renewal_risk", row.account_id, f"{row.renewal_date:%Y-%m-%d}",
                            "Renewal at risk", reason, config["due_days"], latest_due=row.renewal_date))
    return out


def pre_renewal_spike(ctx: RuleContext, config: dict) -> list[NewTask]:
    spikes = activity_spikes(ctx.ws, ctx.as_of)
    since = ctx.as_of - dt.timedelta(days=int(config["lookback_days"]))
    keep = spikes[spikes["flagged"] & (spikes["ratio_before"] >= float(config["min_ratio"]))]
    out = []
    for row in keep.itertuples():
        if row.contract_end < since:
            continue
        reason = (f"Usage {row.ratio_before:.1f}x its usual level in the 60 days before the contract "
                  f"end on {row.contract_end:%Y-%m-%d}, {row.ratio_after:.1f}x after: ask what happened.")
        out.append(ctx.task("pre_renewal_spike", row.account_id, f"{row.contract_end:%Y-%m-%d}",
                            "Pre-renewal activity spike", reason, config["due_days"]))
    return out


RULE_FUNCTIONS: dict[str, Callable[[RuleContext, dict], list[NewTask]]] = {
    "band_drop": band_drop,
    "green_but_failing": green_but_failing,
    "flag_review": flag_review,
    "renewal_risk": renewal_risk,
    "pre_renewal_spike": pre_renewal_spike,
}
