"""Seconds of each step of the derived-table rebuild on an existing workspace (issue 14).

`python bench/derived_phases.py WORKSPACE`: build_usage_derived (usage_account, usage_day,
usage_month, usage_metric_first), ensure_implicit_accounts, data_as_of, build_account_month, then the peak RSS.
It commits the same tables it rebuilds."""
import sys, time, resource, datetime as dt
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from cs_analytics.core.db import open_workspace, load_sql
ws = open_workspace(sys.argv[1], keep_lease=True)
with ws.transaction() as cur:
    for name, params in [("build_usage_derived", None), ("ensure_implicit_accounts", None),
                         ("data_as_of", {"today": dt.date.today()})]:
        t0 = time.perf_counter(); cur.execute(load_sql(name), params) if params else cur.execute(load_sql(name))
        print(name, round(time.perf_counter() - t0, 1), "s", flush=True)
    as_of = cur.execute(load_sql("data_as_of"), {"today": dt.date.today()}).fetchone()[0]
    t0 = time.perf_counter(); cur.execute(load_sql("build_account_month"), {"as_of": as_of})
    print("build_account_month", round(time.perf_counter() - t0, 1), "s", flush=True)
print("peak GB", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2))
