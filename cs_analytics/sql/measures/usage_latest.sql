-- latest(a, T) = the sum of value on the account's last day with a usage row (of metric $metric
-- when the metric filter marker is filled) in the $window_days days ending T. Missing when the window
-- has no such row. Bound: $as_of_dates (DATE[]), $window_days, and with a metric $metric.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
window_days AS (
    SELECT as_of, as_of - CAST(k AS INTEGER) AS day
    FROM dates CROSS JOIN range(0, CAST($window_days AS BIGINT)) r(k)
),
daily AS (
    SELECT d.as_of, u.account_id, u.event_date, sum(u.value) AS day_value
    FROM usage u
    JOIN window_days d ON u.event_date = d.day
    WHERE TRUE /*metric_filter*/
    GROUP BY ALL
)
SELECT as_of, account_id, CAST(arg_max(day_value, event_date) AS DOUBLE) AS raw
FROM daily
GROUP BY ALL
