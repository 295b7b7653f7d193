"""Global account filters (segment, CSM owner, plan, any account attribute) honoured everywhere.

A filter becomes a subquery of account ids with positional parameters, so every query function
composes it the same way:

    sub_sql, sub_params = account_filter.subquery()
    ws.query(f"SELECT ... WHERE account_id IN ({sub_sql}) AND month <= ?", [*sub_params, month])
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Iterable, Mapping

import pandas as pd

from cs_analytics.core.tables import TABLES, quote_identifier

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

ACCOUNT_COLUMNS = tuple(c for c in TABLES["accounts"].column_names if c not in ("account_id", "created_at"))


Terms = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, init=False, eq=False)
class AccountFilter:
    """Accounts whose attribute `name` takes one of the listed values, for every name given.

    `where` maps an account column (segment, csm_owner, plan, industry, region, account_name) or
    any extra attribute name to the accepted values; an empty mapping selects every account.
    The filter is immutable and hashable: `terms` holds the (name, values) pairs in the order
    given (descriptions and links keep it); equality and the hash use `key`, the same pairs
    sorted, so two filters selecting the same accounts are equal.
    """

    terms: Terms

    def __init__(self, where: Mapping[str, Iterable[str]] | Iterable[tuple[str, Iterable[str]]] = ()):
        pairs = where.items() if isinstance(where, Mapping) else where
        terms = tuple((str(name), tuple(dict.fromkeys(values))) for name, values in pairs)
        object.__setattr__(self, "terms", terms)

    @property
    def key(self) -> Terms:
        """The terms with names and values sorted: equal for filters selecting the same accounts."""
        return tuple(sorted((name, tuple(sorted(values))) for name, values in self.terms))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccountFilter) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def where(self) -> Mapping[str, tuple[str, ...]]:
        """A read-only mapping view of the terms: name -> accepted values."""
        return MappingProxyType(dict(self.terms))

    @classmethod
    def of(cls, **values: Iterable[str] | str | None) -> "AccountFilter":
        cleaned = {}
        for name, accepted in values.items():
            if accepted is None:
                continue
            accepted = (accepted,) if isinstance(accepted, str) else tuple(accepted)
            if accepted:
                cleaned[name] = accepted
        return cls(cleaned)

    @classmethod
    def from_pairs(cls, pairs: Iterable[str]) -> "AccountFilter":
        """From CLI `COL=VALUE` strings; a repeated column accepts any of its values."""
        where: dict[str, list[str]] = {}
        for pair in pairs:
            if "=" not in pair:
                raise ValueError(f"--where takes COL=VALUE, got {pair!r}")
            name, value = pair.split("=", 1)
            where.setdefault(name.strip(), []).append(value.strip())
        return cls({k: tuple(v) for k, v in where.items()})

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def subquery(self) -> tuple[str, list]:
        """(SQL selecting the matching account_ids, its positional parameters)."""
        conditions, params = [], []
        for name, accepted in self.terms:
            marks = ", ".join("?" for _ in accepted)
            if name in ACCOUNT_COLUMNS:
                conditions.append(f"{quote_identifier(name)} IN ({marks})")
                params.extend(accepted)
            else:
                conditions.append(
                    "account_id IN (SELECT account_id FROM account_attributes "
                    f"WHERE name = ? AND value IN ({marks}))"
                )
                params.extend([name, *accepted])
        where_sql = " AND ".join(conditions) if conditions else "TRUE"
        return f"SELECT account_id FROM accounts WHERE {where_sql}", params

    def describe(self) -> str:
        if self.is_empty:
            return "all accounts"
        return "; ".join(f"{k} = {', '.join(v)}" for k, v in self.terms)


NO_FILTER = AccountFilter()


def keep_filtered(ws: "Workspace", frame: pd.DataFrame, account_filter: AccountFilter | None,
                  id_column: str = "account_id") -> pd.DataFrame:
    """The rows of `frame` whose account the filter selects (all rows for an empty filter)."""
    if account_filter is None or account_filter.is_empty:
        return frame
    sub_sql, sub_params = account_filter.subquery()
    allowed = set(ws.query(sub_sql, sub_params)["account_id"])
    return frame[frame[id_column].isin(allowed)]


MAX_FILTER_VALUES = 50
"""An attribute with more distinct values than this is not offered as a sidebar filter."""
MOSTLY_UNIQUE_SHARE = 0.5
"""...nor one whose distinct values number at least this share of the accounts having it
(ids, amounts), once it has more than MIN_VALUES_FOR_UNIQUE_RULE values."""
MIN_VALUES_FOR_UNIQUE_RULE = 10
ALWAYS_OFFERED = ("segment", "csm_owner", "plan")


def is_filterable(name: str, distinct_values: int, accounts_with_value: int) -> bool:
    """Whether an attribute makes a useful sidebar filter: segment, CSM owner and plan always;
    any other only with at most MAX_FILTER_VALUES values that are not mostly unique per account."""
    if name in ALWAYS_OFFERED:
        return distinct_values > 0
    if distinct_values == 0 or distinct_values > MAX_FILTER_VALUES:
        return False
    mostly_unique = distinct_values >= MOSTLY_UNIQUE_SHARE * accounts_with_value
    return not (distinct_values > MIN_VALUES_FOR_UNIQUE_RULE and mostly_unique)


def filter_options(ws: "Workspace") -> dict[str, list[str]]:
    """Distinct values of every filterable account column and attribute, for the sidebar
    (see is_filterable: ids, amounts and other near-unique attributes are left out)."""
    options: dict[str, list[str]] = {}
    for name in ACCOUNT_COLUMNS:
        if name == "account_name":
            continue
        column = quote_identifier(name)
        frame = ws.query(
            f"SELECT {column} AS v, count(*) AS n FROM accounts WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY 1"
        )
        if is_filterable(name, len(frame), int(frame["n"].sum()) if len(frame) else 0):
            options[name] = frame["v"].tolist()
    attrs = ws.query(
        "SELECT name, list(DISTINCT value ORDER BY value) AS vals, count(DISTINCT account_id) AS accounts "
        "FROM account_attributes WHERE value IS NOT NULL GROUP BY name ORDER BY name"
    )
    for row in attrs.itertuples():
        if row.name not in options and is_filterable(row.name, len(row.vals), int(row.accounts)):
            options[row.name] = list(row.vals)
    return options


def matching_accounts(ws: "Workspace", account_filter: AccountFilter) -> int:
    """How many accounts the filter selects (every account for an empty filter)."""
    sub_sql, sub_params = account_filter.subquery()
    return int(ws.scalar(f"SELECT count(*) FROM ({sub_sql})", sub_params))
