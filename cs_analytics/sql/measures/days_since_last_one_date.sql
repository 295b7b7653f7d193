-- days_since_last for a single date T (cheaper than the per-month form when only one T is asked):
-- T - the date of the account's last usage row dated <= T (of metric $metric when the metric
-- filter markers are filled), in days; missing for an account with no such row.
-- The later of the last usage date of the months before T's month (and of T's month when T is
-- its last day; derived usage_month, metric NULL = all metrics) and, for a T inside its month, the
-- last one in T's month up to T (usage_day within the scan bounds).
-- Bound: $as_of_dates (DATE[], one date), $scan_from .. $scan_to (the first day of T's month .. T;
-- empty when T is a month-end) and, with a metric, $metric.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
earlier AS (
    SELECT d.as_of, m.account_key, max(m.last_day) AS last_day
    FROM usage_month m
    JOIN dates d ON m.month < CASE WHEN d.as_of = last_day(d.as_of)
                                   THEN CAST(date_trunc('month', d.as_of) + INTERVAL 1 MONTH AS DATE)
                                   ELSE CAST(date_trunc('month', d.as_of) AS DATE) END
    WHERE TRUE /*month_metric_filter*/
    GROUP BY ALL
),
current_month AS (
    SELECT d.as_of, u.account_key, max(u.event_date) AS last_day
    FROM usage_day u
    JOIN dates d ON u.event_date <= d.as_of AND d.as_of <> last_day(d.as_of)
    WHERE u.event_date BETWEEN $scan_from AND $scan_to /*metric_filter*/
    GROUP BY ALL
)
SELECT l.as_of, n.account_id, CAST(l.as_of - l.last_day AS DOUBLE) AS raw
FROM (SELECT as_of, account_key, max(last_day) AS last_day
      FROM (SELECT * FROM earlier UNION ALL SELECT * FROM current_month)
      GROUP BY as_of, account_key) l
JOIN usage_account n ON n.account_key = l.account_key  -- the key's account (migration 060)
