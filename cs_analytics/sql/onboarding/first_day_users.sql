-- Per account, the first day since start (< $max_day) on which its distinct users of one metric
-- key (a metric, or '(any)') reach $threshold: the k-th smallest of its users' first positive
-- days from the start, with k = ceil($threshold) (the count of users whose first day is <= d
-- reaches k exactly when d reaches the k-th smallest first day). A user counts from its first
-- row of value > 0 (user_id NULL never counts). Reads usage_day (migrations/050): for '(any)'
-- only user_rep rows, one per positive (account, user, day). Columns: account_id, first_day.
-- Usage after day $max_day is not read into the search: the cumulative value never falls (values
-- are >= 0), so the first day with no bound is the answer when it is < $max_day, else there is none.
WITH starts AS (
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id, unnest(CAST($start_dates AS DATE[])) AS start_date
),
user_firsts AS (
    SELECT s.account_id, s.start_date, u.user_id, min(u.event_date) AS first_date
    FROM usage_day u
    JOIN starts s ON s.account_id = u.account_id
    WHERE u.event_date >= s.start_date
      AND u.event_date <= CAST($as_of AS DATE)
      AND CASE WHEN $metric_key = '(any)' THEN u.user_rep
               ELSE u.positive AND u.user_id IS NOT NULL AND u.metric = $metric_key END
    GROUP BY s.account_id, s.start_date, u.user_id
),
firsts AS (
    SELECT account_id, start_date, min(first_date, CAST(ceil($threshold) AS BIGINT)) AS days
    FROM user_firsts
    GROUP BY account_id, start_date
)
SELECT account_id, datediff('day', start_date, days[CAST(ceil($threshold) AS BIGINT)]) AS first_day
FROM firsts
WHERE len(days) >= ceil($threshold)
  AND datediff('day', start_date, days[CAST(ceil($threshold) AS BIGINT)]) < $max_day
