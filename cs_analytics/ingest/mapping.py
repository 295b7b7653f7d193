"""From a file's headers to canonical columns: table guessing, synonym matching, user overrides.

Headers match a canonical column or one of its synonyms (cs_analytics/tables.py) ignoring case,
spacing and punctuation (`Customer ID`, `customer_id`, `CustomerId` all -> `account_id`). A user
override ({source header: canonical column}) wins; an empty target ignores the header.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.core.tables import TABLES

OPTION_KEYS = ("date_order", "amounts_converted")
DATE_ORDERS = ("dmy", "mdy")


def normalise(header: str) -> str:
    """Lower case, letters and digits only: `Customer ID` -> `customerid`."""
    return re.sub(r"[^0-9a-z]", "", str(header).lower())


def _lookup(table: str) -> dict[str, str]:
    """Normalised name or synonym -> canonical column, canonical names first."""
    found: dict[str, str] = {}
    spec = TABLES[table]
    for col in spec.columns:
        found.setdefault(normalise(col.name), col.name)
    for col in spec.columns:
        for syn in col.synonyms:
            found.setdefault(normalise(syn), col.name)
    return found


@dataclass
class Mapping:
    """Which source header feeds which canonical column of `table`."""

    table: str
    columns: dict[str, str]                       # source header -> canonical column
    unknown: list[str] = field(default_factory=list)   # headers not mapped
    date_order: str | None = None                  # 'dmy' / 'mdy' / None (detect)
    amounts_converted: bool = False
    notes: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # column -> the 2+ headers matching it

    @property
    def missing(self) -> list[str]:
        """Required canonical columns no header feeds."""
        return missing_required(self.table, list(self.columns.values()))

    def check(self, file_name: str) -> None:
        """Raise IngestRefused for two headers matching one column, or the first missing required column."""
        for column, sources in self.conflicts.items():
            shown = " and ".join(repr(h) for h in sources)
            raise IngestRefused(
                f"{file_name} has {len(sources)} headers that match the {self.table} column {column} "
                f"({shown}); map the one to use to {column} and the other to nothing.")
        missing = self.missing
        if missing:
            raise refusal_for_missing(file_name, self.table, missing[0], self.headers)


def missing_required(table: str, present: list[str]) -> list[str]:
    """Required columns of `table` absent from `present` (contracts need mrr or arr)."""
    spec = TABLES[table]
    missing = [c for c in spec.required_columns if c not in present]
    if table == "contracts" and "mrr" not in present and "arr" not in present:
        missing.append("mrr")
    if table == "outcomes" and "churned" not in present and "churned_at" not in present:
        missing.append("churned")
    return missing


def refusal_for_missing(file_name: str, table: str, column: str, headers: list[str]) -> IngestRefused:
    """The one-sentence refusal for a missing required column, with the closest header."""
    what = {("contracts", "mrr"): "mrr (or arr)",
            ("outcomes", "churned"): "churned (or churned_at)"}.get((table, column), column)
    shown = ", ".join(headers[:20]) + (", ..." if len(headers) > 20 else "") if headers else "none"
    candidates = {normalise(h): h for h in headers}
    close = difflib.get_close_matches(normalise(column), list(candidates), n=1, cutoff=0.4)
    hint = f"; the closest header is {candidates[close[0]]!r}, map it if it is the one" if close else ""
    return IngestRefused(
        f"{file_name} has no column for the required {table} column {what} (headers found: {shown}){hint}.")


def map_headers(headers: list[str], table: str, overrides: dict | None = None) -> Mapping:
    """Map `headers` to `table`'s canonical columns; `overrides` {header: column or ""} win.

    Option keys in overrides (`date_order`, `amounts_converted`) are taken as options. Raises
    IngestRefused when an override names a header the file lacks or a column the table lacks.
    """
    if table not in TABLES:
        raise IngestRefused(f"Unknown table {table!r}; choose one of {', '.join(TABLES)}.")
    overrides = dict(overrides or {})
    date_order = overrides.pop("date_order", None) or None
    amounts_converted = bool(overrides.pop("amounts_converted", False))
    if date_order is not None and date_order not in DATE_ORDERS:
        raise IngestRefused(f"date_order must be 'dmy' or 'mdy', not {date_order!r}.")
    headers = [str(h) for h in headers]
    columns_allowed = TABLES[table].column_names
    for source, target in overrides.items():
        if source not in headers:
            raise IngestRefused(
                f"The mapping refers to the header {source!r}, which the file does not have "
                f"(headers: {', '.join(headers[:20])}).")
        if target and target not in columns_allowed:
            raise IngestRefused(
                f"The mapping sends {source!r} to {target!r}, which is not a {table} column "
                f"(columns: {', '.join(columns_allowed)}).")
    chosen = [t for t in overrides.values() if t]
    for target in chosen:
        if chosen.count(target) > 1:
            sources = [repr(h) for h, t in overrides.items() if t == target]
            raise IngestRefused(f"The mapping sends {' and '.join(sources)} to the same column {target}; "
                                "choose one of them.")
    lookup = _lookup(table)
    columns: dict[str, str] = {}
    taken: set[str] = set(chosen)
    matches: dict[str, list[str]] = {}
    for header in headers:
        if header in overrides:
            if overrides[header]:
                columns[header] = overrides[header]
            continue
        target = lookup.get(normalise(header))
        if target and target not in taken:
            matches.setdefault(target, []).append(header)
    conflicts = {t: hs for t, hs in matches.items() if len(hs) > 1}
    for target, hs in matches.items():
        if len(hs) == 1:
            columns[hs[0]] = target
    unknown = [h for h in headers if h not in columns]
    return Mapping(table=table, columns=columns, unknown=unknown, date_order=date_order,
                   amounts_converted=amounts_converted, notes=[], headers=headers, conflicts=conflicts)


def guess_table(headers: list[str], file_name: str | None = None) -> tuple[str | None, dict[str, float]]:
    """The canonical table these headers most likely hold, and a score per table.

    Score = share of the table's own columns (other than account_id) that the headers match,
    minus 0.3 per required column still missing (an export often names its amount column in a
    way no synonym knows; the user maps it by hand), minus 0.5 without an account id column; a
    file name containing the table's name adds 0.2. When no table scores above 0 but an account
    id column is present, the file is taken for `accounts` (ids plus attributes); else None.
    """
    scores: dict[str, float] = {}
    stem = normalise(Path(file_name).stem) if file_name else ""
    has_account_id = False
    for table, spec in TABLES.items():
        mapping = map_headers(headers, table)
        matched = set(mapping.columns.values()) | set(mapping.conflicts)
        has_account_id = has_account_id or "account_id" in matched
        own = [c for c in spec.column_names if c != "account_id"]
        score = len(matched & set(own)) / len(own) - 0.3 * len(missing_required(table, list(matched)))
        if "account_id" not in matched:
            score -= 0.5
        if stem and (table in stem or table.rstrip("s") in stem):
            score += 0.2
        scores[table] = round(score, 3)
    best = max(scores, key=lambda t: scores[t])
    if scores[best] > 0:
        return best, scores
    return ("accounts" if has_account_id else None), scores


def parse_mapping(value: Any) -> dict:
    """Overrides from a dict, inline JSON text, or the path of a JSON file."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {**value.columns, "date_order": value.date_order, "amounts_converted": value.amounts_converted}
    if isinstance(value, dict):
        data = value
    else:
        text = str(value).strip()
        if not text.startswith("{"):
            path = Path(text)
            if not path.is_file():
                raise IngestRefused(f"The mapping {text!r} is neither inline JSON nor an existing file.")
            text = path.read_text(encoding="utf-8-sig")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestRefused(f"The mapping is not valid JSON ({exc.msg} at character {exc.pos}).") from None
    if not isinstance(data, dict):
        raise IngestRefused("The mapping must be a JSON object of \"source header\": \"canonical column\".")
    for key, target in data.items():
        if key in OPTION_KEYS:
            continue
        if target is not None and not isinstance(target, str):
            raise IngestRefused(f"The mapping value for {key!r} must be a column name or empty.")
    return dict(data)
