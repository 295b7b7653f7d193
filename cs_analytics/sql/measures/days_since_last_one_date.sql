-- days_since_last for a single date T (cheaper than the per-month form when only one T is asked):
-- T - the date of the account's last usage row dated <= T (of metric $metric when the metric
-- filter marker is filled), in days; missing for an account with no such row.
-- Bound: $as_of_dates (DATE[], one date) and, with a metric, $metric.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
)
SELECT d.as_of, u.account_id, CAST(d.as_of - max(u.event_date) AS DOUBLE) AS raw
FROM usage u
JOIN dates d ON u.event_date <= d.as_of
WHERE TRUE /*metric_filter*/
GROUP BY d.as_of, u.account_id
