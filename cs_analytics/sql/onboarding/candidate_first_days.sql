-- The activation finder's candidates: for each (metric key, kind, threshold) of the parallel
-- lists $t_metric, $t_kind, $t_threshold, the first day since start (< $max_day) on which each
-- account's cumulative value reaches the threshold. Reads usage_day (migrations/050) once, from
-- the start to day $max_day - 1 and through $as_of. Counts (active days, users) reach a threshold
-- on their k-th step, k = ceil(threshold): the sorted dates of the steps (day representatives;
-- each user's first positive date) are listed once per account and key, and each candidate picks
-- its k-th. Sums: day sums per account and key, their running sum, the first day at or above each
-- candidate's threshold. Columns: metric_key, kind, threshold, account_id, first_day.
WITH listed AS (  -- ak: the account's position in $ids, so that grouping and sorting compare integers
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id, unnest(CAST($start_dates AS DATE[])) AS start_date,
           unnest(range(1, len(CAST($ids AS VARCHAR[])) + 1)) AS ak
),
starts AS (  -- with the account's key in usage_day (migration 060; NULL without usage)
    SELECT l.*, k.account_key FROM listed l LEFT JOIN usage_account k ON k.account_id = l.account_id
),
candidates AS (
    SELECT unnest(CAST($t_metric AS VARCHAR[])) AS metric_key, unnest(CAST($t_kind AS VARCHAR[])) AS kind,
           unnest(CAST($t_threshold AS DOUBLE[])) AS threshold
),
counted AS MATERIALIZED (
    SELECT s.ak, u.metric, u.event_date, u.user_key, u.value, u.positive, u.day_rep_metric, u.day_rep_all, u.user_rep
    FROM usage_day u
    JOIN starts s ON s.account_key = u.account_key
    WHERE u.event_date >= s.start_date
      AND u.event_date <= CAST($as_of AS DATE)
      AND u.event_date < s.start_date + CAST($max_day AS INTEGER)
),
user_firsts AS (
    SELECT ak, metric AS metric_key, user_key, min(event_date) AS first_date
    FROM counted WHERE positive AND user_key IS NOT NULL GROUP BY ak, metric, user_key
    UNION ALL
    SELECT ak, '(any)', user_key, min(event_date) FROM counted WHERE user_rep GROUP BY ak, user_key
),
steps AS (
    SELECT ak, metric AS metric_key, 'active_days' AS kind, list_sort(list(event_date)) AS dates
    FROM counted WHERE day_rep_metric GROUP BY ak, metric
    UNION ALL
    SELECT ak, '(any)', 'active_days', list_sort(list(event_date)) FROM counted WHERE day_rep_all GROUP BY ak
    UNION ALL
    SELECT ak, metric_key, 'users', list_sort(list(first_date)) FROM user_firsts GROUP BY ak, metric_key
),
count_firsts AS (
    SELECT c.metric_key, c.kind, c.threshold, n.ak, n.dates[CAST(ceil(c.threshold) AS BIGINT)] AS first_date
    FROM steps n
    JOIN candidates c ON c.metric_key = n.metric_key AND c.kind = n.kind
    WHERE len(n.dates) >= ceil(c.threshold)
),
day_sums AS (
    SELECT ak, metric AS metric_key, event_date, sum(value) AS day_value FROM counted GROUP BY ak, metric, event_date
    UNION ALL
    SELECT ak, '(any)', event_date, sum(value) FROM counted GROUP BY ak, event_date
),
sum_cum AS (
    SELECT ak, metric_key, event_date,
           sum(day_value) OVER (PARTITION BY ak, metric_key ORDER BY event_date) AS cum
    FROM day_sums
),
sum_firsts AS (
    SELECT c.metric_key, c.kind, c.threshold, s.ak, min(s.event_date) AS first_date
    FROM sum_cum s
    JOIN candidates c ON c.kind = 'sum' AND c.metric_key = s.metric_key AND s.cum >= c.threshold
    GROUP BY c.metric_key, c.kind, c.threshold, s.ak
)
SELECT f.metric_key, f.kind, f.threshold, s.account_id, datediff('day', s.start_date, f.first_date) AS first_day
FROM (SELECT * FROM count_firsts UNION ALL SELECT * FROM sum_firsts) f
JOIN starts s ON s.ak = f.ak
