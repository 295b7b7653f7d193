"""One definition of an identifier as stored: what an account, contract or user id IS.

`normalise_id(text)` = Unicode NFKC, then every format character (category Cf: zero-width space,
zero-width joiner, BOM, soft hyphen, bidi marks) removed, then surrounding whitespace trimmed; an
id that is empty afterwards is None. `ACC\u200b-00001`, `ＡＣＣ-00001` and ` ACC-00001 ` all become
`ACC-00001`, so an invisible character never creates a look-alike account. Ingest applies it to
every id column (as the SQL function `cs_normalise_id`, see `register_sql`); the CLI and the app
apply it to an id typed by a user or passed in a link before looking it up.
"""
from __future__ import annotations

import unicodedata

import duckdb
from duckdb.sqltypes import VARCHAR

SQL_FUNCTION = "cs_normalise_id"
# ASCII is already NFKC and holds no format character: only other text needs the Python function.


def normalise_id(text: object) -> str | None:
    """The stored form of an id (see the module docstring); None for None or an empty result."""
    if text is None:
        return None
    value = unicodedata.normalize("NFKC", str(text))
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf").strip()
    return value or None


def register_sql(cur: duckdb.DuckDBPyConnection) -> None:
    """Make `cs_normalise_id(VARCHAR) -> VARCHAR` available on `cur`'s connection (idempotent).

    Called once when a connection opens (cs_analytics/db.py), before any cursor has a result.
    """
    try:
        cur.create_function(SQL_FUNCTION, normalise_id, [VARCHAR], VARCHAR,
                            null_handling="special", side_effects=False)
    except duckdb.Error as exc:  # already registered on this connection
        if "already" not in str(exc).lower():
            raise


def id_expr(v: str) -> str:
    """SQL for the normalised id of the text expression `v` (fast path for ASCII ids)."""
    # strlen counts bytes, length characters: they differ exactly when the text is not ASCII.
    return f"(CASE WHEN strlen({v}) <> length({v}) THEN {SQL_FUNCTION}({v}) ELSE {v} END)"
