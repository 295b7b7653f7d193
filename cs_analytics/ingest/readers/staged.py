"""What staging a file produced, and the header checks every format shares."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from cs_analytics.ingest.errors import IngestRefused

# A read where most rows do not fit the header is a misread file, not a file with a few bad rows.
MAX_BAD_SHARE = 0.5


@dataclass
class StagedFile:
    headers: list[str]
    format: str
    rows: int
    bad_rows: int
    notes: list[str] = field(default_factory=list)
    nested_cols: list[str] = field(default_factory=list)   # raw columns (c3) holding a nested JSON value


def refuse_duplicate_headers(headers: list[str], file_name: str) -> None:
    """Two columns with the same header cannot be told apart by a mapping: refuse, naming them."""
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        key = header.strip()
        if key in seen:
            raise IngestRefused(
                f"{file_name} has the header {key!r} twice (columns {seen[key]} and {position}); rename or "
                "remove one so that every column has its own name.")
        seen[key] = position


def check_headers(headers: list[str], file_name: str) -> None:
    if not headers:
        raise IngestRefused(f"{file_name} has no header row.")
    data_like = re.compile(r"^\s*[-+]?[\d.,/:\sTZ-]+\s*$")
    if all(data_like.match(h or "") for h in headers):
        raise IngestRefused(f"{file_name} has no header row: its first line looks like data "
                            f"({', '.join(headers[:5])}).")


def first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^[A-Za-z ]*Error:\s*", "", text)
    return text.rstrip(".")[:200]
