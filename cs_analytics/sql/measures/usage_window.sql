-- Template: every usage-window measure definition in one scan of usage (health/definition_sql.py
-- fills the aggregate and output markers; metric names and windows are bound as
-- $spec_metric_<j> and $spec_window_<j>, never written into the text).
-- For each T in $as_of_dates (DATE[]) the window of definition i is T - $window_<i> + 1 .. T
-- (k < window, k = T - event_date) and its previous window the same length before it.
-- Population: accounts with a usage row dated <= T (any metric); with no row in a window an
-- aggregate is 0. `catalogue` = distinct metrics with value > 0 in the whole data dated <= T.
-- Reads the derived tables (migrations/050_usage_derived.sql): usage_day in date order, so the
-- bound $scan_from .. $scan_to (the first window day of the earliest T .. the latest T) keeps the
-- scan to the row groups of the windows; usage_month for the first usage date; usage_metric_first.
-- Accounts are grouped by their integer key (migration 060); usage_account names them at the end.
-- Bound: $as_of_dates, $max_days (the longest window, doubled for trends), $scan_from, $scan_to.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
catalogue AS (
    SELECT d.as_of, count(m.metric) AS metrics
    FROM dates d LEFT JOIN usage_metric_first m ON m.first_day <= d.as_of
    GROUP BY d.as_of
),
firsts AS (
    SELECT account_key, min(first_day) AS first_day FROM usage_month WHERE metric IS NULL GROUP BY account_key
),
base AS (
    SELECT d.as_of, f.account_key FROM firsts f JOIN dates d ON f.first_day <= d.as_of
),
-- the window days of every date, so usage joins on equality (a hash join) instead of a range
window_days AS (
    SELECT as_of, as_of - CAST(k AS INTEGER) AS day, CAST(k AS INTEGER) AS k
    FROM dates CROSS JOIN range(0, CAST($max_days AS BIGINT)) r(k)
),
joined AS (
    SELECT d.as_of, d.k, u.account_key, u.metric, u.event_date, u.value, u.positive, u.user_key,
           u.day_rep_metric, u.day_rep_all, u.user_rep, u.metric_next_day, u.user_next_day
    FROM usage_day u
    JOIN window_days d ON u.event_date = d.day
    WHERE u.event_date BETWEEN $scan_from AND $scan_to
),
-- each distinct (aggregate, window, this/previous, metric or all metrics) once per account, in one
-- grouping: distinct counts are counts of the representative rows of usage_day (see its
-- migration), so a value over all metrics is a count over all of the account's rows
by_account AS (
    SELECT as_of, account_key,
           /*aggregates*/
    FROM joined u
    GROUP BY ALL
)
SELECT b.as_of, n.account_id,
       /*outputs*/
FROM base b
JOIN usage_account n ON n.account_key = b.account_key
JOIN catalogue c ON c.as_of = b.as_of
LEFT JOIN by_account a ON a.as_of = b.as_of AND a.account_key = b.account_key
