"""The account timeline: one chronological list of what happened to an account, with who and when.

Kinds (TIMELINE_KINDS), each row `at, kind, what, who, detail`:

- band        a change of the metric band between consecutive month-ends of the score history
              (health.scoring.score_history, the active scorecard), the first scored month-end
              included ("first scored");
- assessment  a CRM assessment (sentiment by the CSM named in the file);
- flag        an in-app flag or its withdrawal (reality.flags);
- task        a task's creation and every status change (tasks.store);
- nps         an NPS response (score and comment);
- contract    a contract's start, and its end when on or before the as-of date.

Data-dated events (bands, assessments, NPS, contracts) are cut at the as-of date; in-app events
(flags, tasks) are shown up to now. Sorted by `at`, ties in the order of the kinds above.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.db import load_sql
from cs_analytics.core.ids import normalise_id
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.scoring import score_history
from cs_analytics.reality.flags import flag_history
from cs_analytics.tasks.store import task_events

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

TIMELINE_KINDS = ("band", "assessment", "flag", "task", "nps", "contract")
TIMELINE_COLUMNS = ["at", "kind", "what", "who", "detail"]
HISTORY_MONTHS = 24  # as the Account page's score history


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _rows(records: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=TIMELINE_COLUMNS)


def band_events(ws: "Workspace", account_id: str, as_of: dt.date) -> pd.DataFrame:
    """Month-ends where the metric band differs from the month-end before (first one included)."""
    history = score_history(ws, account_id, as_of, months=HISTORY_MONTHS)
    records, previous = [], None
    for row in history.itertuples():
        if not isinstance(row.band, str) or row.band == previous:
            continue
        what = f"Band {row.band}" if previous is None else f"Band {previous} → {row.band}"
        records.append((pd.Timestamp(row.as_of), "band", what, "",
                        f"score {row.score:.0f}" + (" (first scored)" if previous is None else "")))
        previous = row.band
    return _rows(records)


def signal_events(ws: "Workspace", account_id: str, as_of: dt.date) -> pd.DataFrame:
    """CRM assessments (to the as-of) and in-app flags and withdrawals (all)."""
    records = []
    for row in flag_history(ws, account_id).itertuples():
        at = pd.Timestamp(row.signal_at)
        reason = _text(row.reason).replace("_", " ")
        note = _text(row.note)
        if row.action == "assessment":
            if at.date() > as_of:
                continue
            records.append((at, "assessment", f"Assessed {_text(row.sentiment)}", _text(row.user_name),
                            "; ".join(x for x in (reason, note) if x)))
        elif row.action == "flag":
            review = f"review by {row.review_by:%Y-%m-%d}" if not pd.isna(row.review_by) else ""
            records.append((at, "flag", f"Flagged {_text(row.sentiment)}", _text(row.user_name),
                            "; ".join(x for x in (reason, note, review) if x)))
        else:
            records.append((at, "flag", "Flag withdrawn", _text(row.user_name), note))
    return _rows(records)


def task_timeline_events(ws: "Workspace", account_id: str) -> pd.DataFrame:
    """Every task's creation and status change."""
    records = []
    seen: set[int] = set()
    for row in task_events(ws, account_id).itertuples():
        first = row.task_id not in seen
        seen.add(row.task_id)
        if first:
            what = f"Task raised: {row.title}" if row.rule != "manual" else f"Task added: {row.title}"
        elif row.status == "snoozed":
            what = f"Task snoozed until {row.snooze_until:%Y-%m-%d}: {row.title}"
        else:
            what = f"Task {'reopened' if row.status == 'open' else row.status}: {row.title}"
        records.append((pd.Timestamp(row.created_at), "task", what, _text(row.user_name), _text(row.note)))
    return _rows(records)


def data_events(ws: "Workspace", account_id: str, as_of: dt.date) -> pd.DataFrame:
    """NPS responses and contract starts and ends, to the as-of date."""
    records = []
    for row in ws.query(load_sql("tasks/account_nps"), [account_id, as_of]).itertuples():
        records.append((pd.Timestamp(row.responded_at), "nps", f"NPS {row.score}", "", _text(row.comment)))
    for row in ws.query_named("account/contracts", [account_id]).itertuples():
        label = f"{_text(row.contract_id)} · MRR {row.mrr:,.0f}" + (f" · {row.product}" if _text(row.product) else "")
        if pd.Timestamp(row.start_date).date() <= as_of:
            records.append((pd.Timestamp(row.start_date), "contract", "Contract starts", "", label))
        if not pd.isna(row.end_date) and pd.Timestamp(row.end_date).date() <= as_of:
            records.append((pd.Timestamp(row.end_date), "contract", "Contract ends", "", label))
    return _rows(records)


def timeline(ws: "Workspace", account_id: str, as_of=None, kinds: tuple[str, ...] = TIMELINE_KINDS,
             newest_first: bool = False) -> pd.DataFrame:
    """One account's events of the given kinds (module docstring), in time order: columns
    at, kind, what, who, detail."""
    unknown = [k for k in kinds if k not in TIMELINE_KINDS]
    if unknown:
        raise ValueError(f"Unknown kind {unknown[0]!r}; the kinds are {', '.join(TIMELINE_KINDS)}.")
    account_id = normalise_id(account_id) or ""
    if not ws.scalar("SELECT count(*) FROM accounts WHERE account_id = ?", [account_id]):
        raise ValueError(f"Unknown account {account_id!r}; check the account id.")
    day = resolve_as_of(ws, as_of) or dt.date.today()
    parts = [band_events(ws, account_id, day) if "band" in kinds else None,
             signal_events(ws, account_id, day),
             task_timeline_events(ws, account_id) if "task" in kinds else None,
             data_events(ws, account_id, day)]
    frame = pd.concat([p for p in parts if p is not None and len(p)] or [_rows([])], ignore_index=True)
    frame = frame[frame["kind"].isin(kinds)].copy()
    frame["at"] = pd.to_datetime(frame["at"])
    frame["_order"] = frame["kind"].map(TIMELINE_KINDS.index)
    frame = frame.sort_values(["at", "_order"], ascending=not newest_first, kind="stable")
    return frame[TIMELINE_COLUMNS].reset_index(drop=True)
