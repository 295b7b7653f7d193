"""Benchmark: retention queries (cohort matrix per basis, MRR bridge, survival) on a large book.

Generates N accounts / 3N contracts / U usage rows with vectorised DuckDB SQL straight into a
workspace (then the derived account_month is rebuilt as an ingest would), and times, warm
(median over repeats) and cold (fresh connection in this process, first call), the library
functions next to a plain pandas implementation of the same numbers computed in the same run:
from an account_month-equivalent frame, and from the raw contracts / usage.

    python bench/retention.py            # 20k accounts, 60k contracts, 10M usage rows
    python bench/retention.py --quick    # 2k accounts, 6k contracts, 1M usage rows
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cs_analytics.retention import cohorts

from cs_analytics.retention import revenue

from cs_analytics.retention import survival  # noqa: E402
from cs_analytics.core.db import close_workspace, open_workspace  # noqa: E402
from cs_analytics.core.derived import rebuild  # noqa: E402
from cs_analytics.retention.months import window  # noqa: E402

FULL = dict(accounts=20_000, usage_rows=10_000_000)
QUICK = dict(accounts=2_000, usage_rows=1_000_000)
REPEATS = 5

GENERATE_SQL = [
    "SELECT setseed(0.42)",
    """INSERT INTO accounts (account_id, account_name, segment, plan, csm_owner)
       SELECT printf('A%06d', i), printf('Account %d', i),
              (['SMB', 'SMB', 'SMB', 'Mid-Market', 'Mid-Market', 'Enterprise'])[1 + i % 6],
              (['basic', 'pro', 'enterprise'])[1 + (i // 7) % 3], printf('csm%02d', i % 12)
       FROM range($n) t(i)""",
    # three consecutive yearly terms per account, random start, gaps, early churn, open-ended last
    """INSERT INTO contracts (contract_id, account_id, start_date, end_date, mrr)
       WITH a AS (
           SELECT i, DATE '2022-01-01' + CAST(floor(random() * 900) AS INTEGER) AS first_start,
                  50 + floor(random() * 20) * 25 AS base_mrr, random() AS churn_draw
           FROM range($n) t(i)
       ), terms AS (
           SELECT a.*, k, CAST(floor(random() * 3) AS INTEGER) AS gap_months
           FROM a, range(3) r(k)
       )
       SELECT printf('C%06d-%d', i, k), printf('A%06d', i),
              first_start + INTERVAL (k * 12 + gap_months * (k > 0)::INT) MONTH,
              CASE WHEN k = 2 AND churn_draw < 0.4 THEN NULL
                   WHEN churn_draw > 0.85 AND k = 1
                       THEN first_start + INTERVAL (k * 12 + 4) MONTH
                   ELSE first_start + INTERVAL ((k + 1) * 12 + gap_months * (k > 0)::INT) MONTH - INTERVAL 1 DAY END,
              base_mrr * (1 + 0.1 * k * (churn_draw - 0.3))
       FROM terms""",
    """INSERT INTO usage (account_id, event_date, metric, value, user_id)
       SELECT printf('A%06d', CAST(floor(random() * $n) AS INTEGER)),
              DATE '2022-01-01' + CAST(floor(random() * 1430) AS INTEGER),
              (['logins', 'reports', 'exports'])[1 + CAST(floor(random() * 3) AS INTEGER)],
              floor(random() * 5), printf('u%d', CAST(floor(random() * 40) AS INTEGER))
       FROM range($u)""",
]


def build(path: Path, accounts: int, usage_rows: int) -> float:
    started = time.perf_counter()
    ws = open_workspace(path)
    with ws.transaction() as cur:
        for sql in GENERATE_SQL:
            params = {k: v for k, v in {"n": accounts, "u": usage_rows}.items() if f"${k}" in sql}
            cur.execute(sql, params or None)
        rebuild(cur)
    ws.checkpoint()
    close_workspace(path)
    return time.perf_counter() - started


# -- plain pandas implementations of the same numbers ----------------------------------------------

def pandas_months_from_raw(contracts: pd.DataFrame, usage: pd.DataFrame, as_of, last_month) -> pd.DataFrame:
    """account_id, month, mrr, active from raw frames (vectorised pandas)."""
    c = contracts.copy()
    c["end"] = pd.to_datetime(c["end_date"]).fillna(pd.Timestamp(as_of))
    c["start"] = pd.to_datetime(c["start_date"])
    first = min(c["start"].min(), pd.to_datetime(usage["event_date"]).min()).to_period("M")
    last = pd.Period(last_month, "M")
    s = c["start"].dt.to_period("M").clip(lower=first)
    e = c["end"].dt.to_period("M").clip(upper=last)
    span = np.maximum((e - s).map(lambda x: x.n).to_numpy() + 1, 0)
    rows = c.loc[c.index.repeat(span)].copy()
    offsets = np.concatenate([np.arange(k) for k in span]) if len(span) else np.array([], int)
    rows["month"] = (s.loc[rows.index].dt.to_timestamp() + pd.to_timedelta(0, "D")).to_numpy()
    rows["month"] = [m + pd.DateOffset(months=int(o)) for m, o in zip(rows["month"], offsets)] if len(rows) < 0 else \
        (pd.to_datetime(rows["month"]).dt.to_period("M") + offsets).dt.to_timestamp()
    month_end = rows["month"] + pd.offsets.MonthEnd(0)
    rows = rows[(rows["start"] <= month_end) & (rows["end"] >= month_end)]
    mrr = rows.groupby(["account_id", "month"], as_index=False)["mrr"].sum()
    u = usage[(usage["value"] > 0) & (pd.to_datetime(usage["event_date"]) <= pd.Timestamp(as_of))]
    act = pd.DataFrame({"account_id": u["account_id"],
                        "month": pd.to_datetime(u["event_date"]).dt.to_period("M").dt.to_timestamp()}).drop_duplicates()
    act["active"] = True
    months = pd.period_range(first, last, freq="M").to_timestamp()
    accts = pd.Index(sorted(set(contracts["account_id"]) | set(usage["account_id"].unique())), name="account_id")
    grid = pd.MultiIndex.from_product([accts, months], names=["account_id", "month"]).to_frame(index=False)
    grid = grid.merge(mrr, how="left", on=["account_id", "month"]).merge(act, how="left", on=["account_id", "month"])
    grid["mrr"] = grid["mrr"].fillna(0.0)
    grid["active"] = grid["active"].fillna(False).astype(bool)
    return grid


def pandas_cohorts(am: pd.DataFrame, basis: str) -> pd.DataFrame:
    """Month-grain cohort matrix (cohort, period, cohort_size, value) from an account-month frame."""
    flag = am["active"] if basis == "activity" else am["mrr"] > 0
    start = am.loc[flag].groupby("account_id")["month"].min().rename("start")
    df = am.join(start, on="account_id", how="inner")
    df = df[df["month"] >= df["start"]]
    start_mrr = df.loc[df["month"] == df["start"], ["account_id", "mrr"]].set_index("account_id")["mrr"]
    df = df.assign(start_mrr=df["account_id"].map(start_mrr))
    df["period"] = (df["month"].dt.year - df["start"].dt.year) * 12 + df["month"].dt.month - df["start"].dt.month
    if basis == "logo":
        df["num"], weight = (df["mrr"] > 0).astype(float), "n"
    elif basis == "nrr":
        df["num"], weight = df["mrr"], "w"
    elif basis == "grr":
        df["num"], weight = np.minimum(df["mrr"], df["start_mrr"]), "w"
    else:
        df["num"], weight = df["active"].astype(float), "n"
    g = df.groupby(["start", "period"]).agg(num=("num", "sum"), n=("account_id", "size"), w=("start_mrr", "sum"))
    g["value"] = g["num"] / g[weight]
    return g.reset_index()


def pandas_bridge(am: pd.DataFrame) -> pd.DataFrame:
    df = am.sort_values(["account_id", "month"])
    grp = df.groupby("account_id", sort=False)
    prev = grp["mrr"].shift(1).fillna(0.0)
    before = grp["mrr"].transform(lambda s: (s > 0).cummax().shift(1, fill_value=False))
    ago = grp["mrr"].shift(12)
    now = df["mrr"]
    kind = np.select(
        [(prev <= 0) & (now > 0) & ~before.astype(bool), (prev <= 0) & (now > 0), (prev > 0) & (now <= 0),
         (prev > 0) & (now > prev), (prev > 0) & (now < prev)],
        ["new", "reactivation", "churn", "expansion", "contraction"], "flat")
    out = pd.DataFrame({"month": df["month"], "mrr": now, "kind": kind,
                        "delta": (now - prev).abs().where(kind != "new", now), "ago": ago})
    out.loc[kind == "churn", "delta"] = prev[kind == "churn"]
    moves = out.pivot_table(index="month", columns="kind", values="delta", aggfunc="sum", fill_value=0)
    base = out[out["ago"] > 0]
    rates = base.groupby("month")[["mrr", "ago"]].apply(lambda b: pd.Series({
        "grr": np.minimum(b["mrr"], b["ago"]).sum() / b["ago"].sum(), "nrr": b["mrr"].sum() / b["ago"].sum(),
        "logo": (b["mrr"] > 0).mean()}))
    return out.groupby("month")["mrr"].sum().to_frame().join(moves).join(rates)


def pandas_lifetimes(am: pd.DataFrame) -> pd.DataFrame:
    df = am[["account_id", "month", "mrr"]].sort_values(["account_id", "month"])
    start = df[df["mrr"] > 0].groupby("account_id")["month"].min().rename("start")
    df = df.join(start, on="account_id", how="inner")
    churn = df[(df["month"] > df["start"]) & (df["mrr"] <= 0)].groupby("account_id")["month"].min().rename("churn")
    life = start.to_frame().join(churn)
    last = am["month"].max()
    end = life["churn"].fillna(last)
    life["duration"] = (end.dt.year - life["start"].dt.year) * 12 + end.dt.month - life["start"].dt.month
    life["churned"] = life["churn"].notna()
    return life


# -- timing ---------------------------------------------------------------------------------------

def _median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _cold_ms(path: Path, fn) -> float:
    close_workspace(path)
    started = time.perf_counter()
    ws = open_workspace(path)
    fn(ws)
    return (time.perf_counter() - started) * 1000


def run(quick: bool = False, accounts: int | None = None, usage_rows: int | None = None) -> str:
    sizes = dict(QUICK if quick else FULL)
    if accounts:
        sizes["accounts"] = accounts
    if usage_rows:
        sizes["usage_rows"] = usage_rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        build_s = build(path, sizes["accounts"], sizes["usage_rows"])
        ws = open_workspace(path)
        win = window(ws)
        counts = {t: ws.row_count(t) for t in ("accounts", "contracts", "usage", "account_month")}
        am = ws.query("SELECT account_id, month, mrr, active_days > 0 AS active FROM account_month "
                      "WHERE month <= ?", [win.last_month])
        am["month"] = pd.to_datetime(am["month"])
        contracts = ws.query("SELECT account_id, start_date, end_date, mrr FROM contracts")
        usage = ws.query("SELECT account_id, event_date, value FROM usage")

        cases = []
        for basis in cohorts.BASES:
            cases.append((
                f"cohort matrix, {basis} (month)",
                lambda ws, b=basis: cohorts.cohort_matrix(ws, b),
                lambda b=basis: pandas_cohorts(am, b),
                lambda b=basis: pandas_cohorts(pandas_months_from_raw(contracts, usage, win.as_of, win.last_month), b),
            ))
        cases.append(("cohort matrix, nrr (quarter)", lambda ws: cohorts.cohort_matrix(ws, "nrr", "quarter"), None, None))
        cases.append(("MRR bridge + 12m rates", lambda ws: revenue.mrr_bridge(ws),
                      lambda: pandas_bridge(am), None))
        cases.append(("survival lifetimes (SQL)", lambda ws: survival.lifetimes(ws, by="segment"),
                      lambda: pandas_lifetimes(am), None))
        cases.append(("survival: KM + medians + log-rank by segment",
                      lambda ws: survival.survival_analysis(ws, by="segment"), None, None))

        rows = []
        for name, fn, pandas_fn, raw_fn in cases:
            cold = _cold_ms(path, fn)
            ws = open_workspace(path)
            warm = _median_ms(lambda: fn(ws))
            pandas_ms = _median_ms(pandas_fn, 3) if pandas_fn else None
            raw_ms = _median_ms(raw_fn, 1) if raw_fn else None
            rows.append((name, warm, cold, pandas_ms, raw_ms))
        _check_agreement(ws, am)
        close_workspace(path)

    lines = [
        "## Retention",
        "",
        f"Book: {counts['accounts']:,} accounts, {counts['contracts']:,} contracts, {counts['usage']:,} usage rows "
        f"-> {counts['account_month']:,} account_month rows (generated and derived in {build_s:.0f} s). "
        f"Warm = median of {REPEATS} calls; cold = first call on a fresh connection (includes opening the file). "
        "pandas (account_month) = the same numbers from an in-memory account_month-equivalent frame; "
        "pandas (raw) = also deriving month-end MRR and activity from raw contracts and usage. "
        "Ratio = pandas time / DuckDB warm time.",
        "",
        "| query | DuckDB warm ms | DuckDB cold ms | pandas (account_month) ms | ratio | pandas (raw) ms | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, warm, cold, pandas_ms, raw_ms in rows:
        p = f"{pandas_ms:,.0f} | {pandas_ms / warm:.1f}x" if pandas_ms else "- | -"
        r = f"{raw_ms:,.0f} | {raw_ms / warm:.0f}x" if raw_ms else "- | -"
        lines.append(f"| {name} | {warm:,.0f} | {cold:,.0f} | {p} | {r} |")
    return "\n".join(lines)


def _check_agreement(ws, am: pd.DataFrame) -> None:
    """The pandas versions compute the same numbers (guards the comparison itself)."""
    ours = cohorts.cohort_matrix(ws, "nrr").cells.dropna(subset=["value"])
    theirs = pandas_cohorts(am, "nrr")
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    assert np.allclose(np.sort(ours["value"].to_numpy()), np.sort(theirs["value"].to_numpy()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--usage-rows", type=int)
    args = parser.parse_args(argv)
    print(run(args.quick, args.accounts, args.usage_rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
