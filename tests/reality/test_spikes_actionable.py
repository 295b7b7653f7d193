"""Spikes a CSM can act on (issue 11): names, MRR, owner and band beside each spike, newest
contract end first, the last 365 days by default; and renewals coming up with usage already
rising (RISING_RULE), checked against hand-made daily usage."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.reality.spikes import (
    ACTIONABLE_COLUMNS, RISING_COLUMNS, actionable_spikes, activity_spikes, rising_renewals,
)
from factories import build_workspace

AS_OF = dt.date(2024, 6, 30)


def _daily(account: str, first: dt.date, last: dt.date, value: float) -> pd.DataFrame:
    return pd.DataFrame({"account_id": account, "event_date": pd.date_range(first, last, freq="D"), "value": value})


def _spike(account: str, end: dt.date) -> list[pd.DataFrame]:
    """1/day baseline, 3/day in the 60 days before `end`, 0.5/day after: a flagged spike."""
    d = dt.timedelta
    return [_daily(account, end - d(239), end - d(60), 1.0), _daily(account, end - d(59), end, 3.0),
            _daily(account, end + d(1), end + d(60), 0.5)]


def _recent(account: str, last_60: float, first_day: dt.date) -> list[pd.DataFrame]:
    """1/day from first_day to as_of-60, then `last_60` per day up to as_of."""
    split = AS_OF - dt.timedelta(days=60)
    return [_daily(account, first_day, split, 1.0), _daily(account, split + dt.timedelta(days=1), AS_OF, last_60)]


ENDS = {"OLD": dt.date(2022, 12, 31), "MID": dt.date(2023, 9, 30), "NEW": dt.date(2024, 3, 31),
        "BIG": dt.date(2024, 3, 31)}
LONG_AGO = dt.date(2023, 1, 1)


@pytest.fixture
def ws(tmp_path):
    usage = [frame for account, end in ENDS.items() for frame in _spike(account, end)]
    usage += _recent("RISING", 1.5, LONG_AGO)        # exactly 1.5x: listed
    usage += _recent("SOON", 2.0, LONG_AGO)          # 2x, renews sooner: listed first
    usage += _recent("FLAT", 1.4, LONG_AGO)          # 1.4x: not listed
    usage += _recent("YOUNG", 3.0, AS_OF - dt.timedelta(days=100))  # baseline not covered
    usage += _recent("LATER", 3.0, LONG_AGO)         # renews in 120 days: outside the window
    accounts = ["OLD", "MID", "NEW", "BIG", "RISING", "SOON", "FLAT", "YOUNG", "LATER"]
    ends = [ENDS.get(a) for a in accounts[:4]] + [AS_OF + dt.timedelta(days=n) for n in (80, 10, 30, 30, 120)]
    contracts = pd.DataFrame({"account_id": accounts, "start_date": "2022-01-01", "end_date": ends,
                              "mrr": [100.0, 100.0, 100.0, 900.0, 50.0, 60.0, 70.0, 80.0, 90.0]})
    path = tmp_path / "actionable.duckdb"
    workspace = build_workspace(
        path, usage=pd.concat(usage, ignore_index=True), contracts=contracts,
        accounts=pd.DataFrame({"account_id": accounts, "account_name": [f"{a.title()} Inc" for a in accounts],
                               "csm_owner": "Priya Raman"}))
    yield workspace
    close_workspace(path)


def _accounts(ws) -> pd.DataFrame:
    """The account columns a page has at hand (the quadrants frame's): name, MRR, owner, band."""
    frame = ws.query("SELECT account_id, account_name, csm_owner FROM accounts")
    mrr = {"BIG": 900.0}
    return frame.assign(mrr=frame["account_id"].map(mrr).fillna(100.0), band="green")


def test_spikes_newest_first_with_name_mrr_owner_band_last_year_by_default(ws):
    spikes = activity_spikes(ws, AS_OF)
    assert set(spikes.loc[spikes["flagged"], "account_id"]) == set(ENDS)
    recent = actionable_spikes(spikes, _accounts(ws), AS_OF)
    assert list(recent.columns) == ACTIONABLE_COLUMNS
    # Newest end first; on the same day the larger MRR first; OLD (18 months ago) left out.
    assert recent["account_id"].tolist() == ["BIG", "NEW", "MID"]
    assert recent.iloc[0][["account_name", "mrr", "csm_owner", "band"]].tolist() == ["Big Inc", 900.0, "Priya Raman", "green"]
    everything = actionable_spikes(spikes, _accounts(ws), AS_OF, recent_days=None)
    assert everything["account_id"].tolist() == ["BIG", "NEW", "MID", "OLD"]
    assert everything["contract_end"].is_monotonic_decreasing


def test_renewals_with_usage_already_rising(ws):
    rising = rising_renewals(ws, _accounts(ws), AS_OF)
    assert list(rising.columns) == RISING_COLUMNS
    assert rising["account_id"].tolist() == ["SOON", "RISING"]  # soonest renewal first
    soon = rising.iloc[0]
    assert soon["days_to_renewal"] == 10 and soon["renewal_date"] == AS_OF + dt.timedelta(days=10)
    assert (soon["usage_last_60d"], soon["usual_60d"]) == (120.0, 60.0)
    assert soon["ratio"] == pytest.approx(2.0)
    assert rising.iloc[1]["ratio"] == pytest.approx(1.5)
    assert rising_renewals(ws, _accounts(ws), AS_OF, within_days=9).empty


def test_spike_lists_name_accounts_that_are_not_scored(ws):
    """An account that left after its renewal has no score, but the CSM still needs its name and
    owner beside the spike; its MRR reads 0 and its band is blank."""
    from cs_analytics.reality.spikes import spike_account_columns

    scored = _accounts(ws)[lambda f: f["account_id"] != "MID"]
    columns = spike_account_columns(ws, scored)
    row = actionable_spikes(activity_spikes(ws, AS_OF), columns, AS_OF).set_index("account_id").loc["MID"]
    assert (row["account_name"], row["csm_owner"]) == ("Mid Inc", "Priya Raman")
    assert pd.isna(row["band"]) and row["mrr"] == 0.0
