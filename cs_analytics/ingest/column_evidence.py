"""Evidence a whole staged column gives before its rows are parsed (validation.py): the day/month
order of its `31/03/2024`-style dates and the scale of its numeric sentiments."""
from __future__ import annotations

from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.validation import SLASH_DATE, trimmed

ORDER_NAMES = {"dmy": "day-first (dd/mm/yyyy)", "mdy": "month-first (mm/dd/yyyy)"}


def detect_date_order(cur, raw_col: str) -> tuple[str | None, str]:
    """Day/month order of a column's `31/03/2024`-style values, decided from the whole column.

    Returns ('dmy' | 'mdy' | None, evidence): 'dmy' when some first part is > 12 and no second
    part is, 'mdy' the other way round, (None, 'mixed') when both occur (the column mixes the two
    orders: no single order reads it, see `mixed_date_examples`), None when the column has no such
    values ('none') or every value is ambiguous ('ambiguous').
    """
    row = cur.execute(_order_evidence_sql(raw_col, "count(*), count(*) FILTER (WHERE a > 12), "
                                                   "count(*) FILTER (WHERE b > 12)")).fetchone()
    total, first_big, second_big = (int(x or 0) for x in row)
    if total == 0:
        return None, "none"
    if first_big and second_big:
        return None, "mixed"
    if first_big == 0 and second_big == 0:
        return None, "ambiguous"
    return ("dmy" if first_big else "mdy"), "evidence"


def _order_evidence_sql(raw_col: str, select: str) -> str:
    """A SELECT over the column's dd/mm-style values as (line, value, a = first part, b = second)."""
    v = trimmed(raw_col)
    return f"""WITH d AS (
                SELECT _line AS line, {v} AS value,
                       regexp_extract({v}, '^(\\d{{1,2}})[/.\\-](\\d{{1,2}})[/.\\-]', ['a', 'b']) AS parts
                FROM _raw
                WHERE {v} IS NOT NULL AND NOT ({v} LIKE '____-%') AND regexp_full_match({v}, '{SLASH_DATE}')
            ), e AS (SELECT line, value, CAST(parts.a AS INTEGER) AS a, CAST(parts.b AS INTEGER) AS b FROM d)
            SELECT {select} FROM e"""


def mixed_date_examples(cur, raw_col: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """The first day-first value (first part > 12) and the first month-first value, with lines."""
    row = cur.execute(_order_evidence_sql(
        raw_col, "arg_min(value, line) FILTER (WHERE a > 12), min(line) FILTER (WHERE a > 12), "
                 "arg_min(value, line) FILTER (WHERE b > 12), min(line) FILTER (WHERE b > 12)")).fetchone()
    return (row[0], int(row[1])), (row[2], int(row[3]))


def detect_sentiment_scale(cur, raw_col: str) -> tuple[str, int]:
    """('1-5' | '0-100', how many numeric values): 1-5 when every numeric value is within 1..5."""
    v = trimmed(raw_col)
    row = cur.execute(
        f"SELECT count(n), min(n), max(n) FROM (SELECT try_cast({v} AS DOUBLE) AS n FROM _raw) "
        "WHERE isfinite(n)"
    ).fetchone()
    count, low, high = int(row[0] or 0), row[1], row[2]
    if count and (low < 1 or high > 5):
        return "0-100", count
    return "1-5", count


def decide_date_order(cur, col: str, raw_col: str, explicit: str | None, notes: list[str],
                       file_name: str = "The file") -> str:
    """The day/month order used for `col`: the mapping's, else the column's evidence, else day-first.

    A column holding both day-first (31/03/2024) and month-first (03/31/2024) values is refused
    unless the mapping states the order: no single order reads it, and guessing one misreads
    every ambiguous date such as 04/05/2024.
    """
    detected, evidence = detect_date_order(cur, raw_col)
    if evidence == "mixed" and not explicit:
        (dmy_value, dmy_line), (mdy_value, mdy_line) = mixed_date_examples(cur, raw_col)
        raise IngestRefused(
            f"{file_name}: {col} mixes day-first dates ({dmy_value} on line {dmy_line}) and month-first "
            f"dates ({mdy_value} on line {mdy_line}), so a date like 04/05/2024 cannot be read safely; "
            "state the order (date_order 'dmy' or 'mdy' in the mapping, or the day/month order on the "
            "Data page) and the rows that do not fit it are quarantined.")
    if explicit:
        if detected and detected != explicit:
            notes.append(f"{col}: the mapping says {ORDER_NAMES[explicit]} although the values suggest "
                         f"{ORDER_NAMES[detected]}; rows that do not fit are quarantined.")
        return explicit
    if detected:
        if detected == "mdy":
            notes.append(f"{col}: dates read as {ORDER_NAMES['mdy']} (a second part above 12 was found).")
        return detected
    if evidence == "ambiguous":
        notes.append(f"{col}: every dd/mm vs mm/dd date is ambiguous (both parts 12 or less); "
                     f"assumed {ORDER_NAMES['dmy']}. Set date_order to 'mdy' in the mapping if they "
                     "are month-first.")
    return "dmy"
