"""How much of the machine a workspace connection may use: DuckDB's memory limit, spill directory
and thread count, chosen on purpose (docs/performance.md, "Memory settings").

Defaults keep a 100M-row usage ingest under 6 GB on a 24 GB machine: the memory limit is the
smaller of 4 GB and a quarter of RAM; above it DuckDB spills sorts, groupings and joins to
`<workspace file>.tmp/` beside the workspace (DuckDB removes its spill files when the connection
closes); threads are the machine's cores. Each is overridable by an environment variable:
`CS_ANALYTICS_MEMORY_LIMIT` ("4GB", "512MB", "25%" of RAM), `CS_ANALYTICS_TEMP_DIR` (a directory),
`CS_ANALYTICS_THREADS` (a whole number >= 1). A value that cannot be read raises WorkspaceError
naming the variable, before the workspace is opened.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from cs_analytics.core.errors import WorkspaceError

MEMORY_LIMIT_ENV = "CS_ANALYTICS_MEMORY_LIMIT"
TEMP_DIR_ENV = "CS_ANALYTICS_TEMP_DIR"
THREADS_ENV = "CS_ANALYTICS_THREADS"
DEFAULT_MEMORY_CAP_BYTES = 4 * 1024**3
DEFAULT_MEMORY_FRACTION_OF_RAM = 0.25
_MEMORY_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KIB|MIB|GIB|TIB|%)\s*$", re.IGNORECASE)
_UNIT_BYTES = {"KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
               "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4}


def total_ram_bytes() -> int:
    """The machine's physical memory (0 when the platform does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def memory_limit_bytes(environ: dict | None = None) -> int:
    """The DuckDB memory limit in bytes: the variable's value, else min(4 GB, RAM / 4)."""
    env = os.environ if environ is None else environ
    text = env.get(MEMORY_LIMIT_ENV, "").strip()
    ram = total_ram_bytes()
    if not text:
        quarter = int(ram * DEFAULT_MEMORY_FRACTION_OF_RAM) if ram else DEFAULT_MEMORY_CAP_BYTES
        return min(DEFAULT_MEMORY_CAP_BYTES, quarter)
    match = _MEMORY_RE.match(text)
    if not match or float(match.group(1)) <= 0:
        raise WorkspaceError(
            f"{MEMORY_LIMIT_ENV}={text!r} is not a memory size; use e.g. 4GB, 512MB or 25% (of RAM).")
    amount, unit = float(match.group(1)), match.group(2).upper()
    if unit == "%":
        if amount > 100 or not ram:
            raise WorkspaceError(f"{MEMORY_LIMIT_ENV}={text!r}: a share of RAM must be at most 100%"
                                 " on a machine that reports its RAM; give a size such as 4GB.")
        return int(ram * amount / 100)
    return int(amount * _UNIT_BYTES[unit])


def thread_count(environ: dict | None = None) -> int:
    """DuckDB worker threads: the variable's value, else the machine's cores."""
    env = os.environ if environ is None else environ
    text = env.get(THREADS_ENV, "").strip()
    if not text:
        return max(1, os.cpu_count() or 1)
    if not text.isdigit() or int(text) < 1:
        raise WorkspaceError(f"{THREADS_ENV}={text!r} is not a whole number of threads (1 or more).")
    return int(text)


def temp_directory(workspace_path: Path, environ: dict | None = None) -> Path:
    """Where DuckDB spills: the variable's directory, else `<workspace file>.tmp/` beside it."""
    env = os.environ if environ is None else environ
    text = env.get(TEMP_DIR_ENV, "").strip()
    if not text:
        return workspace_path.with_name(workspace_path.name + ".tmp")
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise WorkspaceError(f"{TEMP_DIR_ENV}={text!r} is a file, not a directory for DuckDB's spill files.")
    return path


def connection_config(workspace_path: Path, environ: dict | None = None) -> dict[str, str]:
    """The DuckDB `config` for a workspace connection (every setting above, as DuckDB text)."""
    return {
        "memory_limit": f"{memory_limit_bytes(environ) // (1024 * 1024)}MiB",
        "temp_directory": str(temp_directory(workspace_path, environ)),
        "threads": str(thread_count(environ)),
    }
