"""Pre-renewal activity spikes: exact ratios on hand-made daily usage."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.reality.spikes import activity_spikes, spike_ratios, usage_around
from factories import build_workspace

E_FULL = dt.date(2024, 3, 31)      # 60 days after it are observed
E_PARTIAL = dt.date(2024, 5, 30)   # only 30 days after it are observed
AS_OF = dt.date(2024, 6, 29)


def _daily(account: str, start: dt.date, stop: dt.date, value: float) -> pd.DataFrame:
    days = pd.date_range(start, stop, freq="D")
    return pd.DataFrame({"account_id": account, "event_date": days, "value": value})


def _window(end: dt.date, first: int, last: int) -> tuple[dt.date, dt.date]:
    return end + dt.timedelta(days=first), end + dt.timedelta(days=last)


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "spikes.duckdb"
    usage = [
        # SPIKE: baseline 1/day over E-239..E-60 (180 -> 60 per 60 days), 2.5/day before (150),
        # 0.5/day after (30): ratio_before 2.5, ratio_after 0.5 -> flagged.
        _daily("SPIKE", *_window(E_FULL, -239, -60), 1.0),
        _daily("SPIKE", *_window(E_FULL, -59, 0), 2.5),
        _daily("SPIKE", *_window(E_FULL, 1, 60), 0.5),
        # PARTIAL: same before; 1/day for the 30 observed days after -> scaled 60 -> ratio 1.0.
        _daily("PARTIAL", *_window(E_PARTIAL, -239, -60), 1.0),
        _daily("PARTIAL", *_window(E_PARTIAL, -59, 0), 3.0),
        _daily("PARTIAL", *_window(E_PARTIAL, 1, 30), 1.0),
        # STAYS: spike, but usage stays high after (1.5/day -> ratio_after 1.5) -> not flagged.
        _daily("STAYS", *_window(E_FULL, -239, -60), 1.0),
        _daily("STAYS", *_window(E_FULL, -59, 0), 2.0),
        _daily("STAYS", *_window(E_FULL, 1, 60), 1.5),
        # YOUNG: history starts at E-100: the baseline window is not covered -> not flagged.
        _daily("YOUNG", *_window(E_FULL, -100, -60), 1.0),
        _daily("YOUNG", *_window(E_FULL, -59, 0), 5.0),
    ]
    contracts = pd.DataFrame({
        "account_id": ["SPIKE", "SPIKE", "PARTIAL", "STAYS", "YOUNG", "ZERO"],
        "start_date": ["2023-01-01", "2024-04-01", "2023-01-01", "2023-01-01", "2023-12-01", "2023-01-01"],
        "end_date": [E_FULL, None, E_PARTIAL, E_FULL, E_FULL, E_FULL],
        "mrr": 100.0,
    })
    workspace = build_workspace(path, contracts=contracts, usage=pd.concat(usage, ignore_index=True))
    yield workspace
    close_workspace(path)


def test_spike_ratios_exact(ws):
    frame = activity_spikes(ws, as_of=AS_OF).set_index("account_id")
    assert list(frame.columns[:4]) == ["contract_end", "ratio_before", "ratio_after", "flagged"]
    spike = frame.loc["SPIKE"]
    assert spike["contract_end"] == E_FULL
    assert (spike["usage_before"], spike["usage_baseline"], spike["usage_after"]) == (150.0, 180.0, 30.0)
    assert spike["ratio_before"] == pytest.approx(2.5) and spike["ratio_after"] == pytest.approx(0.5)
    assert spike["flagged"]
    partial = frame.loc["PARTIAL"]
    assert partial["days_after"] == 30
    assert partial["ratio_before"] == pytest.approx(3.0) and partial["ratio_after"] == pytest.approx(1.0)
    assert partial["flagged"]
    stays = frame.loc["STAYS"]
    assert stays["ratio_before"] == pytest.approx(2.0) and stays["ratio_after"] == pytest.approx(1.5)
    assert not stays["flagged"]
    young = frame.loc["YOUNG"]
    assert young["ratio_before"] == pytest.approx(300 / (41 / 3))
    assert not young["baseline_complete"] and not young["flagged"]
    zero = frame.loc["ZERO"]
    assert pd.isna(zero["ratio_before"]) and not zero["flagged"]
    assert sorted(frame.index[frame["flagged"]]) == ["PARTIAL", "SPIKE"]


def test_as_of_limits_the_contract_ends_and_the_after_window(ws):
    early = activity_spikes(ws, as_of=E_PARTIAL).set_index("account_id")
    assert "PARTIAL" in early.index and early.loc["PARTIAL", "days_after"] == 0
    assert pd.isna(early.loc["PARTIAL", "ratio_after"]) and not early.loc["PARTIAL", "flagged"]
    assert "PARTIAL" not in activity_spikes(ws, as_of=E_PARTIAL - dt.timedelta(days=1))["account_id"].tolist()


def test_spike_ratios_is_pure():
    frame = pd.DataFrame({"usage_before": [120.0], "usage_baseline": [90.0], "usage_after": [10.0],
                          "days_after": [20], "baseline_complete": [True]})
    out = spike_ratios(frame).iloc[0]
    assert out["ratio_before"] == pytest.approx(4.0) and out["ratio_after"] == pytest.approx(1.0)
    assert out["flagged"]


def test_usage_around_is_zero_filled_daily(ws):
    curve = usage_around(ws, "SPIKE", E_FULL, days=70)
    assert len(curve) == 141
    assert curve["days_from_end"].iloc[0] == -70 and curve["days_from_end"].iloc[-1] == 70
    by_offset = curve.set_index("days_from_end")["usage"]
    assert by_offset[-65] == 1.0 and by_offset[0] == 2.5 and by_offset[60] == 0.5 and by_offset[61] == 0.0
