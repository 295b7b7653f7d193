"""Streamlit's "magic" is off (`.streamlit/config.toml`, `runner.magicEnabled = false`): it rewrote
each page script's syntax tree whenever a session started after the last one had closed. Turning
it off must not change a screen: no page may hold a bare expression that magic would write."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner import magic

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]


def magic_writes(path: Path) -> list[int]:
    """Line numbers of the expressions magic would write to the screen in the script at `path`."""
    tree = magic.add_magic(path.read_text(encoding="utf-8"), str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "transparent_write"]


def test_magic_is_off_in_the_app_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_no_page_relies_on_magic(script):
    assert magic_writes(script) == [], f"{script.name}: magic would write these lines; use st.write"


def test_a_bare_expression_is_found(tmp_path):
    script = tmp_path / "page.py"
    script.write_text('"""Docstring."""\nimport streamlit as st\n\nst.title("T")\ncount = 3\ncount\n')
    assert magic_writes(script) == [6]
