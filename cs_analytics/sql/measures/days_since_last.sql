-- days_since_last(a, T) = T - the date of the account's last usage row dated <= T (of metric
-- $metric when the metric filter markers are filled), in days. Missing for an
-- account with no such row. Bound: $as_of_dates (DATE[]), $scan_from .. $scan_to (the usage_day
-- dates to read: the months of the dates that are not month-ends, up to the latest such date;
-- empty when every date is a month-end) and, with a metric, $metric.
-- Computed as the later of (the last usage date in the months before T's month, and in T's month
-- too when T is its last day, found by an ASOF join on the per-month maxima of the derived
-- usage_month, metric NULL = all metrics) and (for a T inside its month: the last usage date in
-- T's month up to T, from usage_day read in date order within the scan bounds). Month-end dates
-- (snapshots, backtests, renewals' history) thus never read usage_day.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
monthly AS (
    SELECT account_key, month, last_day
    FROM usage_month
    WHERE TRUE /*month_metric_filter*/
),
grid AS (
    SELECT d.as_of, a.account_key,
           CASE WHEN d.as_of = last_day(d.as_of) THEN CAST(date_trunc('month', d.as_of) + INTERVAL 1 MONTH AS DATE)
                ELSE CAST(date_trunc('month', d.as_of) AS DATE) END AS month_cut
    FROM (SELECT DISTINCT account_key FROM monthly) a CROSS JOIN dates d
),
earlier AS (
    SELECT g.as_of, g.account_key, m.last_day
    FROM grid g
    ASOF JOIN monthly m ON m.account_key = g.account_key AND m.month < g.month_cut
),
month_days AS (
    SELECT as_of, as_of - CAST(k AS INTEGER) AS day
    FROM dates CROSS JOIN range(0, 31) r(k)
    WHERE as_of - CAST(k AS INTEGER) >= CAST(date_trunc('month', as_of) AS DATE)
      AND as_of <> last_day(as_of)
),
current_month AS (
    SELECT d.as_of, u.account_key, max(u.event_date) AS last_day
    FROM usage_day u
    JOIN month_days d ON u.event_date = d.day
    WHERE u.event_date BETWEEN $scan_from AND $scan_to /*metric_filter*/
    GROUP BY ALL
)
SELECT l.as_of, n.account_id, CAST(l.as_of - l.last_day AS DOUBLE) AS raw
FROM (SELECT as_of, account_key, max(last_day) AS last_day
      FROM (SELECT * FROM earlier UNION ALL SELECT * FROM current_month)
      GROUP BY as_of, account_key) l
JOIN usage_account n ON n.account_key = l.account_key  -- the key's account (migration 060)
