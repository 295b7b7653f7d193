-- Per account, the first day since start (< $max_day) on which its distinct users of one metric
-- key (a metric, or '(any)') reach $threshold: the k-th smallest of its users' first positive
-- days from the start, with k = ceil($threshold) (the count of users whose first day is <= d
-- reaches k exactly when d reaches the k-th smallest first day). A user counts from its first
-- row of value > 0 (a NULL user never counts). Reads usage_day (migrations/050): for '(any)'
-- only user_rep rows, one per positive (account, user, day). Columns: account_id, first_day.
-- Only usage dated from the start to day $max_day - 1 and on or before $as_of is read, and only
-- from $scan_from to the day before $scan_to (constants: usage_day is in date order, so the scan
-- skips the row groups outside; activation.first_days bounds it to the starts it asks about).
WITH listed AS (  -- ak: the account's position in $ids, so that grouping and sorting compare integers
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id, unnest(CAST($start_dates AS DATE[])) AS start_date,
           unnest(range(1, len(CAST($ids AS VARCHAR[])) + 1)) AS ak
),
starts AS (  -- with the account's key in usage_day (migration 060; NULL without usage)
    SELECT l.*, k.account_key FROM listed l LEFT JOIN usage_account k ON k.account_id = l.account_id
),
user_firsts AS (
    SELECT s.ak, u.user_key, min(u.event_date) AS first_date
    FROM usage_day u
    JOIN starts s ON s.account_key = u.account_key
    WHERE u.event_date >= s.start_date
      AND u.event_date <= CAST($as_of AS DATE)
      AND u.event_date < s.start_date + CAST($max_day AS INTEGER)
      AND u.event_date >= CAST($scan_from AS DATE) AND u.event_date < CAST($scan_to AS DATE)
      AND CASE WHEN $metric_key = '(any)' THEN u.user_rep
               ELSE u.positive AND u.user_key IS NOT NULL AND u.metric = $metric_key END
    GROUP BY s.ak, u.user_key
),
firsts AS (
    SELECT ak, min(first_date, CAST(ceil($threshold) AS BIGINT)) AS days
    FROM user_firsts
    GROUP BY ak
)
SELECT s.account_id, datediff('day', s.start_date, f.days[CAST(ceil($threshold) AS BIGINT)]) AS first_day
FROM firsts f
JOIN starts s ON s.ak = f.ak
WHERE len(f.days) >= ceil($threshold)
