"""Reading a user's file into a staging table of text columns with line numbers, or refusing it.

Formats: CSV (delimiter sniffed by DuckDB, quoted fields, UTF-8 with or without BOM, Latin-1
fallback), TSV, Parquet, Excel .xlsx (first sheet unless chosen), JSON lines (or a JSON array of
objects). `stage_file(cur, ...)` creates, on a DuckDB cursor, the temp tables

- `_raw`: `_line` (1-based file line; header = line 1; row number + 1 for Parquet/Excel) and the
  file's columns as `c0, c1, ...` in file order (headers are kept apart, never spliced into SQL);
- `_bad`: `line, reason, raw` for rows that could not be split into the header's fields (ragged
  rows, malformed JSON lines); they are quarantined, never dropped.

`read_table_file` does the same on a private in-memory DuckDB and returns a `RawTable` (for
previews and tests). A file that cannot be read at all raises `IngestRefused` with one sentence.
"""
from cs_analytics.ingest.readers.source import (
    EXTENSIONS, FORMAT_NAMES, UPLOAD_TYPES, LocalFile, detect_format, materialise, source_name,
)
from cs_analytics.ingest.readers.staged import StagedFile
from cs_analytics.ingest.readers.staging import RawTable, read_table_file, stage_file

__all__ = [
    "EXTENSIONS", "FORMAT_NAMES", "UPLOAD_TYPES", "LocalFile", "RawTable", "StagedFile", "detect_format",
    "materialise", "read_table_file", "source_name", "stage_file",
]
