"""A view's as-of and account filters as URL query parameters (docs/views.md), validated.

A shared link reproduces a view: `as_of=YYYY-MM-DD` and one `f.<filter>=<value>` per accepted
value (repeat the key for several values), next to each page's own parameters (Cohorts' basis,
grain, cohort, period; Account's account). The prefix keeps a filter named like a page parameter
apart from it. Decoding never raises: what cannot be used is dropped with a note for the user.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.core.workspace import add_months, last_complete_month, month_end

AS_OF_PARAM = "as_of"
FILTER_PREFIX = "f."
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class View:
    """What a link carries: the as-of (None = the workspace's) and the account filter."""

    as_of: dt.date | None = None
    account_filter: AccountFilter = NO_FILTER


@dataclass(frozen=True)
class DecodedView:
    """A decoded link: the usable view and one sentence per part that was ignored."""

    view: View
    notes: tuple[str, ...] = field(default_factory=tuple)


def view_params(view: View) -> dict[str, list[str]]:
    """The query parameters of `view`: as_of (if any) and f.<name> -> accepted values, in order."""
    params: dict[str, list[str]] = {}
    if view.as_of is not None:
        params[AS_OF_PARAM] = [view.as_of.isoformat()]
    for name, values in view.account_filter.where.items():
        params[FILTER_PREFIX + name] = list(values)
    return params


def is_view_param(key: str) -> bool:
    """Whether a query key belongs to the view (as opposed to a page's own parameter)."""
    return key == AS_OF_PARAM or key.startswith(FILTER_PREFIX)


def parse_as_of_param(text: str) -> dt.date:
    """A link's as-of: exactly YYYY-MM-DD (ASCII digits) naming a real date; ValueError otherwise."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"as_of takes a date as YYYY-MM-DD, got {text!r}")
    return dt.date.fromisoformat(text)


def decode_view(params: Mapping[str, Iterable[str] | str],
                options: Mapping[str, Iterable[str]] | None = None) -> DecodedView:
    """The view a link's query parameters describe.

    `options` maps each offered filter to its values (filters.filter_options); a filter or value
    not offered there is ignored with a note. None accepts every filter and value (no workspace)."""
    notes: list[str] = []
    as_of = _decode_as_of(params.get(AS_OF_PARAM), notes)
    chosen: dict[str, list[str]] = {}
    allowed = None if options is None else {k: set(v) for k, v in options.items()}
    for key, raw in params.items():
        if not key.startswith(FILTER_PREFIX):
            continue
        name, values = key[len(FILTER_PREFIX):], _as_list(raw)
        if allowed is not None and name not in allowed:
            notes.append(f"The link's filter {name!r} is not a filter of this workspace, so it was ignored.")
            continue
        known = [v for v in dict.fromkeys(values) if allowed is None or v in allowed[name]]
        unknown = [v for v in values if allowed is not None and v not in allowed[name]]
        if unknown:
            notes.append(f"The link's value(s) {', '.join(map(repr, unknown))} for {name!r} are not in the data, "
                         "so they were ignored.")
        if known:
            chosen[name] = known
    return DecodedView(View(as_of, AccountFilter({k: tuple(v) for k, v in chosen.items()})), tuple(notes))


def _decode_as_of(raw, notes: list[str]) -> dt.date | None:
    values = _as_list(raw)
    if not values:
        return None
    try:
        return parse_as_of_param(values[-1])
    except ValueError:
        notes.append(f"The link's as-of {values[-1]!r} is not a date as YYYY-MM-DD, so it was ignored.")
        return None


def _as_list(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    return [str(v) for v in raw]


def partial_month_note(as_of: dt.date | None) -> str | None:
    """The sentence explaining a partial last month, or None when as_of is its month's last day.

    Monthly figures stop at the last complete month L and MRR is a month-end snapshot
    (metrics.md, Time and Revenue): a contract ending on L's last day or later is lost in the
    month after L, so that churn shows only once that month is complete."""
    if as_of is None or as_of == month_end(as_of):
        return None
    complete = last_complete_month(as_of)
    partial = add_months(complete, 1)
    return (f"The last complete month is {complete:%B %Y}; churn dated {month_end(complete):%Y-%m-%d} or later "
            f"(a contract ending on {complete:%B}'s last day is lost in {partial:%B}) shows once "
            f"{partial:%B %Y} is complete (as of {month_end(partial):%Y-%m-%d}).")


AS_OF_SOURCES = {
    "link": "from this link, for this session only (the workspace setting is unchanged)",
    "workspace": "the workspace setting",
    "data": "the data's own (latest date in the data)",
}


@dataclass(frozen=True)
class AsOfInForce:
    """The as-of a view uses and where it came from: 'link', 'workspace' or 'data'."""

    day: dt.date | None
    source: str

    @property
    def override(self) -> dt.date | None:
        """The date to pass to library functions: None when the data's own as-of is in force."""
        return None if self.source == "data" else self.day

    def describe(self) -> str:
        return AS_OF_SOURCES[self.source]


def as_of_in_force(link: dt.date | None, setting: dt.date | None, data: dt.date | None) -> AsOfInForce:
    """A link's as-of wins for its session, then the workspace setting, then the data's own."""
    if link is not None:
        return AsOfInForce(link, "link")
    if setting is not None:
        return AsOfInForce(setting, "workspace")
    return AsOfInForce(data, "data")
