"""Parsing values that arrive in a URL (query parameters): anything may be there.

Each parser returns a value or None (the caller then falls back to its default); none raises.
"""
from __future__ import annotations

import re

MAX_PERIOD = 10_000
_ASCII_INT = re.compile(r"[0-9]{1,9}")


def parse_non_negative_int(text: object, maximum: int = MAX_PERIOD) -> int | None:
    """`text` as an int in [0, maximum] when it is written in ASCII digits only, else None.

    `str.isdigit()` is not enough: '²' and '٣' are digits to it, and int('²') raises."""
    value = str(text).strip() if text is not None else ""
    if not _ASCII_INT.fullmatch(value):
        return None
    number = int(value)
    return number if number <= maximum else None
