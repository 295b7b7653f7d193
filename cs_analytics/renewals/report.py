"""Every renewals figure at one as-of, computed once for the page and the CLI.

Upcoming renewals (due in (as_of, as_of + N days]) carry the health band on the as-of with any
active CSM flag override (reality.overrides), the likelihood to renew (renewals.likelihood, the
horizon to each due date), the CSM's call in force, MRR at risk = (1 - likelihood) x expiring
MRR (sorted by it, largest first) and whether model and call disagree (renewals.calls).
The model is fitted on every account's past renewals; the account filter selects what is shown.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.derived import data_stamp
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.settings import get_setting
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import active_scorecard
from cs_analytics.health.scoring import score_snapshots
from cs_analytics.reality.overrides import apply_overrides
from cs_analytics.renewals import forecast, likelihood, records
from cs_analytics.renewals.calls import calls_in_force, disagrees

UPCOMING_COLUMNS = ["account_id", "account_name", "csm_owner", "due_date", "days_to_due", "expiring_mrr",
                    "band", "score", "override_label", "likelihood", "mrr_at_risk", "call", "call_note",
                    "call_by", "disagrees", "first_year"]
NOT_SCORED = "not scored"


@dataclass(frozen=True)
class RenewalsReport:
    """Renewals at one as-of. upcoming: UPCOMING_COLUMNS for every renewal due up to the forecast
    horizon (`within` selects a window); history: records.history; by_band: rates by band 90 days
    before the due date; check: the model's held-out check; forecast: per quarter; past_forecasts:
    the held-out forecasts of past quarters against what renewed (every account); calls_track:
    forecast.track_record; model_problem: why there is no likelihood (None when there is)."""

    as_of: dt.date | None
    target_rate: float
    upcoming_all: pd.DataFrame
    history: pd.DataFrame
    totals_first_year: dict
    totals_later: dict
    by_band: pd.DataFrame
    check: likelihood.Backtest
    forecast: pd.DataFrame
    past_forecasts: pd.DataFrame
    calls_track: dict
    model_problem: str | None
    training_renewals: int
    renewals_seen: int

    def within(self, days: int) -> pd.DataFrame:
        """Upcoming renewals due within `days` of the as-of, largest MRR at risk first."""
        if self.as_of is None or self.upcoming_all.empty:
            return self.upcoming_all
        last = self.as_of + dt.timedelta(days=int(days))
        return self.upcoming_all[self.upcoming_all["due_date"] <= last].reset_index(drop=True)

    @property
    def disagreements(self) -> pd.DataFrame:
        """Upcoming renewals where the model and the CSM's call disagree."""
        if self.upcoming_all.empty:
            return self.upcoming_all
        return self.upcoming_all[self.upcoming_all["disagrees"]].reset_index(drop=True)


def scored_upcoming(ws: "Workspace", rows: pd.DataFrame, day: dt.date, model: likelihood.RenewalModel,
                    calls_as_of: dt.date | None) -> pd.DataFrame:
    """UPCOMING_COLUMNS for upcoming renewal rows, scored on `day`."""
    scores = score_snapshots(ws, [day], active_scorecard(ws))
    keep = ["account_id", "score", "band", *likelihood.measure_columns(scores)]
    out = rows.merge(scores[keep], on="account_id", how="left")
    out["horizon_days"] = [(d - day).days for d in out["due_date"]]
    out["days_to_due"] = out["horizon_days"]
    scored = out["score"].notna().to_numpy()
    out["likelihood"] = np.nan
    if scored.any():
        out.loc[scored, "likelihood"] = model.predict(out[scored])
    out["mrr_at_risk"] = (1.0 - out["likelihood"]) * out["expiring_mrr"]
    overridden = apply_overrides(ws, out[["account_id", "band", "score"]].drop_duplicates("account_id"), calls_as_of)
    out = out.merge(overridden[["account_id", "effective_band", "override_label"]], on="account_id", how="left")
    out["band"] = out["effective_band"].where(out["effective_band"].notna(), NOT_SCORED)
    calls = calls_in_force(ws, calls_as_of).rename(
        columns={"note": "call_note", "user_name": "call_by"})[["account_id", "due_date", "call", "call_note", "call_by"]]
    out = out.merge(calls, on=["account_id", "due_date"], how="left")
    out["call"] = out["call"].astype(object).where(out["call"].notna(), None)
    out["disagrees"] = [disagrees(p, c) for p, c in zip(out["likelihood"], out["call"])]
    out = out.sort_values(["mrr_at_risk", "expiring_mrr", "account_id"], ascending=[False, False, True],
                          na_position="last")
    return out[UPCOMING_COLUMNS].reset_index(drop=True)


def band_before_due(observed: pd.DataFrame, past: pd.DataFrame) -> pd.DataFrame:
    """past renewals with band_before: the metric band at the last month-end 90 days before the
    due date (NOT_SCORED when the account was not scored then)."""
    lead = observed[observed["lead_days"] == config.RENEWAL_FEATURE_LEAD_DAYS][["account_id", "due_date", "band"]]
    out = past.merge(lead.rename(columns={"band": "band_before"}), on=["account_id", "due_date"], how="left")
    out["band_before"] = out["band_before"].where(out["band_before"].notna(), NOT_SCORED)
    return out


_FITTED: "OrderedDict[tuple, tuple]" = OrderedDict()
_FITTED_LOCK = threading.Lock()
FITTED_ENTRIES = 8


def fitted_model(ws: "Workspace", day: dt.date | None, past: pd.DataFrame) -> tuple:
    """(observations, model, held-out check) of the past renewals at `day`. This is the slow part
    (every past renewal scored at its lead snapshots, the fit, the held-out check) and it reads only
    the input tables and the scorecard, so it is kept per (workspace, data build, scorecard, day):
    recording a call, a flag or a task, which change neither, does not refit."""
    scorecard = active_scorecard(ws)
    key = (str(ws.path), data_stamp(ws), scorecard.to_json(), day)
    with _FITTED_LOCK:
        if key in _FITTED:
            _FITTED.move_to_end(key)
            return _FITTED[key]
    observed = likelihood.observations(ws, past, scorecard) if day else past
    result = (observed, likelihood.fit_model(observed), likelihood.backtest(observed))
    with _FITTED_LOCK:
        _FITTED[key] = result
        while len(_FITTED) > FITTED_ENTRIES:
            _FITTED.popitem(last=False)
    return result


def renewals_report(ws: "Workspace", as_of=None, account_filter: AccountFilter = NO_FILTER,
                    within_days: int = max(config.RENEWAL_WINDOWS_DAYS)) -> RenewalsReport:
    """Everything the Renewals page and the `renewals` command show (as_of None: the as-of in
    force, with calls and flags up to now); upcoming renewals are scored up to within_days after
    the as-of (and at least to the end of the next quarter, for the forecast)."""
    day = resolve_as_of(ws, as_of)
    calls_as_of = resolve_as_of(ws, as_of) if as_of is not None else None
    target = float(get_setting(ws, "target_renewal_rate"))
    everyone = records.renewals(ws, day)
    past = records.past_renewals(everyone)
    observed, model, check = fitted_model(ws, day, past)
    shown = keep_filtered(ws, everyone, account_filter)
    upcoming = pd.DataFrame(columns=UPCOMING_COLUMNS)
    if day is not None:
        last = forecast.forecast_horizon_end(day)
        ahead = max(last, day + dt.timedelta(days=int(within_days)))
        rows = shown[(shown["due_date"] > day) & (shown["due_date"] <= ahead)]
        upcoming = scored_upcoming(ws, rows, day, model, calls_as_of)
    past_shown = keep_filtered(ws, past, account_filter)
    banded = band_before_due(observed, past_shown) if len(past_shown) else past_shown.assign(band_before=[])
    due_ahead = upcoming[upcoming["due_date"] <= forecast.forecast_horizon_end(day)] if day else upcoming
    scored = forecast.scored_calls(past_shown, calls_in_force(ws, calls_as_of), check.held_out)
    return RenewalsReport(
        as_of=day, target_rate=target, upcoming_all=upcoming,
        history=records.history(past_shown),
        totals_first_year=records.rates(past_shown[past_shown["first_year"]]),
        totals_later=records.rates(past_shown[~past_shown["first_year"]]),
        by_band=records.rates_by_group(banded, "band_before", (*BANDS, NOT_SCORED)),
        check=check, forecast=forecast.quarter_forecast(due_ahead, target),
        past_forecasts=forecast.past_quarter_forecasts(check.held_out, past),
        calls_track=forecast.track_record(scored), model_problem=model.problem,
        training_renewals=model.training_renewals, renewals_seen=len(shown),
    )


if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace
