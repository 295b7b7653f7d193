"""The digest: what changed in a CSM's book (or every book) since a date, each line linking to the app.

Sections (SECTIONS), for the accounts whose csm_owner is the owner (case-insensitive; no owner:
every account), as of the as-of date in force:

- turned             the metric band at the as-of date differs from the band at `since`
                     (both scored with the active scorecard); worse first;
- green_but_failing  quadrant green_but_failing at the as-of date and not at `since`;
- flags_due          current flags whose review-by date has passed (today);
- renewals_at_risk   the next contract end within the renewal_risk rule's window with a red
                     (or yellow, per the rule) band, or an at-risk renewal call;
- open_tasks         the owner's open tasks, overdue ones first (they are due earliest).

`since` defaults to 7 days before the as-of date. Links: `<app_url>/account?account=<id>`.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.scoring import score_snapshots
from cs_analytics.reality.flags import flags_due_for_review
from cs_analytics.reality.quadrants import GREEN_BUT_FAILING, quadrants
from cs_analytics.tasks.rule_config import rule_configs
from cs_analytics.tasks.rules import BAND_RANK, RuleContext, renewal_risk
from cs_analytics.tasks.store import list_tasks, same_owner

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

DEFAULT_APP_URL = "http://localhost:8501"
DEFAULT_SINCE_DAYS = 7
SECTIONS = {
    "turned": "Accounts that turned",
    "green_but_failing": "New green but failing",
    "flags_due": "Flags due for review",
    "renewals_at_risk": "Renewals at risk",
    "open_tasks": "Open tasks",
}


@dataclass(frozen=True)
class DigestLine:
    """One line: an account, what to say about it, and its link in the app."""

    account_id: str
    account_name: str
    text: str
    url: str


@dataclass(frozen=True)
class Digest:
    owner: str | None
    since: dt.date
    as_of: dt.date
    app_url: str
    sections: dict[str, list[DigestLine]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        book = f"{self.owner}'s book" if self.owner else "every book"
        return f"CS Analytics digest: {book}, {self.since:%Y-%m-%d} to {self.as_of:%Y-%m-%d}"

    @property
    def is_empty(self) -> bool:
        return not any(self.sections.values())


def account_link(app_url: str, account_id: str) -> str:
    """The Account page of `account_id` in the app at `app_url`."""
    return f"{app_url.rstrip('/')}/account?" + urllib.parse.urlencode({"account": account_id})


def _in_book(frame: pd.DataFrame, owner: str | None, column: str = "csm_owner") -> pd.DataFrame:
    if not owner or not owner.strip():
        return frame
    return frame[frame[column].map(lambda o: same_owner(o, owner))]


def canonical_owner(names: pd.Series, owner: str | None) -> str | None:
    """The owner as the accounts spell it (matched case-insensitively), else as typed."""
    if not owner or not owner.strip():
        return None
    return next((n for n in names.dropna().unique() if same_owner(n, owner)), owner.strip())


def _line(app_url: str, account_id: str, name: object, text: str) -> DigestLine:
    label = name if isinstance(name, str) and name else account_id
    return DigestLine(account_id, label, text, account_link(app_url, account_id))


def turned(ws: "Workspace", book: pd.DataFrame, since: dt.date, as_of: dt.date, app_url: str) -> list[DigestLine]:
    scores = score_snapshots(ws, [since, as_of])[["as_of", "account_id", "score", "band"]]
    before = scores[scores["as_of"] == since].set_index("account_id")
    now = scores[scores["as_of"] == as_of].merge(book, on="account_id")
    rows = []
    for row in now.itertuples():
        if row.account_id not in before.index or before.at[row.account_id, "band"] == row.band:
            continue
        old = before.at[row.account_id, "band"]
        if not isinstance(old, str) or not isinstance(row.band, str):
            continue
        rows.append((BAND_RANK[row.band] - BAND_RANK[old], row.account_id, _line(
            app_url, row.account_id, row.account_name,
            f"{old} → {row.band} (score {before.at[row.account_id, 'score']:.0f} → {row.score:.0f})")))
    return [line for _, _, line in sorted(rows, key=lambda r: (r[0], r[1]))]


def new_green_but_failing(ws: "Workspace", book: pd.DataFrame, since: dt.date, as_of, app_url: str) -> list[DigestLine]:
    now = quadrants(ws, as_of)
    was = quadrants(ws, since)
    old = set(was.loc[was["quadrant"] == GREEN_BUT_FAILING, "account_id"])
    now = now[(now["quadrant"] == GREEN_BUT_FAILING) & ~now["account_id"].isin(old)]
    now = now[now["account_id"].isin(book["account_id"])]
    return [_line(app_url, r.account_id, r.account_name,
                  f"metric green (score {r.score:.0f}), CSM says {r.csm_sentiment}") for r in now.itertuples()]


def build_digest(ws: "Workspace", owner: str | None = None, since: dt.date | None = None, as_of=None,
                 app_url: str = DEFAULT_APP_URL, today: dt.date | None = None) -> Digest:
    """The digest of `owner`'s book (None: every book) from `since` to the as-of date."""
    day = resolve_as_of(ws, as_of)
    if day is None:
        raise ValueError("The workspace has no data; load the demo or ingest files first.")
    since = since or day - dt.timedelta(days=DEFAULT_SINCE_DAYS)
    if since >= day:
        raise ValueError(f"--since must be before the as-of date {day:%Y-%m-%d}, got {since:%Y-%m-%d}.")
    today = today or dt.date.today()
    owners = ws.query_named("tasks/account_owners")
    owner = canonical_owner(owners["csm_owner"], owner)
    book = _in_book(owners, owner)[["account_id", "account_name"]]
    flags = _in_book(flags_due_for_review(ws, today), owner)
    ctx = RuleContext(ws, day, today, as_of_arg=as_of, owners=owners.set_index("account_id")["csm_owner"])
    renewals = [t for t in renewal_risk(ctx, rule_configs(ws)["renewal_risk"])
                if t.account_id in set(book["account_id"])]
    names = dict(zip(owners["account_id"], owners["account_name"]))
    tasks = list_tasks(ws, owner, "open", today)
    sections = {
        "turned": turned(ws, book, since, day, app_url),
        "green_but_failing": new_green_but_failing(ws, book, since, as_of, app_url),
        "flags_due": [_line(app_url, r.account_id, r.account_name,
                            f"flagged {r.sentiment} by {r.user_name}, review by {r.review_by:%Y-%m-%d}")
                      for r in flags.itertuples()],
        "renewals_at_risk": [_line(app_url, t.account_id, names.get(t.account_id), t.reason) for t in renewals],
        "open_tasks": [_line(app_url, r.account_id, r.account_name,
                             f"{'OVERDUE ' if r.overdue else ''}due {r.due_date:%Y-%m-%d}: {r.title}")
                       for r in tasks.itertuples()],
    }
    return Digest(owner, since, day, app_url, sections)
