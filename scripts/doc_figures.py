"""Write the figures the docs quote (AUC, lift, counts) from the code, so they cannot drift.

    .venv/bin/python scripts/doc_figures.py             # builds the demo (1,200 accounts, seed 7) in a temp dir
    .venv/bin/python scripts/doc_figures.py --check     # exit 1 when a doc disagrees, rewriting nothing
    .venv/bin/python scripts/doc_figures.py --workspace PATH   # an existing demo workspace

Each figure block sits in a doc between `<!-- figures:start NAME -->` and
`<!-- figures:end NAME -->`; everything between the markers is rewritten.
tests/core/test_doc_figures.py checks the docs against `figure_blocks` on the demo.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cs_analytics.core.db import Workspace, close_workspace, open_workspace  # noqa: E402
from cs_analytics.demo.build import write_demo  # noqa: E402
from cs_analytics.health.backtest import run_backtest  # noqa: E402
from cs_analytics.reality.track_record import track_record  # noqa: E402

DEMO_ACCOUNTS = 1200
DEMO_SEED = 7
HORIZON_DAYS = 90
BLOCKS = {  # block name -> the doc holding it
    "demo-backtest": "docs/demo.md",
    "health-backtest": "docs/health.md",
    "reality-track-record": "docs/reality.md",
}


def _pct(rate: float) -> str:
    return f"{rate:.1%}"


def _interval(result) -> str:
    low, high = result.evaluation.difference_interval
    return f"[{low:+.3f}, {high:+.3f}]"


def backtest_figures(ws: Workspace) -> tuple[str, str]:
    """(demo.md sentence, health.md sentence) from health.backtest.run_backtest at 90 days."""
    result = run_backtest(ws, HORIZON_DAYS)
    bands = result.per_band.set_index("band")["churn_rate"]
    demo = (f"the product's default health-score backtest gives **AUC {result.auc:.2f}** "
            f"({HORIZON_DAYS}-day horizon, {len(result.snapshot_dates)} month-end snapshots; fitted scorecard "
            f"{result.model_auc:.2f} on the test snapshots): real but imperfect signal.")
    health = (f"On this build: default score AUC {result.auc:.3f} over all snapshots (H = {HORIZON_DAYS}); "
              f"on the test snapshots the fitted scorecard's AUC is {result.model_auc:.3f} vs the default "
              f"score's {result.test_auc:.3f} (difference interval {_interval(result)}; "
              f"{'offered' if result.offered else 'not offered'}); churn per band {_pct(bands['red'])} (red) > {_pct(bands['yellow'])} "
              f"(yellow) > {_pct(bands['green'])} (green); {len(result.snapshot_dates)} snapshots, "
              f"{result.observations:,} account-snapshots, {result.churned:,} churn events "
              f"({result.test_churned:,} in the test snapshots).")
    return demo, health


def track_record_figures(ws: Workspace) -> str:
    """reality.md's evidence line from reality.track_record.track_record (the Reality page's call)."""
    record = track_record(ws, HORIZON_DAYS)
    first, last = record.snapshots[0], record.snapshots[-1]
    return (f"Track record ({HORIZON_DAYS}-day horizon, {len(record.snapshots)} month-end snapshots "
            f"{first:%Y-%m} to {last:%Y-%m}, as the Reality page computes it): {record.sentence()} "
            f"{record.red_sentence()}")


def figure_blocks(ws: Workspace) -> dict[str, str]:
    """The text of every figure block, computed on the demo workspace `ws`."""
    demo, health = backtest_figures(ws)
    return {"demo-backtest": demo, "health-backtest": health,
            "reality-track-record": track_record_figures(ws)}


def block_pattern(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- figures:start {re.escape(name)} -->\n)(.*?)(<!-- figures:end {re.escape(name)} -->)",
                      re.DOTALL)


def block_in(text: str, name: str) -> str | None:
    """The text between a block's markers in `text`, or None when the markers are missing."""
    match = block_pattern(name).search(text)
    return None if match is None else match.group(2).rstrip("\n")


def rewrite(text: str, name: str, body: str) -> str:
    pattern = block_pattern(name)
    if not pattern.search(text):
        raise ValueError(f"no figures block {name!r}")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(3), text)


def disagreements(blocks: dict[str, str]) -> list[str]:
    """The blocks whose doc text differs from the computed text."""
    return [f"{BLOCKS[name]}: {name}" for name, body in blocks.items()
            if block_in((ROOT / BLOCKS[name]).read_text(encoding="utf-8"), name) != body]


def demo_workspace(folder: Path) -> Path:
    path = folder / "demo.duckdb"
    ws = open_workspace(path)
    write_demo(ws, accounts=DEMO_ACCOUNTS, seed=DEMO_SEED)
    close_workspace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", help="a demo workspace (default: build one in a temp dir)")
    parser.add_argument("--check", action="store_true", help="only report docs that disagree")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.workspace) if args.workspace else demo_workspace(Path(folder))
        blocks = figure_blocks(open_workspace(path))
        close_workspace(path)
    if args.check:
        wrong = disagreements(blocks)
        print("\n".join(wrong) or "every figure in the docs agrees with the code")
        return 1 if wrong else 0
    for name, body in blocks.items():
        doc = ROOT / BLOCKS[name]
        doc.write_text(rewrite(doc.read_text(encoding="utf-8"), name, body), encoding="utf-8")
        print(f"{BLOCKS[name]}: {name}: {body}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
