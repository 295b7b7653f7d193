"""Workspaces: the DuckDB files in the data folder, one data set each.

The data folder is the folder of the default workspace ($CS_ANALYTICS_DB, else
data/workspace.duckdb). A workspace is a `*.duckdb` file in it; its display name is kept inside the
file (`workspace_info.display_name`), so renaming never moves a file. Names typed by users are
validated: only a plain file name inside the data folder, never a path.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from cs_analytics.core import config
from cs_analytics.core.db import Workspace, open_workspace
from cs_analytics.core.errors import WorkspaceError

SUFFIX = ".duckdb"
DISPLAY_NAME_KEY = "display_name"
MAX_NAME_CHARS = 60
# A plain file name: letters, digits, space, '_', '-', '.', starting with a letter or digit.
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]*")


def data_folder() -> Path:
    """The folder of the default workspace; every workspace of the app lives in it."""
    return config.workspace_path().resolve().parent


def list_workspaces(folder: Path | None = None) -> list[Path]:
    """The workspace files (`*.duckdb`) in the data folder, by file name."""
    folder = data_folder() if folder is None else folder
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob(f"*{SUFFIX}") if p.is_file()), key=lambda p: p.name.lower())


def workspace_file(name: str, folder: Path | None = None) -> Path:
    """The path of the workspace called `name` in the data folder, or WorkspaceError.

    `name` must be a plain file name (letters, digits, space, `_`, `-`, `.`; at most 60
    characters; no `..`); `.duckdb` is added when missing.
    """
    folder = (data_folder() if folder is None else folder).resolve()
    text = unicodedata.normalize("NFC", str(name)).strip()
    stem = text[: -len(SUFFIX)] if text.lower().endswith(SUFFIX) else text
    if (not stem or len(stem) > MAX_NAME_CHARS or not _FILE_NAME.fullmatch(stem)
            or ".." in stem or stem.endswith(".")):
        raise WorkspaceError(
            f"A workspace name is 1 to {MAX_NAME_CHARS} letters, digits, spaces, '_', '-' or '.', "
            "starting with a letter or digit, without '..'."
        )
    path = folder / f"{stem}{SUFFIX}"
    if path.resolve().parent != folder:
        raise WorkspaceError("A workspace name must be a plain file name inside the data folder.")
    return path


def create_workspace(name: str, folder: Path | None = None) -> Path:
    """Create an empty workspace file called `name` in the data folder; refuses an existing one."""
    path = workspace_file(name, folder)
    if path.exists():
        raise WorkspaceError(f"A workspace called {path.stem} already exists; choose another name.")
    ws = open_workspace(path)
    rename_workspace(ws, name)
    return path


def display_name(ws: Workspace) -> str:
    """The workspace's display name, else its file name without `.duckdb`."""
    value = ws.scalar("SELECT value FROM workspace_info WHERE key = ?", [DISPLAY_NAME_KEY])
    return value or ws.path.stem


def rename_workspace(ws: Workspace, name: str) -> str:
    """Set the display name kept in the workspace (1 to 60 printable characters); returns it."""
    text = " ".join(unicodedata.normalize("NFC", str(name)).split())
    if text.lower().endswith(SUFFIX):
        text = text[: -len(SUFFIX)].strip()
    if not text or len(text) > MAX_NAME_CHARS or not all(ch.isprintable() for ch in text) \
            or any(unicodedata.category(ch) == "Cf" for ch in text):
        raise WorkspaceError(f"A workspace name is 1 to {MAX_NAME_CHARS} printable characters.")
    with ws.transaction() as cur:
        cur.execute("DELETE FROM workspace_info WHERE key = ?", [DISPLAY_NAME_KEY])
        cur.execute("INSERT INTO workspace_info (key, value) VALUES (?, ?)", [DISPLAY_NAME_KEY, text])
    return text
