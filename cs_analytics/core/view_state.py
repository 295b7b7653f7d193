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
            values_text = ", ".join(map(repr, unknown))
            notes.append(f"The link's value {values_text} for {name!r} is not in the data, so it was ignored."
                         if len(unknown) == 1 else
                         f"The link's values {values_text} for {name!r} are not in the data, so they were ignored.")
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
