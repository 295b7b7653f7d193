"""The renewal model is fitted once per data build and scorecard: a call does not refit it (the
page answers at once after a call), a data write does (no stale likelihood)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.demo.build import write_demo
from cs_analytics.ingest.load import ingest_dataframe
from cs_analytics.renewals import likelihood, report
from cs_analytics.renewals.calls import record_call


def test_a_call_reuses_the_fit_and_a_data_write_refits(tmp_path, monkeypatch):
    path = tmp_path / "cache.duckdb"
    ws = open_workspace(path)
    write_demo(ws, accounts=200, seed=3)
    fits = []
    real_fit = likelihood.fit_model
    monkeypatch.setattr(likelihood, "fit_model", lambda rows: fits.append(1) or real_fit(rows))
    try:
        first = report.renewals_report(ws)
        fits_per_report = len(fits)  # the model, and the held-out check's own fit
        assert fits_per_report >= 1
        row = first.upcoming_all.iloc[0]
        record_call(ws, row["account_id"], row["due_date"], "at_risk", user="Dana Lee")
        after_call = report.renewals_report(ws)
        assert len(fits) == fits_per_report
        shown = after_call.upcoming_all.set_index(["account_id", "due_date"])
        assert shown.loc[(row["account_id"], row["due_date"]), "call"] == "at_risk"

        extra = pd.DataFrame({"account_id": ["NEW-1"], "start_date": [dt.date(2025, 1, 1)],
                              "end_date": [dt.date(2025, 12, 31)], "mrr": [100.0]})
        ingest_dataframe(ws, "contracts", extra, file_name="extra.csv", mode="append", user="t")
        report.renewals_report(ws)
        assert len(fits) == 2 * fits_per_report
    finally:
        close_workspace(path)
