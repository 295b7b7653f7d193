"""A team without contracts, in Debian's Chromium: upload usage and a churn list on the Data page,
ask which signals predict churn, add the best one to the draft scorecard, backtest."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from conftest import wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STEP_MS = 120_000
ACCOUNTS = 300


def _files(tmp_path):
    """usage.csv (one export day, two metrics, human headers) and churn_list.csv (Churn yes/no,
    Churn Reason): service calls >= 3 churn at 70%, the rest at 5%."""
    rng = np.random.default_rng(11)
    calls = rng.poisson(1.5, ACCOUNTS)
    churned = rng.random(ACCOUNTS) < np.where(calls >= 3, 0.7, 0.05)
    ids = [f"CUST-{i:04d}" for i in range(ACCOUNTS)]
    usage = pd.concat([
        pd.DataFrame({"Customer ID": ids, "Date": "2024-06-30", "Metric": "service calls", "Value": calls}),
        pd.DataFrame({"Customer ID": ids, "Date": "2024-06-30", "Metric": "minutes",
                      "Value": rng.normal(180, 40, ACCOUNTS).clip(1).round(1)}),
    ])
    churn = pd.DataFrame({"Customer ID": ids, "Churn": np.where(churned, "yes", "no"),
                          "Churn Reason": np.where(churned, "price", "")})
    usage.to_csv(tmp_path / "usage.csv", index=False)
    churn.to_csv(tmp_path / "churn_list.csv", index=False)
    return tmp_path / "usage.csv", tmp_path / "churn_list.csv"


def _upload(page, url: str, path, table: str, rows: int) -> None:
    page.goto(f"{url}/data")
    wait_for_app(page, STEP_MS)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text("Replace the table's rows").first.wait_for(timeout=STEP_MS)
    wait_for_app(page, STEP_MS)
    page.get_by_text("Replace the table's rows").click()
    wait_for_app(page, STEP_MS)
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text(f"Loaded {rows:,} rows into {table}").wait_for(timeout=STEP_MS)
    wait_for_app(page, STEP_MS)


def test_team_without_contracts_finds_its_signal_and_backtests_it(app_server, browser_page, tmp_path):
    usage, churn = _files(tmp_path)
    server = app_server(tmp_path / "workspace.duckdb")
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1600})
    _upload(page, server.url, usage, "usage", 2 * ACCOUNTS)
    _upload(page, server.url, churn, "outcomes", ACCOUNTS)

    page.goto(f"{server.url}/health")
    wait_for_app(page, STEP_MS)
    page.get_by_role("tab", name="Which signals predict churn?").click()
    page.get_by_text("Rank my signals").click()
    wait_for_app(page, STEP_MS)
    page.get_by_text(re.compile(r"the churn list is the label")).first.wait_for()
    best = page.get_by_text(re.compile(r"service_calls_sum_30d: Sum of value of metric 'service calls'")).first
    best.wait_for()
    assert "lower is better" in best.inner_text()
    page.get_by_role("button", name="Add to draft scorecard").click()
    wait_for_app(page, STEP_MS)
    page.get_by_text("Added service_calls_sum_30d to the draft scorecard").wait_for()

    page.get_by_role("tab", name="Scorecard").click()
    page.get_by_role("button", name="Backtest draft and active").click()
    wait_for_app(page, STEP_MS)
    page.get_by_text(re.compile(r"1 snapshot \(2024-06-30 to 2024-06-30\)")).first.wait_for()

    page.get_by_role("tab", name="Does it predict churn?").click()
    page.get_by_role("button", name="Run backtest").click()
    wait_for_app(page, STEP_MS)
    page.get_by_text(re.compile(r"5-fold cross-validation")).first.wait_for()
    page.get_by_text("Churn reasons").first.wait_for()
