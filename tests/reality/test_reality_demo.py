"""Evidence on the demo data: planted cases are found (thresholds documented in docs/reality.md)."""
from __future__ import annotations

import pandas as pd

from cs_analytics.reality.quadrants import GREEN_BUT_FAILING, quadrants
from cs_analytics.reality.track_record import track_record
from cs_analytics.reality.spikes import activity_spikes

MIN_LIVE_GBF_SHARE = 0.6   # of planted, live, scored green-but-failing accounts in that quadrant
MIN_LIFT = 1.5             # green-but-failing churn rate / metric-green-without-red-signal rate
MIN_SPIKE_RECALL = 0.9     # planted spikes found at their contract end
MIN_SPIKE_PRECISION = 0.5  # flagged spikes that are planted


def _truth(ws) -> pd.DataFrame:
    return ws.query("SELECT * FROM demo_truth")


def test_planted_live_green_but_failing_land_in_their_quadrant(demo_ws):
    truth = _truth(demo_ws)
    frame = quadrants(demo_ws)
    live = truth[(truth["planted_case"] == "green_but_failing") & truth["gbf_live"].astype(bool)]
    live_scored = frame[frame["account_id"].isin(live["account_id"])]
    assert len(live_scored) >= 10
    share = (live_scored["quadrant"] == GREEN_BUT_FAILING).mean()
    assert share >= MIN_LIVE_GBF_SHARE, share
    # And the quadrant is not just everyone: most unplanted accounts are elsewhere.
    unplanted = frame[~frame["account_id"].isin(truth.loc[truth["planted_case"].notna(), "account_id"])]
    assert (unplanted["quadrant"] == GREEN_BUT_FAILING).mean() < 0.1


def test_track_record_shows_the_veto_carries_information(demo_ws):
    record = track_record(demo_ws)
    assert len(record.snapshots) >= 6
    assert record.green_but_failing.accounts >= 30
    assert record.lift is not None and record.lift > MIN_LIFT, record.sentence()
    assert "as often as metric-green accounts with no red signal" in record.sentence()


def test_planted_spikes_are_found(demo_ws):
    truth = _truth(demo_ws)
    planted = truth[truth["planted_case"] == "spike"][["account_id", "spike_contract_end"]].dropna()
    planted["contract_end"] = pd.to_datetime(planted["spike_contract_end"]).dt.date
    spikes = activity_spikes(demo_ws)
    flagged = spikes[spikes["flagged"]]
    found = planted.merge(flagged, on=["account_id", "contract_end"])
    assert len(planted) >= 5
    assert len(found) / len(planted) >= MIN_SPIKE_RECALL
    precision = flagged["account_id"].isin(planted["account_id"]).mean()
    assert precision >= MIN_SPIKE_PRECISION, precision
