"""The renewals report of the session's demo workspace, computed once per test process."""
from __future__ import annotations

_REPORTS: dict = {}


def demo_report(demo_ws):
    """renewals_report(demo_ws) (as_of None), cached by the workspace file: do not mutate demo_ws."""
    from cs_analytics.renewals.report import renewals_report

    key = str(demo_ws.path)
    if key not in _REPORTS:
        _REPORTS[key] = renewals_report(demo_ws)
    return _REPORTS[key]


def confident_uncalled_renewal(demo_ws):
    """(account_id, account_name, due_date) of the upcoming renewal with the most MRR at risk among
    those the model rates >= 0.85 and nobody has called: a call at_risk on it disagrees."""
    upcoming = demo_report(demo_ws).upcoming_all
    row = upcoming[(upcoming["likelihood"] >= 0.85) & upcoming["call"].isna()].iloc[0]
    return row["account_id"], row["account_name"], row["due_date"]
