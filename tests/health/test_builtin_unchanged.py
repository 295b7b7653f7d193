"""The six built-in measures, now definitions, give the same scores as before they were.

`data/builtin_scores_demo200_seed3.csv` was written by the hard-coded measures (before the switch
to definitions) for the demo with 200 accounts, seed 3, at three month-ends and one mid-month day.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.demo import build
from cs_analytics.demo.build import write_demo
from cs_analytics.health.scoring import score_snapshots

BASELINE = Path(__file__).parent / "data" / "builtin_scores_demo200_seed3.csv"


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """The demo as the baseline saw it: without the onboarding plant added after it was written
    (demo/onboarding.py edits usage on its own random stream; everything else is as it was)."""
    path = tmp_path_factory.mktemp("demo200") / "demo.duckdb"
    ws = open_workspace(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "plant_onboarding_signal", lambda rng, usage, book: usage)
        write_demo(ws, accounts=200, seed=3)
    yield ws
    close_workspace(path)


def test_builtin_scores_are_unchanged(small_demo):
    before = pd.read_csv(BASELINE, dtype={"account_id": str})
    before["as_of"] = pd.to_datetime(before["as_of"]).dt.date
    after = score_snapshots(small_demo, sorted(set(before["as_of"])))
    after = after[before.columns].sort_values(["as_of", "account_id"]).reset_index(drop=True)
    before = before.sort_values(["as_of", "account_id"]).reset_index(drop=True)
    assert list(after["account_id"]) == list(before["account_id"])
    assert list(after["band"].fillna("-")) == list(before["band"].fillna("-"))
    for col in before.columns[4:].tolist() + ["score"]:
        np.testing.assert_allclose(after[col].to_numpy(float), before[col].to_numpy(float),
                                   rtol=1e-8, atol=1e-7, err_msg=col)
