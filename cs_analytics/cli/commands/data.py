"""CLI commands of the data group (see docs/spec/cli.md): `ingest`, `quarantine` and `clear`."""
from __future__ import annotations

import pandas as pd

from cs_analytics.cli.common import UserError, add_command, workspace_from
from cs_analytics.core.tables import TABLE_NAMES
from cs_analytics.ingest.clear import clear_table
from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.load import ingest_file
from cs_analytics.ingest.log import quarantine_rows


TABLE_HELP = f"one of {', '.join(TABLE_NAMES)}"


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = add_command(subparsers, common, "ingest", ingest_command, "validate and load one file into a canonical table",
                    "Validate FILE (CSV, TSV, Parquet, XLSX or JSON lines) and load it into TABLE; "
                    "bad rows are quarantined (see `quarantine`). Prints accepted and quarantined counts.")
    p.add_argument("table", choices=TABLE_NAMES, metavar="TABLE", help=TABLE_HELP)
    p.add_argument("file", metavar="FILE", help="the file to load")
    p.add_argument("--mapping", metavar="JSON",
                   help='a JSON file or inline JSON {"source header": "canonical column", ..., '
                        '"date_order": "dmy"|"mdy", "amounts_converted": true}')
    p.add_argument("--mode", choices=("replace", "append"), default="replace",
                   help="replace the table's rows (default) or append to them")
    p.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    p.add_argument("--user", help="who is loading (recorded in the upload log)")
    q = add_command(subparsers, common, "quarantine", quarantine_command,
                    "the rows refused by uploads, with line and reason",
                    "List the quarantined rows: table, file, line, column, reason and the raw row (JSON).")
    q.add_argument("table", nargs="?", choices=TABLE_NAMES, metavar="TABLE", help="only this table")
    c = add_command(subparsers, common, "clear", clear_command,
                    "empty one table on purpose (logged; flags and settings kept)",
                    "Delete every row of TABLE and its quarantined rows, rebuild the derived tables and "
                    "log the clearing in the upload log. Needs --confirm TABLE (the same table name).")
    c.add_argument("table", choices=TABLE_NAMES, metavar="TABLE", help=TABLE_HELP)
    c.add_argument("--confirm", metavar="TABLE", help="the table name again, to confirm")
    c.add_argument("--user", help="who is clearing (recorded in the upload log)")


def ingest_command(args) -> pd.DataFrame:
    ws = workspace_from(args)
    try:
        result = ingest_file(ws, args.table, args.file, mapping=args.mapping, mode=args.mode,
                             user=args.user, sheet=args.sheet)
    except IngestRefused as exc:
        raise UserError(str(exc)) from None
    return pd.DataFrame([{
        "table": result.table, "file": result.file_name,
        "accepted": result.rows_accepted, "quarantined": result.rows_quarantined,
        "stored": result.rows_stored,
    }])


def quarantine_command(args) -> pd.DataFrame:
    return quarantine_rows(workspace_from(args), args.table)


def clear_command(args) -> pd.DataFrame:
    if args.confirm != args.table:
        raise UserError(f"Clearing {args.table} deletes all its rows; repeat the table name to confirm "
                        f"(--confirm {args.table}).")
    try:
        result = clear_table(workspace_from(args), args.table, user=args.user)
    except IngestRefused as exc:
        raise UserError(str(exc)) from None
    return pd.DataFrame([{"table": result.table, "rows_deleted": result.rows_deleted,
                          "quarantined_deleted": result.quarantined_deleted}])
