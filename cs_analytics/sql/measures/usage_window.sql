-- The usage measures read over the 30 days ending T (T-29 .. T), for every T in $as_of_dates (DATE[]):
--   active_users(a, T) = distinct user_id on usage rows with value > 0 in the window;
--   breadth(a, T)      = distinct metrics with value > 0 the account used in the window
--                        / distinct metrics with value > 0 in the whole data (all accounts) dated <= T
--                        (missing when that is 0).
-- Both are 0 for an account with usage before T but none in the window, and missing for an
-- account with no usage row dated <= T.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
metric_first AS (
    SELECT metric, min(event_date) AS first_day FROM usage WHERE value > 0 GROUP BY metric
),
catalogue AS (
    SELECT d.as_of, count(m.metric) AS metrics
    FROM dates d LEFT JOIN metric_first m ON m.first_day <= d.as_of
    GROUP BY d.as_of
),
firsts AS (
    SELECT account_id, min(event_date) AS first_day FROM usage GROUP BY account_id
),
base AS (
    SELECT d.as_of, f.account_id FROM firsts f JOIN dates d ON f.first_day <= d.as_of
),
window_days AS (
    SELECT as_of, as_of - CAST(k AS INTEGER) AS day FROM dates CROSS JOIN range(0, 30) r(k)
),
recent AS (
    SELECT d.as_of, u.account_id, count(DISTINCT u.user_id) AS users, count(DISTINCT u.metric) AS metrics
    FROM usage u
    JOIN window_days d ON u.event_date = d.day
    WHERE u.value > 0
    GROUP BY ALL
)
SELECT b.as_of, b.account_id,
       CAST(coalesce(r.users, 0) AS DOUBLE) AS active_users,
       CASE WHEN c.metrics > 0 THEN CAST(coalesce(r.metrics, 0) AS DOUBLE) / c.metrics END AS breadth
FROM base b
JOIN catalogue c ON c.as_of = b.as_of
LEFT JOIN recent r ON r.as_of = b.as_of AND r.account_id = b.account_id
