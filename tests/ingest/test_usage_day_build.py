"""The usage_day build of sql/build_usage_derived.sql (three window sorts, issue 14) equals the
definition it replaces, macro usage_day_rows() of migrations/050_usage_derived.sql (five sorts; with
users as keys since migration 055; its accounts as keys named by usage_account since 060), row for row: on the 200-account demo and on small hostile tables (NULL users, zero values, ties
of metric and user on one day, the same fact in several uploads)."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from cs_analytics.core.db import close_workspace, load_sql, open_workspace
from cs_analytics.core.derived import rebuild_workspace

COLUMNS = ["account_key", "metric", "event_date", "user_key", "value", "positive", "day_rep_metric",
           "day_rep_all", "user_rep", "metric_next_day", "user_next_day"]
# usage_day with its account keys named (migration 060): the macro's columns, account_id first
NAMED = "(SELECT n.account_id, d.* EXCLUDE (account_key) FROM usage_day d JOIN usage_account n USING (account_key))"
DIFFERENCE = f"""SELECT (SELECT count(*) FROM (SELECT * FROM {NAMED} EXCEPT ALL SELECT * FROM usage_day_rows())),
                        (SELECT count(*) FROM (SELECT * FROM usage_day_rows() EXCEPT ALL SELECT * FROM {NAMED}))"""
# usage_month named, against its macro; usage_metric_first against its macro; the keys in text order
MONTH_DIFFERENCE = """
    WITH named AS (SELECT n.account_id, m.* EXCLUDE (account_key) FROM usage_month m JOIN usage_account n USING (account_key))
    SELECT (SELECT count(*) FROM (FROM named EXCEPT ALL FROM usage_month_rows())),
           (SELECT count(*) FROM (FROM usage_month_rows() EXCEPT ALL FROM named)),
           (SELECT count(*) FROM (FROM usage_metric_first EXCEPT ALL FROM usage_metric_first_rows())),
           (SELECT count(*) FROM (FROM usage_metric_first_rows() EXCEPT ALL FROM usage_metric_first)),
           (SELECT count(*) FROM (SELECT account_id, account_key, row_number() OVER (ORDER BY account_id) AS k
                                  FROM usage_account) WHERE k <> account_key)
           + (SELECT count(*) FROM (SELECT DISTINCT account_id FROM usage)) - (SELECT count(*) FROM usage_account)"""


def _macros() -> list[str]:
    """The table macros of migrations 050 and 055 (which redefines usage_day_rows), in order: the
    reference definitions."""
    text = load_sql("migrations/050_usage_derived") + load_sql("migrations/055_usage_day_user_key")
    return re.findall(r"CREATE OR REPLACE MACRO .*?;", text, flags=re.DOTALL)


USER_KEYS = """SELECT user_id, CAST(row_number() OVER (ORDER BY user_id) AS INTEGER) AS user_key
               FROM (SELECT DISTINCT user_id FROM usage WHERE user_id IS NOT NULL)"""


def _with_user_ids(con, frame: pd.DataFrame) -> pd.DataFrame:
    """usage_day rows with the text of their user keys (each key is its user's place in text order)."""
    keys = con.execute(USER_KEYS).df()
    return frame.merge(keys, on="user_key", how="left")


def _built_and_reference(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE usage (account_id VARCHAR, event_date DATE, metric VARCHAR, "
                "value DOUBLE, user_id VARCHAR, upload_id INTEGER)")
    if rows:
        con.executemany("INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?)", rows)
    for macro in _macros():
        con.execute(macro)
    con.execute(load_sql("build_usage_derived"))
    return con


@pytest.fixture
def rebuilt_demo(small_demo_master_path, tmp_path):
    """A copy of the 200-account demo with its derived tables rebuilt by the current SQL."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    ws = open_workspace(path)
    try:
        rebuild_workspace(ws)
        yield ws
    finally:
        close_workspace(path)


def test_demo_usage_day_equals_the_macro_definition(rebuilt_demo):
    ws = rebuilt_demo
    built = ws.query("SELECT * FROM usage_day")
    assert list(built.columns) == COLUMNS
    assert len(built) == ws.scalar("SELECT count(*) FROM usage_day_rows()") > 1000
    assert built["day_rep_metric"].sum() > 100 and built["user_rep"].sum() > 100
    assert ws.query(DIFFERENCE).iloc[0].tolist() == [0, 0]
    assert ws.query(MONTH_DIFFERENCE).iloc[0].tolist() == [0, 0, 0, 0, 0]


def test_ties_null_users_zero_values_and_uploads():
    day = dt.date(2025, 3, 1)
    later = dt.date(2025, 3, 4)
    rows = [
        ("A", day, "m1", 2.0, "u2", 1), ("A", day, "m1", 1.0, "u1", 1),   # least user is the rep
        ("A", day, "m1", 0.0, None, 1),                                    # zero: never a rep
        ("A", day, "m0", 1.0, None, 1),                                    # NULL user first; least metric
        ("A", later, "m1", 0.0, "u1", 1), ("A", later, "m1", 3.0, "u1", 2),  # summed across uploads
        ("A", later, "m2", 0.0, "u3", 1),                                  # a zero day is no next day
        ("B", day, "m1", 0.0, "u1", 1),
        # a zero-only day between two positive days, and a zero metric sorted before the positive one
        ("C", day, "m1", 1.0, "u4", 1), ("C", day + dt.timedelta(days=1), "m1", 0.0, "u4", 1),
        ("C", later, "m2", 0.0, "u4", 1), ("C", later, "m1", 2.0, "u4", 1),
    ]
    con = _built_and_reference(rows)
    assert con.execute(DIFFERENCE).fetchone() == (0, 0)
    assert con.execute(MONTH_DIFFERENCE).fetchone() == (0, 0, 0, 0, 0)
    built = _with_user_ids(con, con.execute(f"SELECT * FROM {NAMED}").df())
    assert len(built) == 11
    assert sorted(built["user_key"].dropna().astype(int).unique()) == [1, 2, 3, 4]  # u1 < u2 < u3 < u4
    c_rep = built[(built["account_id"] == "C") & (built["event_date"] == pd.Timestamp(day))].iloc[0]
    assert str(c_rep["metric_next_day"])[:10] == str(c_rep["user_next_day"])[:10] == "2025-03-04"
    built = built[built["account_id"] != "C"]
    rep = built[built["day_rep_metric"]]
    assert sorted(zip(rep["metric"], rep["user_id"].fillna("-"), rep["event_date"].astype(str))) == [
        ("m0", "-", "2025-03-01"), ("m1", "u1", "2025-03-01"), ("m1", "u1", "2025-03-04")]
    a_m1_u1 = (built["account_id"] == "A") & (built["metric"] == "m1") & (built["user_id"] == "u1")
    first = built[a_m1_u1].sort_values("event_date")
    assert first["metric_next_day"].astype(str).tolist()[0] == "2025-03-04"
    assert first["value"].tolist() == [1.0, 3.0]
    assert built[built["day_rep_all"]]["metric"].tolist() == ["m0", "m1"]  # one per positive account-day
    assert not built[built["account_id"] == "B"]["positive"].any()


ROW = st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 5), st.sampled_from(["m1", "m2", "m3"]),
                st.sampled_from([0.0, 1.0, 2.5]), st.sampled_from([None, "u1", "u2", "u3"]),
                st.integers(1, 2))


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, max_size=40))
def test_any_small_usage_table_builds_the_same_usage_day(rows):
    start = dt.date(2025, 1, 1)
    typed = [(a, start + dt.timedelta(days=d), m, v, u, up) for a, d, m, v, u, up in rows]
    con = _built_and_reference(typed)
    assert con.execute(DIFFERENCE).fetchone() == (0, 0)
    assert con.execute(MONTH_DIFFERENCE).fetchone() == (0, 0, 0, 0, 0)
    assert con.execute("SELECT count(*) FROM usage_day").fetchone()[0] == len(
        pd.DataFrame(typed, columns=["a", "d", "m", "v", "u", "up"]).fillna({"u": "<null>"})
        .drop_duplicates(["a", "d", "m", "u"]))


def test_onboarding_metric_list_reads_usage_month_and_keeps_zero_only_metrics(small_demo_master_path, tmp_path):
    """sql/onboarding/metrics.sql reads usage_month, not raw usage: the same metrics, in order,
    a metric whose every row is 0 included (it can still be named by an activation rule)."""
    from cs_analytics.views.onboarding import usage_metrics
    from factories import insert_canonical

    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    ws = open_workspace(path)
    try:
        account = ws.scalar("SELECT min(account_id) FROM accounts")
        with ws.transaction() as cur:
            insert_canonical(cur, "usage", pd.DataFrame({
                "account_id": [account], "event_date": [dt.date(2024, 1, 2)], "metric": ["zz_zero_only"],
                "value": [0.0], "user_id": [None]}))
        rebuild_workspace(ws)
        reference = sorted(ws.query("SELECT DISTINCT metric FROM usage")["metric"])
        assert "zz_zero_only" in reference and len(reference) > 2
        assert list(usage_metrics(ws)) == reference
    finally:
        close_workspace(path)


# The definition account_month's usage columns had before they were read from usage_day (issue
# 14): distinct counts over the raw usage rows of value > 0, up to as_of.
USAGE_MONTHS_REFERENCE = """
SELECT account_id, CAST(date_trunc('month', event_date) AS DATE) AS month, sum(value) AS usage_value,
       count(DISTINCT event_date) FILTER (WHERE value > 0) AS active_days,
       count(DISTINCT user_id) FILTER (WHERE value > 0) AS active_users,
       count(DISTINCT metric) FILTER (WHERE value > 0) AS distinct_metrics
FROM usage WHERE event_date <= CAST($as_of AS DATE) GROUP BY ALL"""
ACCOUNT_MONTH_USAGE = """
SELECT account_id, month, usage_value, active_days, active_users, distinct_metrics
FROM account_month WHERE usage_value > 0 OR active_days > 0"""


def _account_month_difference(con, as_of: dt.date) -> tuple[int, int]:
    con.execute(load_sql("build_account_month"), {"as_of": as_of})
    built = con.execute(ACCOUNT_MONTH_USAGE).df()
    reference = con.execute(USAGE_MONTHS_REFERENCE, {"as_of": as_of}).df()
    reference = reference[(reference["usage_value"] > 0) | (reference["active_days"] > 0)]
    merged = built.merge(reference, on=["account_id", "month"], how="outer", suffixes=("", "_ref"),
                         indicator=True)
    unmatched = int((merged["_merge"] != "both").sum())
    columns = ["usage_value", "active_days", "active_users", "distinct_metrics"]
    both = merged[merged["_merge"] == "both"]
    differing = sum(int((abs(both[c] - both[f"{c}_ref"]) > 1e-9 * (1 + abs(both[c]))).sum()) for c in columns)
    return unmatched, differing


def _with_contracts(con) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS contracts (account_id VARCHAR, mrr DOUBLE, start_date DATE, "
                "end_date DATE)")


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, max_size=40), st.integers(0, 70))
def test_account_month_usage_columns_equal_the_distinct_count_definition(rows, as_of_days):
    """account_month counts usage_day's representative rows; the reference counts distinct values,
    with as_of inside a month (the month's window ends at as_of) or after the data."""
    start = dt.date(2025, 1, 30)
    typed = [(a, start + dt.timedelta(days=d * 7), m, v, u, up) for a, d, m, v, u, up in rows]
    con = _built_and_reference(typed)
    _with_contracts(con)
    assert _account_month_difference(con, start + dt.timedelta(days=as_of_days)) == (0, 0)


def test_demo_account_month_usage_columns_equal_the_distinct_count_definition(rebuilt_demo):
    as_of = rebuilt_demo.scalar("SELECT max(event_date) FROM usage") - dt.timedelta(days=10)
    with rebuilt_demo.transaction() as cur:
        assert _account_month_difference(cur, as_of) == (0, 0)
        assert cur.execute("SELECT sum(active_users), sum(distinct_metrics) FROM account_month").fetchone()[0] > 1000


@settings(max_examples=40, deadline=None)
@given(st.lists(ROW, max_size=40))
def test_one_uploads_unique_facts_build_the_same_usage_day_without_grouping(rows):
    """usage_derived_sql(usage_unique=True), for a usage table of one upload's daily facts."""
    from cs_analytics.core.derived import usage_derived_sql

    start = dt.date(2025, 1, 1)
    facts = {(a, d, m, u): (a, start + dt.timedelta(days=d), m, v, u, 1) for a, d, m, v, u, _ in rows}
    con = _built_and_reference(list(facts.values()))
    con.execute(usage_derived_sql(usage_unique=True))
    assert con.execute(DIFFERENCE).fetchone() == (0, 0)


def test_an_appended_upload_is_grouped_with_the_earlier_one(tmp_path):
    """After an append the same fact is in two uploads: the build groups them (usage_unique is for
    replace only); after a replace it need not."""
    from cs_analytics.ingest.load import ingest_dataframe

    events = pd.DataFrame({"account_id": ["A", "A", "B"], "event_date": ["2025-03-01"] * 3,
                           "metric": ["m1", "m1", "m1"], "value": [1.0, 2.0, 0.0], "user_id": ["u1", "u1", None]})
    path = tmp_path / "w.duckdb"
    ws = open_workspace(path)
    try:
        ingest_dataframe(ws, "usage", events, file_name="first.csv")
        assert ws.query(DIFFERENCE).iloc[0].tolist() == [0, 0]
        ingest_dataframe(ws, "usage", events, file_name="again.csv", mode="append")
        assert ws.scalar("SELECT count(*) FROM usage") == 4
        assert ws.query(DIFFERENCE).iloc[0].tolist() == [0, 0]
        assert ws.scalar(f"SELECT value FROM {NAMED} WHERE account_id = 'A'") == 6.0
    finally:
        close_workspace(path)


OLD_LAYOUTS = {  # usage_day as migrations 050 and 055 left it, from the current tables; versions to undo
    "050": ("SELECT n.account_id, d.metric, d.event_date, k.user_id, d.value, d.positive, d.day_rep_metric, "
            "d.day_rep_all, d.user_rep, d.metric_next_day, d.user_next_day "
            f"FROM usage_day d JOIN usage_account n USING (account_key) LEFT JOIN ({USER_KEYS}) k ON k.user_key = d.user_key",
            (55, 60)),
    "055": ("SELECT n.account_id, d.* EXCLUDE (account_key) FROM usage_day d JOIN usage_account n USING (account_key)",
            (60,)),
}


@pytest.mark.parametrize("layout", sorted(OLD_LAYOUTS))
def test_migrations_key_the_users_and_accounts_of_existing_usage_tables(tmp_path, layout):
    """A workspace whose usage tables still hold user_id text (migration 050's layout) or account_id
    text (050 and 055) gets, when it is opened, the usage tables a rebuild gives, keys included,
    and the same churn list."""
    from cs_analytics.ingest.load import ingest_dataframe

    events = pd.DataFrame({"account_id": ["A", "A", "A", "B", "B", "0"], "event_date": ["2025-03-01"] * 3 + ["2025-03-02"] * 3,
                           "metric": ["m1", "m2", "m1", "m1", "m1", "m2"], "value": [1.0, 2.0, 0.0, 3.0, 1.0, 0.0],
                           "user_id": ["u2", "u1", None, "u3", "u1", None]})
    path = tmp_path / "w.duckdb"
    ws = open_workspace(path)
    tables = ("usage_day", "usage_month", "usage_account", "churn_list")
    try:
        ingest_dataframe(ws, "usage", events, file_name="u.csv")
        ingest_dataframe(ws, "outcomes", pd.DataFrame({"account_id": ["B"], "churned": [True]}), file_name="o.csv")
        rebuilt = {t: ws.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
        old_day, versions = OLD_LAYOUTS[layout]
        with ws.transaction() as cur:
            cur.execute(f"CREATE OR REPLACE TABLE usage_day AS {old_day}")
            cur.execute("CREATE OR REPLACE TABLE usage_month AS SELECT n.account_id, m.* EXCLUDE (account_key) "
                        "FROM usage_month m JOIN usage_account n USING (account_key)")
            cur.execute("DROP TABLE usage_account")
            cur.execute(f"DELETE FROM schema_version WHERE version IN ({', '.join(map(str, versions))})")
    finally:
        close_workspace(path)
    ws = open_workspace(path)
    try:
        migrated = {t: ws.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
        assert list(migrated["usage_day"].columns) == COLUMNS
        for table in tables:
            pd.testing.assert_frame_equal(migrated[table], rebuilt[table])
        assert migrated["usage_account"]["account_id"].tolist() == ["0", "A", "B"]
        assert migrated["usage_day"]["user_key"].isna().sum() == 2 and migrated["usage_day"]["user_key"].max() == 3
        assert ws.query(DIFFERENCE).iloc[0].tolist() == [0, 0]
        assert ws.query(MONTH_DIFFERENCE).iloc[0].tolist() == [0, 0, 0, 0, 0]
        assert migrated["churn_list"]["churned"].tolist() == [True]
    finally:
        close_workspace(path)
