"""The house rules of docs/architecture.md, checked on the tree.

- the module map names every package and module of cs_analytics/, and nothing that does not exist;
- no module is over 400 lines;
- the library never imports streamlit (nor the app's ui/);
- no page runs SQL or groups a frame (pages lay out a view's typed result).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "cs_analytics"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_LINES = 400
MAP_ROW = re.compile(r"^\| `([A-Za-z0-9_/]+(?:\.py|/))` \|", re.MULTILINE)
PAGE_FORBIDDEN_CALLS = {"query", "query_named", "scalar", "execute", "groupby"}


def python_files(*roots: Path) -> list[Path]:
    files = []
    for root in roots:
        files += [root] if root.is_file() else sorted(root.rglob("*.py"))
    return [f for f in files if ".venv" not in f.parts]


def library_tree() -> set[str]:
    """Every module (minus __init__.py) and package of cs_analytics/, relative to it."""
    modules = {p.relative_to(LIBRARY).as_posix() for p in LIBRARY.rglob("*.py") if p.name != "__init__.py"}
    packages = {p.parent.relative_to(LIBRARY).as_posix() + "/" for p in LIBRARY.rglob("__init__.py")
                if p.parent != LIBRARY}
    return modules | packages


def mapped() -> set[str]:
    return set(MAP_ROW.findall(ARCHITECTURE.read_text(encoding="utf-8")))


def test_every_package_and_module_is_in_the_map():
    missing = sorted(library_tree() - mapped())
    assert not missing, f"add these to the module map of docs/architecture.md: {missing}"


def test_the_map_names_only_what_exists():
    gone = sorted(mapped() - library_tree())
    assert not gone, f"the module map of docs/architecture.md names what does not exist: {gone}"


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in python_files(LIBRARY, ROOT / "ui", ROOT / "app_pages", ROOT / "app.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", python_files(LIBRARY), ids=lambda p: str(p.relative_to(LIBRARY)))
def test_the_library_never_imports_streamlit_or_ui(path):
    bad = {m for m in imported_modules(path) if m.split(".")[0] in ("streamlit", "ui")}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def forbidden_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"line {node.lineno}: .{node.func.attr}(...)" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in PAGE_FORBIDDEN_CALLS]


@pytest.mark.parametrize("path", python_files(ROOT / "app_pages"), ids=lambda p: p.name)
def test_no_page_runs_sql_or_groups_a_frame(path):
    calls = forbidden_calls(path)
    assert not calls, f"{path.relative_to(ROOT)} runs SQL or groups a frame (move it to cs_analytics/views/): {calls}"
