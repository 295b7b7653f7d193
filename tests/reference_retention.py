"""A deliberately simple pandas re-implementation of the retention numbers, from RAW frames.

It reads the canonical contracts / usage frames (never account_month) and loops over months the
slow, obvious way, so the DuckDB results can be checked against an independent reading of
docs/spec/metrics.md.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def _month_first(d) -> pd.Timestamp:
    d = pd.Timestamp(d)
    return pd.Timestamp(d.year, d.month, 1)


def last_complete_month(as_of) -> pd.Timestamp:
    as_of = pd.Timestamp(as_of)
    month_end = _month_first(as_of) + pd.offsets.MonthEnd(0)
    return _month_first(as_of) if as_of == month_end else _month_first(as_of) - pd.DateOffset(months=1)


def data_as_of(contracts: pd.DataFrame, usage: pd.DataFrame | None) -> pd.Timestamp:
    dates = [pd.to_datetime(contracts["start_date"]).max()]
    if usage is not None and len(usage):
        dates.append(pd.to_datetime(usage["event_date"]).max())
    return max(dates)


def month_end_mrr(contracts: pd.DataFrame, usage: pd.DataFrame | None, as_of) -> pd.DataFrame:
    """Wide frame: index = account_id, columns = month firsts (first data month .. last complete
    month), values = sum of mrr over contracts active on the month's last day."""
    as_of = pd.Timestamp(as_of)
    c = contracts.copy()
    c["start_date"] = pd.to_datetime(c["start_date"])
    c["end_date"] = pd.to_datetime(c["end_date"]).fillna(as_of)
    firsts = [c["start_date"].min()]
    accounts = set(c["account_id"])
    if usage is not None and len(usage):
        firsts.append(pd.to_datetime(usage["event_date"]).min())
        accounts |= set(usage["account_id"])
    months = pd.date_range(_month_first(min(firsts)), last_complete_month(as_of), freq="MS")
    out = pd.DataFrame(0.0, index=sorted(accounts), columns=months)
    for month in months:
        day = month + pd.offsets.MonthEnd(0)
        active = c[(c["start_date"] <= day) & (c["end_date"] >= day)]
        for account, mrr in active.groupby("account_id")["mrr"].sum().items():
            out.loc[account, month] = mrr
    return out


def activity(usage: pd.DataFrame | None, mrr: pd.DataFrame, as_of) -> pd.DataFrame:
    """Same shape as `mrr`: True when the account has a usage row of value > 0 in the month."""
    out = pd.DataFrame(False, index=mrr.index, columns=mrr.columns)
    if usage is None or not len(usage):
        return out
    u = usage.copy()
    u["event_date"] = pd.to_datetime(u["event_date"])
    u = u[(u["value"] > 0) & (u["event_date"] <= pd.Timestamp(as_of))]
    for row in u.itertuples():
        month = _month_first(row.event_date)
        if month in out.columns:
            out.loc[row.account_id, month] = True
    return out


def bridge(mrr: pd.DataFrame) -> pd.DataFrame:
    """Month, mrr, customers, movements and 12m rates, looping over accounts."""
    rows = []
    months = list(mrr.columns)
    for i, month in enumerate(months):
        row = dict(month=month, mrr=0.0, customers=0, new=0.0, reactivation=0.0, expansion=0.0,
                   contraction=0.0, churn=0.0)
        base_mrr = kept = total = 0.0
        base_n = kept_n = 0
        expanded = 0.0
        for account in mrr.index:
            now = mrr.at[account, month]
            prev = mrr.at[account, months[i - 1]] if i > 0 else 0.0
            before = any(mrr.at[account, m] > 0 for m in months[:i])
            row["mrr"] += now
            row["customers"] += now > 0
            if prev <= 0 and now > 0:
                row["reactivation" if before else "new"] += now
            elif prev > 0 and now <= 0:
                row["churn"] += prev
            elif prev > 0 and now > prev:
                row["expansion"] += now - prev
            elif prev > 0 and now < prev:
                row["contraction"] += prev - now
            if i >= 12:
                then = mrr.at[account, months[i - 12]]
                if then > 0:
                    base_mrr += then
                    kept += min(now, then)
                    total += now
                    base_n += 1
                    kept_n += now > 0
                    expanded += max(now - then, 0)
        row["grr_12m"] = kept / base_mrr if base_n else np.nan
        row["nrr_12m"] = total / base_mrr if base_n else np.nan
        row["logo_retention_12m"] = kept_n / base_n if base_n else np.nan
        row["expansion_rate_12m"] = expanded / base_mrr if base_n else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def cohort_matrix(mrr: pd.DataFrame, active: pd.DataFrame, basis: str, grain: str = "month",
                  unbounded: bool = False) -> tuple[dict, dict]:
    """({(cohort label, period): value} for observed cells, {cohort label: size}).

    Month grain: period k of cohort c is month c+k. Quarter grain (metrics.md, Time): cohort = the
    calendar quarter of the start month s; period k = months s+3k .. s+3k+2 of each account's own
    timeline; revenue read at s+3k; activity: active in any month of the block (unbounded: in the
    block or later); observed only when every member's block ends by the last month."""
    members, sizes = _members(mrr, active, basis, grain)
    step = 3 if grain == "quarter" else 1
    last = list(mrr.columns)[-1] if len(mrr.columns) else None
    values = {}
    for cohort, accounts in members.items():
        latest = max(start for _, start in accounts)
        k = 0
        while latest + pd.DateOffset(months=step * k + step - 1) <= last:
            num = den = 0.0
            for account, start in accounts:
                n, d = _cell_terms(mrr, active, basis, unbounded, account, start, k, step)
                num, den = num + n, den + d
            values[(cohort, k)] = num / den
            k += 1
    return values, sizes


def cell_members(mrr: pd.DataFrame, active: pd.DataFrame, basis: str, grain: str, unbounded: bool,
                 cohort: str, period: int) -> dict[str, str]:
    """{account: 'retained' | 'lost'} for one observed cell (revenue: MRR > 0 at the read month;
    activity: active as above)."""
    members, _ = _members(mrr, active, basis, grain)
    step = 3 if grain == "quarter" else 1
    out = {}
    for account, start in members.get(cohort, []):
        read_at = start + pd.DateOffset(months=step * period)
        if basis == "activity":
            kept = _cell_terms(mrr, active, basis, unbounded, account, start, period, step)[0] > 0
        else:
            kept = mrr.at[account, read_at] > 0
        out[account] = "retained" if kept else "lost"
    return out


def _members(mrr, active, basis, grain) -> tuple[dict[str, list], dict[str, int]]:
    months = list(mrr.columns)
    members: dict[str, list] = {}
    for account in mrr.index:
        flags = active.loc[account] if basis == "activity" else mrr.loc[account] > 0
        started = [m for m in months if flags[m]]
        if started:
            members.setdefault(_label(started[0], grain), []).append((account, started[0]))
    return members, {cohort: len(accounts) for cohort, accounts in members.items()}


def _cell_terms(mrr, active, basis, unbounded, account, start, k, step) -> tuple[float, float]:
    """(numerator, denominator) contributions of one account to cell k."""
    months = list(mrr.columns)
    read_at = start + pd.DateOffset(months=step * k)
    start_mrr, now = mrr.at[account, start], mrr.at[account, read_at]
    if basis == "logo":
        return float(now > 0), 1.0
    if basis == "nrr":
        return now, start_mrr
    if basis == "grr":
        return min(now, start_mrr), start_mrr
    block_end = read_at + pd.DateOffset(months=step - 1)
    window = [m for m in months if m >= read_at and (unbounded or m <= block_end)]
    return float(any(active.at[account, m] for m in window)), 1.0


def _label(month: pd.Timestamp, grain: str) -> str:
    if grain == "quarter":
        return f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    return f"{month.year:04d}-{month.month:02d}"


def lifetimes(mrr: pd.DataFrame) -> pd.DataFrame:
    """account_id, duration_months, churned: first churn after the first customer month, else
    censored at the last month."""
    months = list(mrr.columns)
    rows = []
    for account in mrr.index:
        series = mrr.loc[account]
        customer = [i for i, m in enumerate(months) if series[m] > 0]
        if not customer:
            continue
        s = customer[0]
        churn = next((i for i in range(s + 1, len(months)) if series[months[i]] <= 0), None)
        if churn is None:
            rows.append((account, len(months) - 1 - s, False))
        else:
            rows.append((account, churn - s, True))
    return pd.DataFrame(rows, columns=["account_id", "duration_months", "churned"])


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)
