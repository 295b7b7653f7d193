-- Cohort members and their cells (metrics.md, Cohorts). `{months}` is the per-account-month
-- relation through the last complete month; `{start_condition}` picks the start month (mrr > 0
-- for revenue bases, active for the activity basis); `{grain}` is month or quarter.
-- start_month: the account's first qualifying month (at quarter grain the first qualifying
-- quarter-end month: a quarter's value is taken at its last month, so period 0 is 1.0 by
-- construction, as at month grain); start_mrr: MRR in that month;
-- cohort: the month (or calendar quarter) of start_month; a cell (cohort, period k) is read at
-- value_month = month c+k (or the last month of quarter c+k); cells after the last complete
-- month are simply absent here (censored).
-- active_now_or_later: active in value_month or any later observed month (unbounded activity;
-- `{active_now_or_later}` is a window expression for that basis, FALSE otherwise).
WITH am AS ({months}),
flagged AS (
    SELECT account_id, month, mrr, active,
           {active_now_or_later} AS active_now_or_later
    FROM am
),
members AS (
    SELECT account_id, start_month, start_mrr,
           CAST(date_trunc('{grain}', start_month) AS DATE) AS cohort
    FROM (
        SELECT account_id,
               min(month) FILTER (WHERE {start_condition} AND {start_month_condition}) AS start_month,
               arg_min(mrr, month) FILTER (WHERE {start_condition} AND {start_month_condition}) AS start_mrr
        FROM flagged
        GROUP BY account_id
    )
    WHERE start_month IS NOT NULL
),
cells AS (
    SELECT m.cohort, CAST(datediff('{grain}', m.cohort, f.month) AS INTEGER) AS period,
           f.month AS value_month, m.account_id, m.start_month, m.start_mrr,
           f.mrr, f.active, f.active_now_or_later
    FROM members m
    JOIN flagged f ON f.account_id = m.account_id AND f.month >= m.start_month
    WHERE {period_end_condition}
)
