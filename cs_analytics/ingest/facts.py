"""Usage events reduced at ingest to daily facts, by the one reduction definition.

The accepted rows of a usage upload are grouped by `sql/reduce/usage_facts.sql` (account, day,
metric, user -> sum of value) before they are stored, so the `usage` table holds one row per
account, metric, day and user per upload, however many events the file had. Every usage measure
is unchanged (values are >= 0: sums, active days, distinct users and metrics, latest day's value,
days since last), and the Spark engine runs the same file transpiled (docs/scale.md). Upload
counts (read, accepted, quarantined) stay counts of the file's rows. An upload's rows are therefore
unique per account, metric, day and user: after a replace-mode usage upload the derived build need
not group them again (core/derived.py, `usage_unique`); after an append it does.
"""
from __future__ import annotations

from cs_analytics.core.db import load_sql
from cs_analytics.ingest.validation import STORED

REDUCTION_SQL = "reduce/usage_facts"


def usage_insert_statement() -> str:
    """INSERT of the accepted rows of `_parsed` into `usage`, reduced to daily facts ($upload_id)."""
    events = ", ".join(f"{expr} AS {column}" for column, expr in STORED["usage"].items())
    return (
        "INSERT INTO usage (account_id, event_date, metric, value, user_id, upload_id) "
        f"WITH usage_events AS (SELECT {events} FROM _parsed WHERE _reason IS NULL) "
        "SELECT account_id, event_date, metric, value, user_id, $upload_id FROM (\n"
        f"{load_sql(REDUCTION_SQL)}\n) AS facts")
