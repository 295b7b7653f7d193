-- Per account, the first day since start (< $max_day) on which its distinct active days of one
-- metric key (a metric, or '(any)') reach $threshold: the k-th positive day from the start, with
-- k = ceil($threshold) (a count reaches a threshold exactly when it reaches its ceiling).
-- Reads usage_day's day representatives (migrations/050): day_rep_metric is one row per positive
-- (account, metric, day), day_rep_all one per positive (account, day), so the k-th smallest date
-- of those rows is the k-th distinct active day (one scan, a k-value heap per account; no
-- per-day series, no window). Columns: account_id, first_day.
-- Usage after day $max_day is not read into the search: the cumulative value never falls (values
-- are >= 0), so the first day with no bound is the answer when it is < $max_day, else there is none.
WITH starts AS (
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id, unnest(CAST($start_dates AS DATE[])) AS start_date
),
active_days AS (
    SELECT s.account_id, s.start_date, u.event_date
    FROM usage_day u
    JOIN starts s ON s.account_id = u.account_id
    WHERE u.event_date >= s.start_date
      AND u.event_date <= CAST($as_of AS DATE)
      AND CASE WHEN $metric_key = '(any)' THEN u.day_rep_all
               ELSE u.day_rep_metric AND u.metric = $metric_key END
),
firsts AS (
    SELECT account_id, start_date, min(event_date, CAST(ceil($threshold) AS BIGINT)) AS days
    FROM active_days
    GROUP BY account_id, start_date
)
SELECT account_id, datediff('day', start_date, days[CAST(ceil($threshold) AS BIGINT)]) AS first_day
FROM firsts
WHERE len(days) >= ceil($threshold)
  AND datediff('day', start_date, days[CAST(ceil($threshold) AS BIGINT)]) < $max_day
