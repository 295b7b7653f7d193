-- usage_trend(a, T) = usage value in the 30 days ending T (T-29 .. T)
--                     / usage value in the 30 days before that (T-59 .. T-30).
-- Missing when the earlier window's value is 0 (ratio undefined). Only rows dated <= T are read.
-- Bound: $as_of_dates (DATE[]); one row per (as_of, account_id).
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
-- the 60 window days of every date, so usage joins on equality (a hash join) instead of a range
window_days AS (
    SELECT as_of, as_of - CAST(k AS INTEGER) AS day FROM dates CROSS JOIN range(0, 60) r(k)
),
windowed AS (
    SELECT d.as_of,
           u.account_id,
           coalesce(sum(u.value) FILTER (WHERE u.event_date > d.as_of - 30), 0) AS recent_value,
           coalesce(sum(u.value) FILTER (WHERE u.event_date <= d.as_of - 30), 0) AS prior_value
    FROM usage u
    JOIN window_days d ON u.event_date = d.day
    GROUP BY ALL
)
SELECT as_of, account_id, CAST(recent_value / prior_value AS DOUBLE) AS raw
FROM windowed
WHERE prior_value > 0
