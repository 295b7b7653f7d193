"""A hand-built onboarding workspace whose activation is computed by hand in
tests/onboarding/test_onboarding_activation.py (and reused by the CLI and page tests)."""
from __future__ import annotations

import pandas as pd

CONTRACTS = pd.DataFrame({
    "account_id": ["a", "b", "c", "d", "e", "g"],
    "start_date": ["2024-01-01", "2024-01-01", "2024-01-15", "2024-02-01", "2025-11-01", "2024-01-01"],
    "end_date": [None, None, None, "2024-06-30", None, None],
    "mrr": [100.0, 100.0, 50.0, 80.0, 60.0, 40.0],
})
# a: day 4 and day 89 (= W - 1): activated on day 89; a row before the start is ignored.
# b: day 1 and day 90 (= W): not activated by W, activates later (day 90).
# c: no usage at all: not activated, never later.
# d: two rows on day 0 (users u1, u2) and one on day 1: activated on day 1 (active days), day 0 (users).
# e: started 60 days before the as-of, no usage: pending (counts within 30 and 60 days only).
# g: a zero-value row on day 9 (not active), active on day 10 and day 152: later activation.
# f: usage only (never a customer): no start with contracts.
USAGE = pd.DataFrame([
    ("a", "2023-12-20", "login", 1.0, "u1"), ("a", "2024-01-05", "login", 1.0, "u1"),
    ("a", "2024-03-30", "report", 3.0, "u2"),
    ("b", "2024-01-02", "login", 1.0, "u1"), ("b", "2024-03-31", "login", 1.0, "u1"),
    ("d", "2024-02-01", "login", 2.0, "u1"), ("d", "2024-02-01", "report", 1.0, "u2"),
    ("d", "2024-02-02", "login", 1.0, "u1"),
    ("g", "2024-01-10", "login", 0.0, "u1"), ("g", "2024-01-11", "login", 1.0, "u1"),
    ("g", "2024-06-01", "login", 1.0, "u1"),
    ("f", "2024-05-01", "login", 1.0, "u9"), ("f", "2025-12-31", "login", 1.0, "u9"),
], columns=["account_id", "event_date", "metric", "value", "user_id"])
ACCOUNTS = pd.DataFrame({"account_id": list("abcdefg"),
                         "segment": ["SMB", "SMB", "SMB", "ENT", "SMB", "SMB", "ENT"]})
