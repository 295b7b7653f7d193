-- active_users(a, T) = distinct user_id on usage rows with value > 0 dated in the 30 days ending T
-- (T-29 .. T). 0 for an account with usage before but none in the window; missing for an account
-- with no usage row dated <= T. Bound: $as_of_dates (DATE[]).
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
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
    SELECT d.as_of, u.account_id, count(DISTINCT u.user_id) AS users
    FROM usage u
    JOIN window_days d ON u.event_date = d.day
    WHERE u.value > 0
    GROUP BY ALL
)
SELECT b.as_of, b.account_id, CAST(coalesce(r.users, 0) AS DOUBLE) AS raw
FROM base b
LEFT JOIN recent r ON r.as_of = b.as_of AND r.account_id = b.account_id
