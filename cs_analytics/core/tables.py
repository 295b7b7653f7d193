"""The canonical input tables of the data contract: columns, kinds, required flags, synonyms.

This is the single list that ingest, mapping, validation and the SQL identifier check read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Column kinds: text, date, timestamp_date (timestamps truncated to a date), decimal (>= 0),
# nps_score (integer 0-10), sentiment (green/yellow/red, 1-5 or 0-100), boolean (true/false, yes/no,
# 1/0, y/n, t/f; any case).


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str
    required: bool = False
    synonyms: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    description: str

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


ACCOUNT_ID = ColumnSpec(
    "account_id",
    "text",
    required=True,
    synonyms=("customer id", "customer", "account", "account id", "accountid", "company id",
              "client id", "org id", "organization id", "tenant id", "customer_id", "cust id"),
)

TABLES: dict[str, TableSpec] = {
    "accounts": TableSpec(
        "accounts",
        (
            ACCOUNT_ID,
            ColumnSpec("account_name", "text", synonyms=("name", "account name", "customer name", "company", "company name")),
            ColumnSpec("segment", "text", synonyms=("tier", "customer segment", "market segment")),
            ColumnSpec("csm_owner", "text", synonyms=("csm", "owner", "account owner", "csm owner", "customer success manager")),
            ColumnSpec("plan", "text", synonyms=("plan name", "subscription plan", "pricing plan")),
            ColumnSpec("industry", "text", synonyms=("vertical",)),
            ColumnSpec("region", "text", synonyms=("geo", "territory", "country")),
            ColumnSpec("created_at", "date", synonyms=("created", "created date", "signup date", "created on")),
        ),
        "One row per customer account; extra columns become filterable attributes.",
    ),
    "contracts": TableSpec(
        "contracts",
        (
            ACCOUNT_ID,
            ColumnSpec("contract_id", "text", synonyms=("contract", "subscription id", "subscription", "contract number", "id")),
            ColumnSpec("start_date", "date", required=True, synonyms=("start", "start date", "contract start", "service start", "period start", "current period start")),
            ColumnSpec("end_date", "date", synonyms=("end", "end date", "contract end", "service end", "period end", "ended at", "current period end")),
            ColumnSpec("mrr", "decimal", synonyms=("monthly recurring revenue", "monthly amount", "mrr amount")),
            ColumnSpec("arr", "decimal", synonyms=("annual recurring revenue", "annual amount", "acv")),
            ColumnSpec("product", "text", synonyms=("product name", "sku")),
            ColumnSpec("currency", "text", synonyms=("curr", "currency code")),
            ColumnSpec("renewal_date", "date", synonyms=("renewal", "renewal date", "renewal due", "renewal due date", "next renewal date")),
        ),
        "Contracts or subscriptions with a start, an optional inclusive end, and MRR or ARR.",
    ),
    "usage": TableSpec(
        "usage",
        (
            ACCOUNT_ID,
            ColumnSpec("event_date", "timestamp_date", required=True, synonyms=("date", "event date", "timestamp", "time", "event time", "day", "occurred at")),
            ColumnSpec("metric", "text", synonyms=("event", "event name", "feature", "metric name", "action")),
            ColumnSpec("value", "decimal", synonyms=("count", "quantity", "amount", "events", "qty")),
            ColumnSpec("user_id", "text", synonyms=("user", "user id", "distinct id", "distinct_id", "userid", "member id")),
        ),
        "Product usage: raw events or pre-aggregated rows.",
    ),
    "assessments": TableSpec(
        "assessments",
        (
            ACCOUNT_ID,
            ColumnSpec("assessed_at", "date", required=True, synonyms=("date", "assessment date", "assessed on", "created date", "as of")),
            ColumnSpec("sentiment", "sentiment", required=True, synonyms=("health", "csm sentiment", "status", "rating", "rag", "csm health")),
            ColumnSpec("csm", "text", synonyms=("assessed by", "csm name", "author")),
            ColumnSpec("reason", "text", synonyms=("reason code", "risk reason")),
            ColumnSpec("note", "text", synonyms=("notes", "comment", "comments")),
        ),
        "What CSMs report: their sentiment per account over time.",
    ),
    "nps": TableSpec(
        "nps",
        (
            ACCOUNT_ID,
            ColumnSpec("responded_at", "date", required=True, synonyms=("date", "response date", "responded on", "survey date", "submitted at")),
            ColumnSpec("score", "nps_score", required=True, synonyms=("nps", "nps score", "rating", "likelihood to recommend")),
            ColumnSpec("comment", "text", synonyms=("comments", "feedback", "verbatim")),
        ),
        "NPS survey responses, 0-10.",
    ),
    "outcomes": TableSpec(
        "outcomes",
        (
            ACCOUNT_ID,
            ColumnSpec("churned", "boolean", synonyms=("churn", "is churned", "has churned", "churn flag", "exited", "lost", "cancelled", "canceled")),
            ColumnSpec("churned_at", "date", synonyms=("churn date", "churned on", "cancelled at", "canceled at", "cancellation date", "lost date", "exit date")),
            ColumnSpec("reason", "text", synonyms=("churn reason", "reason code", "cancellation reason", "loss reason")),
            ColumnSpec("note", "text", synonyms=("notes", "comment", "comments")),
        ),
        "A churn list: which accounts churned (churned and/or churned_at), with a reason.",
    ),
}

TABLE_NAMES = tuple(TABLES)
"""The input tables, in load order (accounts first)."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_identifier(name: str) -> str:
    """A validated, quoted SQL identifier; refuses anything but plain names."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid identifier: {name!r}")
    return f'"{name}"'
