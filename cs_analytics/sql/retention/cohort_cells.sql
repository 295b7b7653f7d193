-- Cohort members and their cells (metrics.md, Time and Cohorts). `{months}` is the dense
-- per-account-month relation through the last complete month L; `{start_condition}` picks the
-- start month s (mrr > 0 for revenue bases, active for the activity basis); `{grain}` is month
-- or quarter and `{months_per_period}` P is 1 or 3.
-- members: start_month s (the first qualifying month, at both grains), start_mrr = MRR(s), cohort
-- = the month (or calendar quarter) of s, cohort_last_start = the latest s in the cohort.
-- cells: period k is the k-th P-month block of each account's own timeline, months s+Pk ..
-- s+Pk+P-1; value_month = s+Pk, where revenue bases read MRR (so period 0 is 1.0 by
-- construction); active = usage value > 0 in any month of the block; active_now_or_later =
-- active in the block or any later observed month (unbounded activity; `{active_now_or_later}`
-- is a window expression for that basis, FALSE otherwise). Only complete blocks (all P months
-- <= L) appear; a cell is observed only when every member's block is complete, i.e.
-- cohort_last_start + Pk + P-1 <= L (the matrix and the drill-down check that).
WITH am AS ({months}),
flagged AS (
    SELECT account_id, month, mrr, active,
           {active_now_or_later} AS active_now_or_later
    FROM am
),
members AS (
    SELECT account_id, start_month, start_mrr,
           CAST(date_trunc('{grain}', start_month) AS DATE) AS cohort,
           max(start_month) OVER (PARTITION BY date_trunc('{grain}', start_month)) AS cohort_last_start
    FROM (
        SELECT account_id,
               min(month) FILTER (WHERE {start_condition}) AS start_month,
               arg_min(mrr, month) FILTER (WHERE {start_condition}) AS start_mrr
        FROM flagged
        GROUP BY account_id
    )
    WHERE start_month IS NOT NULL
),
cells AS (
    SELECT m.cohort,
           CAST(datediff('month', m.start_month, f.month) // {months_per_period} AS INTEGER) AS period,
           min(f.month) AS value_month, m.account_id, m.start_month, m.start_mrr, m.cohort_last_start,
           arg_min(f.mrr, f.month) AS mrr,
           bool_or(f.active) AS active,
           bool_or(f.active_now_or_later) AS active_now_or_later
    FROM members m
    JOIN flagged f ON f.account_id = m.account_id AND f.month >= m.start_month
    GROUP BY ALL
    HAVING count(*) = {months_per_period}
)
