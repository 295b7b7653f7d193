"""The figures quoted in docs equal what the code computes on the demo (scripts/doc_figures.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import DEMO_TEST_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("doc_figures", ROOT / "scripts" / "doc_figures.py")
doc_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(doc_figures)


def test_every_block_has_its_markers_in_its_doc():
    for name, doc in doc_figures.BLOCKS.items():
        assert doc_figures.block_in((ROOT / doc).read_text(encoding="utf-8"), name) is not None, (doc, name)


def test_rewrite_replaces_only_the_block():
    text = "before\n<!-- figures:start x -->\nold\n<!-- figures:end x -->\nafter\n"
    new = doc_figures.rewrite(text, "x", "new")
    assert new == "before\n<!-- figures:start x -->\nnew\n<!-- figures:end x -->\nafter\n"
    assert doc_figures.block_in(new, "x") == "new"


@pytest.mark.skipif(DEMO_TEST_ACCOUNTS != doc_figures.DEMO_ACCOUNTS, reason="the docs quote the 1,200-account demo")
def test_the_docs_figures_equal_the_code(demo_ws):
    blocks = doc_figures.figure_blocks(demo_ws)
    assert doc_figures.disagreements(blocks) == [], "run scripts/doc_figures.py and commit the docs"
