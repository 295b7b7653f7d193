"""Row validation of an upload, done in DuckDB SQL over a staging table (no Python row loops).

The staging table `_raw` has `_line` (1-based file line, header = 1) and the file's columns as
`c0, c1, ...` (any type; everything is read through `CAST(.. AS VARCHAR)` and trimmed, except
columns stored as dates, timestamps or numbers, read by their type to the same values:
typed_columns.py). This
module builds the statement that turns it into `_parsed`: one row per input row with the parsed
canonical values (`p_<column>`), the first problem found (`_column`, `_reason`, NULL when the row
is accepted) and, for refused rows only, the row as read (`_raw_json`).

Definitions (data-contract.md):
- dates: ISO `2024-03-31`; ISO timestamps, converted to UTC when they carry a zone, then truncated
  to a date; `31/03/2024` or `03/31/2024` (also with `.` or `-`, 2- or 4-digit years) in ONE order
  per column, decided from the column as a whole (`detect_date_order`); Excel serial day numbers
  (5 digits, 1899-12-30 epoch); `31 Mar 2024`, `Mar 31, 2024`. Years outside 1900-2100 are refused.
- amounts: a plain number >= 0 (`1200.50`, `1200`, `1.2e3`) or one with comma thousands separators
  (`1,200.50`). A currency symbol or code in the amount (`$100`, `€1.000`, `100 EUR`) is a
  quarantine reason naming the symbol: the currency goes in the currency column, never guessed.
- ids (account_id, contract_id, user_id): normalised by `cs_analytics.core.ids.normalise_id` (NFKC,
  format characters such as zero-width spaces removed, trimmed).
- usage, assessment and NPS dates after the upload day (UTC) are quarantined as in the future.
- a nested JSON value (object or list) in a mapped column is quarantined (`ParseOptions.nested_cols`).
- sentiment: green/yellow/red (any case; amber = yellow); numbers on a 1-5 scale (1-2 red, 3 yellow,
  4-5 green) when every number of the column is within 1..5, else 0-100 (<40 red, <70 yellow,
  else green).
- NPS score: an integer 0-10 (`9.0` accepted as 9).
- boolean (outcomes.churned): true/false, yes/no, y/n, t/f, 1/0 (any case); a churned_at date
  implies churned, so `churned = false` with a churned_at is quarantined as a contradiction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cs_analytics.core.ids import id_expr
from cs_analytics.core.tables import TABLES, quote_identifier
from cs_analytics.ingest.typed_columns import shown_text, typed_parse_expr, typed_reading

DATE_KINDS = ("date", "timestamp_date")
MIN_YEAR, MAX_YEAR = 1900, 2100
SLASH_DATE = r"\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2}|\d{4})"
ZONED_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|z|UTC|[+-]\d{2}(:?\d{2})?)$"
EXCEL_SERIAL = r"\d{5}(\.\d+)?"
THOUSANDS = r"-?\d{1,3}(,\d{3})+(\.\d+)?"
# A currency sign or an ISO-like code next to digits: `$100`, `100 €`, `EUR 100`, `100USD`.
CURRENCY_SIGNS = "$€£¥₹₩₽₺₪¢"
CURRENCY_IN_AMOUNT = rf"([{CURRENCY_SIGNS}]|^\s*[A-Za-z]{{3}}\s*[-+.,\d]|[\d.]\s*[A-Za-z]{{3}}\s*$)"
ID_COLUMNS = ("account_id", "contract_id", "user_id")
FUTURE_CHECKED = {"usage": "event_date", "assessments": "assessed_at", "nps": "responded_at"}
TEXT_DATE_FORMATS = ["%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y"]

# What each table stores (besides upload_id), as expressions over the parsed columns.
STORED = {
    "accounts": {
        "account_id": "p_account_id",
        "account_name": "coalesce(p_account_name, p_account_id)",
        "segment": "p_segment", "csm_owner": "p_csm_owner", "plan": "p_plan",
        "industry": "p_industry", "region": "p_region", "created_at": "p_created_at",
    },
    "contracts": {
        "contract_id": "p_contract_id", "account_id": "p_account_id",
        "start_date": "p_start_date", "end_date": "p_end_date",
        "mrr": "coalesce(p_mrr, p_arr / 12.0)", "product": "p_product", "currency": "p_currency",
        "renewal_date": "p_renewal_date",
    },
    "usage": {
        "account_id": "p_account_id", "event_date": "p_event_date",
        "metric": "coalesce(p_metric, 'activity')", "value": "coalesce(p_value, 1.0)",
        "user_id": "p_user_id",
    },
    "assessments": {
        "account_id": "p_account_id", "assessed_at": "p_assessed_at", "sentiment": "p_sentiment",
        "sentiment_raw": "p_sentiment_raw", "csm": "p_csm", "reason": "p_reason", "note": "p_note",
    },
    "nps": {
        "account_id": "p_account_id", "responded_at": "p_responded_at", "score": "p_score",
        "comment": "p_comment",
    },
    "outcomes": {
        "account_id": "p_account_id", "churned": "coalesce(p_churned, p_churned_at IS NOT NULL)",
        "churned_at": "p_churned_at", "reason": "p_reason", "note": "p_note",
    },
}
HAS_UPLOAD_ID = {"contracts", "usage", "assessments", "nps", "outcomes"}
TRUE_WORDS = ("true", "yes", "y", "t", "1", "1.0")
FALSE_WORDS = ("false", "no", "n", "f", "0", "0.0")


@dataclass
class ParseOptions:
    """Column-level decisions taken before parsing (see `detect_*`)."""

    date_orders: dict[str, str] = field(default_factory=dict)   # column -> 'dmy' / 'mdy'
    sentiment_scale: str = "1-5"                                  # or '0-100'
    mode: str = "replace"
    upload_id: int = 0
    upload_day: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())
    nested_cols: set[str] = field(default_factory=set)            # raw columns with nested JSON values
    raw_types: dict[str, str] = field(default_factory=dict)       # raw column -> storage type (typed_columns.py)

    def reading(self, kind: str, raw_col: str | None) -> str | None:
        """How the raw column is read without its text (typed_columns.py), None for the text path."""
        return typed_reading(kind, self.raw_types.get(raw_col)) if raw_col else None


def trimmed(raw_col: str) -> str:
    """The raw value as trimmed text, NULL when empty."""
    return f"NULLIF(trim(CAST({raw_col} AS VARCHAR)), '')"


def _lit(text: str) -> str:
    """A SQL string literal for a constant WE wrote (formats); never used for user data."""
    assert "'" not in text
    return f"'{text}'"


def date_expr(v: str, order: str) -> str:
    """SQL parsing text `v` into a DATE (NULL when it is not a date); `order` is 'dmy' or 'mdy'."""
    first, second = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    long_fmt = _lit(f"{first}/{second}/%Y")
    short_fmt = _lit(f"{first}/{second}/%y")
    text_fmts = "[" + ", ".join(_lit(f) for f in TEXT_DATE_FORMATS) + "]"
    return f"""(CASE
        WHEN {v} IS NULL THEN NULL
        WHEN length({v}) <= 10 AND {v} LIKE '____-%' THEN try_cast({v} AS DATE)
        WHEN regexp_full_match({v}, '{SLASH_DATE}') THEN CAST(CASE
            WHEN regexp_full_match({v}, '.*\\d{{4}}')
            THEN try_strptime(regexp_replace({v}, '[.\\-]', '/', 'g'), {long_fmt})
            ELSE try_strptime(regexp_replace({v}, '[.\\-]', '/', 'g'), {short_fmt}) END AS DATE)
        WHEN regexp_full_match({v}, '{EXCEL_SERIAL}')
            THEN DATE '1899-12-30' + CAST(floor(CAST({v} AS DOUBLE)) AS INTEGER)
        WHEN regexp_matches({v}, '{ZONED_TIME}')
            THEN CAST(timezone('UTC', try_cast(regexp_replace({v}, '\\s*UTC$', 'Z') AS TIMESTAMPTZ)) AS DATE)
        ELSE coalesce(CAST(try_cast({v} AS TIMESTAMP) AS DATE),
                      CAST(try_strptime({v}, {text_fmts}) AS DATE))
    END)"""


def number_expr(v: str) -> str:
    """SQL parsing text `v` into a finite DOUBLE (NULL when not a number; no currency is stripped)."""
    slow = (f"try_cast(CASE WHEN regexp_full_match({v}, '{THOUSANDS}') "
            f"THEN replace({v}, ',', '') END AS DOUBLE)")
    parsed = f"coalesce(try_cast({v} AS DOUBLE), {slow})"
    return f"(CASE WHEN {v} IS NULL THEN NULL WHEN isfinite({parsed}) THEN {parsed} END)"


def sentiment_expr(v: str, scale: str) -> str:
    """SQL normalising a sentiment to green/yellow/red (NULL when not recognised)."""
    n = f"try_cast({v} AS DOUBLE)"
    if scale == "1-5":
        numeric = (f"CASE WHEN {n} < 1 OR {n} > 5 THEN NULL WHEN {n} < 2.5 THEN 'red' "
                   f"WHEN {n} < 3.5 THEN 'yellow' ELSE 'green' END")
    else:
        numeric = (f"CASE WHEN {n} < 0 OR {n} > 100 THEN NULL WHEN {n} < 40 THEN 'red' "
                   f"WHEN {n} < 70 THEN 'yellow' ELSE 'green' END")
    return f"""(CASE WHEN {v} IS NULL THEN NULL
        WHEN lower({v}) IN ('green', 'yellow', 'red') THEN lower({v})
        WHEN lower({v}) = 'amber' THEN 'yellow'
        WHEN isfinite({n}) THEN {numeric} END)"""


def nps_expr(v: str) -> str:
    n = f"try_cast({v} AS DOUBLE)"
    return (f"(CASE WHEN {n} BETWEEN 0 AND 10 AND {n} = floor({n}) "
            f"THEN CAST({n} AS INTEGER) END)")


def boolean_expr(v: str) -> str:
    """SQL reading text `v` as a BOOLEAN (NULL when it is not one of TRUE_WORDS / FALSE_WORDS)."""
    true_list = ", ".join(_lit(w) for w in TRUE_WORDS)
    false_list = ", ".join(_lit(w) for w in FALSE_WORDS)
    return (f"(CASE WHEN lower({v}) IN ({true_list}) THEN TRUE "
            f"WHEN lower({v}) IN ({false_list}) THEN FALSE END)")


def _parse_expr(kind: str, v: str, column: str, options: ParseOptions, raw_col: str | None = None) -> str:
    reading = options.reading(kind, raw_col)
    if reading:
        return typed_parse_expr(reading, v)
    if kind in DATE_KINDS:
        return date_expr(v, options.date_orders.get(column, "dmy"))
    if kind == "decimal":
        return number_expr(v)
    if kind == "nps_score":
        return nps_expr(v)
    if kind == "sentiment":
        return sentiment_expr(v, options.sentiment_scale)
    if kind == "boolean":
        return boolean_expr(v)
    return v


def _checks(table: str, present: list[str], colmap: dict[str, str] | None = None,
            options: ParseOptions | None = None) -> list[tuple[str, str, str]]:
    """(condition, column, reason expression) in the order they are tried; first match wins."""
    spec = TABLES[table]
    q = quote_identifier
    colmap = colmap or {}
    options = options or ParseOptions()
    checks: list[tuple[str, str, str]] = []
    for col in present:
        if colmap.get(col) in options.nested_cols:
            # colmap values are raw column names we generated (c0, c1, ...), never user text.
            checks.append((f"_line IN (SELECT line FROM _nested WHERE col = '{colmap[col]}')", col,
                           f"'nested JSON value (an object or a list, not one value): ' || left({q(col)}, 80)"))
    checks.append(("account_id IS NULL", "account_id", "'empty account_id'"))
    for col in present:
        c = spec.column(col)
        raw, parsed = q(col), f"p_{col}"
        typed = options.reading(c.kind, colmap.get(col)) is not None
        shown = shown_text(raw, typed)
        if c.required and col != "account_id":
            checks.append((f"{raw} IS NULL", col, f"'empty {col}'"))
        if c.kind in DATE_KINDS:
            checks.append((f"{raw} IS NOT NULL AND {parsed} IS NULL", col, f"'not a date: ' || {shown}"))
            checks.append((f"year({parsed}) NOT BETWEEN {MIN_YEAR} AND {MAX_YEAR}", col,
                           f"'implausible date: ' || {shown}"))
            if FUTURE_CHECKED.get(table) == col:
                checks.append((f"{parsed} > $upload_day", col,
                               f"'in the future (after the upload day ' || strftime($upload_day, '%Y-%m-%d') "
                               f"|| '): ' || {shown}"))
        elif c.kind == "decimal":
            if not typed:  # a stored number holds no currency sign
                checks.append((f"regexp_matches({raw}, '{CURRENCY_IN_AMOUNT}')", col,
                               f"'currency ' || regexp_extract({raw}, '[{CURRENCY_SIGNS}]|[A-Za-z]{{3}}') "
                               f"|| ' in the amount (give plain numbers, the currency goes in the currency column): ' "
                               f"|| {shown}"))
            checks.append((f"{raw} IS NOT NULL AND {parsed} IS NULL", col, f"'not a number: ' || {shown}"))
            word = "amount" if table == "contracts" else "value"
            checks.append((f"{parsed} < 0", col, f"'negative {word}: ' || {shown}"))
        elif c.kind == "nps_score":
            checks.append((f"{raw} IS NOT NULL AND {parsed} IS NULL", col,
                           f"'NPS score is not an integer 0-10: ' || {shown}"))
        elif c.kind == "sentiment":
            checks.append((f"{raw} IS NOT NULL AND {parsed} IS NULL", col,
                           f"'unrecognised sentiment (expected green/yellow/red, 1-5 or 0-100): ' || {shown}"))
        elif c.kind == "boolean":
            checks.append((f"{raw} IS NOT NULL AND {parsed} IS NULL", col,
                           f"'not true/false (expected true/false, yes/no or 1/0): ' || {shown}"))
    if table == "outcomes":
        checks.extend(_outcome_checks(present))
    if table == "contracts":
        amounts = [c for c in ("mrr", "arr") if c in present]
        if amounts:
            cond = " AND ".join(f"p_{c} IS NULL" for c in amounts)
            checks.append((cond, amounts[0], "'no mrr or arr'"))
        if "end_date" in present:
            checks.append(("p_end_date < p_start_date", "end_date",
                           "'end_date ' || strftime(p_end_date, '%Y-%m-%d') || ' is before start_date ' || strftime(p_start_date, '%Y-%m-%d')"))
        if "renewal_date" in present:
            checks.append(("p_renewal_date < p_start_date", "renewal_date",
                           "'renewal_date ' || strftime(p_renewal_date, '%Y-%m-%d') || ' is before start_date ' || strftime(p_start_date, '%Y-%m-%d')"))
    return checks


def _outcome_checks(present: list[str]) -> list[tuple[str, str, str]]:
    """A churn list row must say that the account churned, and not contradict itself."""
    first = "churned" if "churned" in present else "churned_at"
    checks = [("p_churned IS NULL AND p_churned_at IS NULL", first, "'no churned or churned_at'")]
    if "churned" in present and "churned_at" in present:
        checks.append(("NOT p_churned AND p_churned_at IS NOT NULL", "churned",
                       "'churned is false but churned_at is ' || strftime(p_churned_at, '%Y-%m-%d')"))
    return checks


def _staged_value(column: str, raw_col: str, kind: str, options: ParseOptions) -> str:
    """The value the checks see: the typed value itself, else the trimmed text (ids normalised)."""
    if options.reading(kind, raw_col):
        return raw_col
    return id_expr(trimmed(raw_col)) if column in ID_COLUMNS else trimmed(raw_col)


def parse_statement(table: str, colmap: dict[str, str], raw_cols: list[str], options: ParseOptions
                    ) -> tuple[str, dict]:
    """The CREATE TEMP TABLE _parsed statement and its named parameters (see `parse_select`)."""
    sql, params = parse_select(table, colmap, raw_cols, options)
    return "CREATE OR REPLACE TEMP TABLE _parsed AS\n" + sql, params


def parse_select(table: str, colmap: dict[str, str], raw_cols: list[str], options: ParseOptions
                 ) -> tuple[str, dict]:
    """The SELECT of `_parsed` over `_raw` (one row per staged row) and its named parameters.

    colmap: canonical column -> raw column (`c3`); raw_cols: every raw column, in file order (for
    the refused rows' JSON, keyed by parameters `$h<i>` the caller binds to the headers).
    """
    spec = TABLES[table]
    present = [c for c in spec.column_names if c in colmap]
    q = quote_identifier
    s_cols = [f"{_staged_value(c, colmap[c], spec.column(c).kind, options)} AS {q(c)}" for c in present]
    p_cols = [f"{_parse_expr(spec.column(c).kind, q(c), c, options, colmap[c])} AS p_{c}" for c in present]
    # Columns the stored expressions use but the file does not have are NULL.
    for col in spec.column_names:
        if col not in present:
            sql_type = {"decimal": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE"}.get(spec.column(col).kind, "VARCHAR")
            p_cols.append(f"CAST(NULL AS {sql_type}) AS p_{col}")
    if table == "contracts":
        p_cols = [e for e in p_cols if not e.endswith(" AS p_contract_id")]
        generated = "'U' || CAST($upload_id AS VARCHAR) || '-L' || CAST(_line AS VARCHAR)"
        cid = q("contract_id") if "contract_id" in present else "NULL"
        p_cols.append(f"coalesce({cid}, {generated}) AS p_contract_id")
        p_cols = [e for e in p_cols if not e.endswith(" AS p_currency")]
        cur_expr = f"upper({q('currency')})" if "currency" in present else "CAST(NULL AS VARCHAR)"
        p_cols.append(f"{cur_expr} AS p_currency")
    if table == "assessments":
        p_cols.append(f"{q('sentiment')} AS p_sentiment_raw")
    p_names = [e.rsplit(" AS ", 1)[1] for e in p_cols]
    checks = _checks(table, present, colmap, options)
    reason = "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, _, r in checks) + " END"
    column = "CASE " + " ".join(f"WHEN {c} THEN '{col}'" for c, col, _ in checks) + " END"

    key = {"contracts": "p_contract_id", "accounts": "p_account_id"}.get(table)
    dup_sql = "NULL"
    existing_sql = "NULL"
    if key:
        key_col = "contract_id" if table == "contracts" else "account_id"
        dup_sql = (f"CASE WHEN _reason IS NULL AND _first_line < _line THEN "
                   f"'duplicate {key_col} ' || left({key}, 80) || ' (first on line ' || CAST(_first_line AS VARCHAR) || ')' END")
        if options.mode == "append":
            target = "contracts" if table == "contracts" else "(SELECT account_id FROM accounts WHERE NOT coalesce(implicit, FALSE))"
            existing_sql = (f"CASE WHEN _reason IS NULL AND {key} IN (SELECT {key_col} FROM {target}) THEN "
                            f"'{key_col} ' || left({key}, 80) || ' is already loaded' END")
        first_line = f"min(_line) OVER (PARTITION BY {key}, (_reason IS NULL))"
    else:
        first_line = "_line"
    raw_json = "json_object(" + ", ".join(f"$h{i}, CAST({rc} AS VARCHAR)" for i, rc in enumerate(raw_cols)) + ")"
    key_col_name = "contract_id" if table == "contracts" else "account_id"
    sql = f"""
WITH s AS (
    SELECT _line, {', '.join(raw_cols)}, {', '.join(s_cols)} FROM _raw
),
p AS (SELECT s.*, {', '.join(p_cols)} FROM s),
r AS (SELECT p.*, {reason} AS _reason, {column} AS _column FROM p),
d AS (SELECT r.*, {first_line} AS _first_line FROM r),
f AS (
    SELECT d.* EXCLUDE (_reason, _column),
           coalesce(_reason, {dup_sql}, {existing_sql}) AS _reason,
           CASE WHEN _reason IS NOT NULL THEN _column
                WHEN coalesce({dup_sql}, {existing_sql}) IS NOT NULL THEN '{key_col_name}' END AS _column
    FROM d
)
SELECT _line, {', '.join(p_names)}, _reason, _column,
       CASE WHEN _reason IS NOT NULL THEN {raw_json} END AS _raw_json
FROM f
"""
    params: dict = {}
    if "$upload_id" in sql:
        params["upload_id"] = options.upload_id
    if "$upload_day" in sql:
        params["upload_day"] = options.upload_day
    return sql, params


def insert_statement(table: str) -> str:
    """INSERT of the accepted rows of `_parsed` into the canonical table ($upload_id bound)."""
    stored = STORED[table]
    cols = list(stored)
    exprs = list(stored.values())
    if table in HAS_UPLOAD_ID:
        cols.append("upload_id")
        exprs.append("$upload_id")
    col_sql = ", ".join(quote_identifier(c) for c in cols)
    return (f"INSERT INTO {quote_identifier(table)} ({col_sql}) "
            f"SELECT {', '.join(exprs)} FROM _parsed WHERE _reason IS NULL")
