"""Saved scorecard versions: the default and per-segment lines, restoring, who scores whom.

Every save is a new row of `scorecards` (never an update of one); `segment` NULL is the default
scorecard, a segment value a scorecard for that segment's accounts (accounts.segment). Exactly one
version is active per segment value. Restoring version v saves a copy of v as a new version
(restored_from = v), recorded with who and when like any save. An account is scored by its
segment's active scorecard when there is one, else by the active default.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.health.scorecard import Scorecard, default_scorecard

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

HISTORY_COLUMNS = ["version", "created_at", "created_by", "change_summary", "segment", "restored_from", "active"]


def _from_row(row) -> Scorecard:
    sc = Scorecard.from_json(row["config"])
    sc.version = int(row["version"])
    created = row["created_at"]
    sc.created_at = None if pd.isna(created) else pd.Timestamp(created).to_pydatetime()
    sc.created_by = row["created_by"]
    sc.change_summary = row["change_summary"]
    sc.segment = None if pd.isna(row["segment"]) else row["segment"]
    return sc


def active_version(ws: "Workspace", segment: str | None = None) -> Scorecard:
    """The active version for `segment` (falling back to the default line), or the built-in."""
    if segment is not None:
        rows = ws.query("SELECT * FROM scorecards WHERE active AND segment = ? ORDER BY version DESC LIMIT 1",
                        [segment])
        if not rows.empty:
            return _from_row(rows.iloc[0])
    rows = ws.query("SELECT * FROM scorecards WHERE active AND segment IS NULL ORDER BY version DESC LIMIT 1")
    return default_scorecard() if rows.empty else _from_row(rows.iloc[0])


def segment_scorecards(ws: "Workspace") -> dict[str, Scorecard]:
    """{segment: its active scorecard} for every segment that has one."""
    rows = ws.query("SELECT * FROM scorecards WHERE active AND segment IS NOT NULL ORDER BY segment")
    return {row["segment"]: _from_row(row) for _, row in rows.iterrows()}


def account_segment(ws: "Workspace", account_id: str) -> str | None:
    return ws.scalar("SELECT segment FROM accounts WHERE account_id = ?", [account_id])


def scorecard_for_account(ws: "Workspace", account_id: str) -> Scorecard:
    """The scorecard that scores this account: its segment's, else the default."""
    return active_version(ws, account_segment(ws, account_id))


def version_history(ws: "Workspace") -> pd.DataFrame:
    """Every saved version, oldest first."""
    return ws.query(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM scorecards ORDER BY version")


def get_version(ws: "Workspace", version: int) -> Scorecard:
    rows = ws.query("SELECT * FROM scorecards WHERE version = ?", [int(version)])
    if rows.empty:
        raise ValueError(f"There is no saved scorecard version {version}.")
    return _from_row(rows.iloc[0])


def save_version(ws: "Workspace", sc: Scorecard, user: str, change_summary: str,
                 segment: str | None = None, restored_from: int | None = None) -> int:
    """Store `sc` as a new version, make it the only active one of its segment, return its number."""
    sc.validate()
    user = (user or "").strip()
    if not user:
        raise ValueError("Saving a scorecard needs the name of who changes it.")
    segment = (segment or "").strip() or None
    if segment is not None and not ws.scalar("SELECT count(*) FROM accounts WHERE segment = ?", [segment]):
        raise ValueError(f"No account is in segment {segment!r}, so a scorecard for it would score nobody.")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    with ws.transaction() as cur:
        version = cur.execute("SELECT nextval('scorecard_version_seq')").fetchone()[0]
        cur.execute("UPDATE scorecards SET active = FALSE WHERE active AND segment IS NOT DISTINCT FROM ?", [segment])
        cur.execute(
            "INSERT INTO scorecards (version, created_at, created_by, config, change_summary, active, segment, "
            "restored_from) VALUES (?, ?, ?, ?, ?, TRUE, ?, ?)",
            [version, now, user, sc.to_json(), (change_summary or "").strip() or None, segment, restored_from],
        )
    sc.version, sc.created_at, sc.created_by, sc.change_summary = int(version), now, user, change_summary
    sc.segment = segment
    return int(version)


def restore_version(ws: "Workspace", version: int, user: str) -> int:
    """Save a copy of `version` as a new active version of the same segment; returns its number."""
    old = get_version(ws, version)
    return save_version(ws, old.copy(), user, f"Restored v{int(version)}", old.segment, restored_from=int(version))


def retire_segment(ws: "Workspace", segment: str) -> None:
    """Stop scoring `segment` with its own scorecard (its accounts go back to the default)."""
    with ws.transaction() as cur:
        cur.execute("UPDATE scorecards SET active = FALSE WHERE active AND segment = ?", [segment])
