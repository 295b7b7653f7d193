"""Workspace settings: the as-of date and the targets, kept in the workspace (metrics.md, Time).

One setting, one meaning, everywhere: the app's controls, the CLI's `settings` command and every
default read these functions. Settings are append-only (`settings` table); the newest row per key
is in force and a reset writes NULL. Targets are stored as fractions (0.9) and shown as percents.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from cs_analytics.core.config import AS_OF_FROM_DATA
from cs_analytics.core.derived import rebuild

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace



def latest_as_of(today: dt.date | None = None) -> dt.date:
    """The latest as-of date a user may set: the last day of the current month (data dated after
    the day of the load is quarantined, so a later as-of would only report empty months)."""
    day = today or dt.date.today()
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _parse_as_of(text: str) -> str:
    if text.strip().lower() == AS_OF_FROM_DATA:
        return AS_OF_FROM_DATA
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"as_of takes a date as YYYY-MM-DD or 'data', got {text!r}") from None
    if day > latest_as_of():
        raise ValueError(f"as_of cannot be after {latest_as_of():%Y-%m-%d}, the end of this month; got {text!r}")
    return day.isoformat()


def _parse_fraction(upper: float) -> Callable[[str], str]:
    def parse(text: str) -> str:
        raw = text.strip().rstrip("%").strip()
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"a target takes a number (0.9 or 90%), got {text!r}") from None
        if text.strip().endswith("%") or number > upper:
            number /= 100.0
        if not 0.0 <= number <= upper:
            raise ValueError(f"a target must lie between 0% and {upper:.0%}, got {text!r}")
        return repr(round(number, 6))

    return parse


def _parse_activation_rule(text: str) -> str:
    """The activation rule as canonical JSON (onboarding/rule.py holds the one format)."""
    from cs_analytics.onboarding.rule import rule_setting_text

    return rule_setting_text(text)


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    parse: Callable[[str], str]
    meaning: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("as_of", AS_OF_FROM_DATA, _parse_as_of,
                "the as-of date every page and command uses: a date, or 'data' for the data's own"),
        Setting("target_grr", "0.9", _parse_fraction(2.0), "trailing-12-month GRR target (at least)"),
        Setting("target_nrr", "1.1", _parse_fraction(3.0), "trailing-12-month NRR target (at least)"),
        Setting("target_logo_churn", "0.1", _parse_fraction(1.0), "trailing-12-month logo churn target (at most)"),
        Setting("target_renewal_rate", "0.9", _parse_fraction(1.0), "gross renewal rate target (at least)"),
        Setting("activation_rule", '{"metric": "any", "kind": "active_days", "threshold": 2, "window_days": 90}',
                _parse_activation_rule, "the onboarding activation rule as JSON (metric, kind, threshold, window_days)"),
    )
}


def _known(key: str) -> Setting:
    if key not in SETTINGS:
        raise ValueError(f"Unknown setting {key!r}; the settings are {', '.join(SETTINGS)}.")
    return SETTINGS[key]


def all_settings(ws: "Workspace") -> dict[str, str]:
    """Every setting in force (stored value, else the default), as text."""
    stored = ws.query(
        "SELECT key, value FROM settings "
        "QUALIFY row_number() OVER (PARTITION BY key ORDER BY setting_id DESC) = 1"
    )
    current = {row.key: row.value for row in stored.itertuples() if row.value is not None}
    return {key: current.get(key, s.default) for key, s in SETTINGS.items()}


def get_setting(ws: "Workspace", key: str) -> str:
    return all_settings(ws)[_known(key).key]


def set_setting(ws: "Workspace", key: str, value: str | None, user: str | None = None) -> str | None:
    """Validate and store one setting (None resets it to its default); returns the stored text.

    Setting `as_of` rebuilds the derived tables in the same transaction (derived.py), so every
    page reads tables built through the as-of in force; readers see the old or the new, never a mix."""
    setting = _known(key)
    stored = None if value is None else setting.parse(str(value))
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO settings (key, value, set_by, set_at) VALUES (?, ?, ?, current_timestamp)",
            [key, stored, user],
        )
        if key == "as_of":  # the derived tables run through the as-of in force: rebuild with it
            rebuild(cur, usage_changed=False)
    return stored


def as_of_setting(ws: "Workspace") -> dt.date | None:
    """The as-of date the user set, or None when the data's own as-of is in force."""
    value = get_setting(ws, "as_of")
    return None if value == AS_OF_FROM_DATA else dt.date.fromisoformat(value)


@dataclass(frozen=True)
class Targets:
    """Revenue targets as fractions: GRR and NRR at least, logo churn at most."""

    grr: float
    nrr: float
    logo_churn: float


def targets(ws: "Workspace") -> Targets:
    values = all_settings(ws)
    return Targets(grr=float(values["target_grr"]), nrr=float(values["target_nrr"]),
                   logo_churn=float(values["target_logo_churn"]))
