"""Hostile-but-valid usage events for the reduction tests, and a pandas reference of the facts.

`typed_events(n_accounts)`: a Parquet-ready frame with real types (a TIMESTAMP WITH TIME ZONE
column, an integer and a fractional value column), several events per day, NULL users and
timestamps across midnight UTC. `text_events()`: text columns with the edge cases of the typing
(zones, near-midnight times, NULL and blank values, bad rows of every reason).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

VALID_TEXT = [
    # account, event_date text, metric, value text, user -> a fact row
    ("A1", "2024-01-01 23:30:00-05:00", "login", "2", "u1"),      # 2024-01-02 04:30 UTC
    ("A1", "2024-01-02T00:10:00Z", "login", "3", "u1"),           # same UTC day as the line above
    ("A1", "2024-01-02T01:00:00+02:00", "login", None, "u1"),     # 2024-01-01 23:00 UTC; value -> 1
    ("A1", "2024-01-01", "login", "", None),                     # blank value -> 1; NULL user
    ("A1", "2024-01-01", "login", "0.25", " "),                   # blank user -> NULL user
    ("A1", "2024-01-01 23:59:59.999999", None, "1e3", "u2"),      # no zone = UTC; metric -> activity
    ("A1", "2024-01-01 23:30:00+00", "", "12345678901234567890", "u2"),  # huge count
    (" A2 ", "2024-02-29 12:00:00.123456789+05:30", "export", "1.123456789", "u3"),
    ("A2", "2024-02-29", "export", "+4", "u3"),
    ("A2", "2024-03-01T00:30:00+0100", "export", ".5", "u3"),     # 2024-02-29 23:30 UTC
]
REJECTED_TEXT = [
    (None, "2024-01-01", "login", "1", "u1"),                     # missing account_id
    ("   ", "2024-01-01", "login", "1", "u1"),                    # blank account_id
    ("A3", None, "login", "1", "u1"),                             # no date
    ("A3", "2024/01/01", "login", "1", "u1"),                     # not ISO (DuckDB alone would read it)
    ("A3", "2024-01-02T01:00Z", "login", "1", "u1"),              # no seconds (Spark would not read it)
    ("A3", "2024-01-01T23", "login", "1", "u1"),                  # an hour only (Spark would read it)
    ("A3", "2024-01-01 23:30:00 UTC", "login", "1", "u1"),        # a zone name
    ("A3", "2024-02-30", "login", "1", "u1"),                     # no such day
    ("A3", "2024-01-01", "login", "abc", "u1"),                   # not a number
    ("A3", "2024-01-01", "login", "1_000", "u1"),                 # DuckDB alone would read it
    ("A3", "2024-01-01", "login", "\uff11\uff12", "u1"),          # full-width digits (Spark alone)
    ("A3", "2024-01-01", "login", "NaN", "u1"),
    ("A3", "2024-01-01", "login", "-1", "u1"),                    # negative
    ("A3", "2024-01-01", "login", "1" * 31, "u1"),               # beyond DECIMAL(38, 9)
]
COLUMNS = ["Customer ID", "Event Time", "Event", "Count", "User"]


def text_events() -> pd.DataFrame:
    """Every edge case as text, under headers the ingest's synonyms map."""
    return pd.DataFrame(VALID_TEXT + REJECTED_TEXT, columns=COLUMNS, dtype=object)


def typed_events(n_accounts: int = 300, days: int = 20, seed: int = 5) -> pd.DataFrame:
    """Typed events: several per account and day, times spread over +-14 h zones around midnight."""
    rng = np.random.default_rng(seed)
    n = n_accounts * days * 3
    start = pd.Timestamp("2024-03-30 12:00", tz="UTC")  # across a month end
    offsets = pd.to_timedelta(rng.integers(0, days * 24 * 60, n), unit="min")
    users = rng.choice(np.array(["u1", "u2", "u3", None], dtype=object), n)
    fractional = np.round(rng.integers(0, 2000, n) / 8, 3)  # eighths: exact in binary and decimal
    return pd.DataFrame({
        "account_id": [f"ACC-{i:05d}" for i in rng.integers(0, n_accounts, n)],
        "timestamp": (start + offsets).tz_convert("Asia/Tokyo"),  # stored as a UTC instant
        "metric": rng.choice(["login", "export", "report"], n),
        "count": rng.integers(0, 50, n).astype("int64"),
        "minutes": fractional,
        "user_id": users,
    })


def reference_facts(events: pd.DataFrame, value_column: str) -> pd.DataFrame:
    """The facts by pandas alone (independent of the SQL): UTC day, sum of exact decimal values."""
    frame = pd.DataFrame({
        "account_id": events["account_id"],
        "event_date": pd.to_datetime(events["timestamp"], utc=True).dt.date,
        "metric": events["metric"],
        "user_id": events["user_id"].where(events["user_id"].notna(), "\0null"),
        "value": [Decimal(str(v)) for v in events[value_column]],
    })
    facts = frame.groupby(["account_id", "event_date", "metric", "user_id"], as_index=False)["value"].sum()
    facts["user_id"] = facts["user_id"].where(facts["user_id"] != "\0null", None)
    return facts


def sorted_rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as tuples, NULLs as None, sorted with NULLs first: the row-for-row comparison."""
    rows = [tuple(None if _missing(v) else v for v in row) for row in frame[columns].itertuples(index=False)]
    return sorted(rows, key=lambda row: tuple((v is not None, v if v is not None else "") for v in row))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()
