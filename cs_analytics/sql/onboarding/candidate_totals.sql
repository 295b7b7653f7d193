-- The activation finder's threshold base: per account, metric key (each metric and '(any)') and
-- kind, the cumulative value reached before day $max_day since start: sum of value (a row when the
-- account has usage of the key), distinct active days and distinct users (a row when above 0);
-- accounts without a row are zero. Reads usage_day (migrations/050) once, from the start to day
-- $max_day - 1 and through $as_of: active days count its day representatives (one row per
-- positive account-metric-day / account-day), users its positive rows with a user (for '(any)'
-- user_rep, one per positive account-user-day). Columns: account_id, metric_key, kind, total.
WITH listed AS (  -- ak: the account's position in $ids, so that grouping compares integers
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id, unnest(CAST($start_dates AS DATE[])) AS start_date,
           unnest(range(1, len(CAST($ids AS VARCHAR[])) + 1)) AS ak
),
starts AS (  -- with the account's key in usage_day (migration 060; NULL without usage)
    SELECT l.*, k.account_key FROM listed l LEFT JOIN usage_account k ON k.account_id = l.account_id
),
counted AS MATERIALIZED (
    SELECT s.ak, u.metric, u.user_key, u.value, u.positive, u.day_rep_metric, u.day_rep_all, u.user_rep
    FROM usage_day u
    JOIN starts s ON s.account_key = u.account_key
    WHERE u.event_date >= s.start_date
      AND u.event_date <= CAST($as_of AS DATE)
      AND u.event_date < s.start_date + CAST($max_day AS INTEGER)
),
totals AS (
    SELECT ak, metric AS metric_key, 'sum' AS kind, sum(value) AS total FROM counted GROUP BY ak, metric
    UNION ALL
    SELECT ak, '(any)', 'sum', sum(value) FROM counted GROUP BY ak
    UNION ALL
    SELECT ak, metric, 'active_days', count(*) FROM counted WHERE day_rep_metric GROUP BY ak, metric
    UNION ALL
    SELECT ak, '(any)', 'active_days', count(*) FROM counted WHERE day_rep_all GROUP BY ak
    UNION ALL
    SELECT ak, metric, 'users', count(DISTINCT user_key) FROM counted
    WHERE positive AND user_key IS NOT NULL GROUP BY ak, metric
    UNION ALL
    SELECT ak, '(any)', 'users', count(DISTINCT user_key) FROM counted WHERE user_rep GROUP BY ak
)
SELECT s.account_id, t.metric_key, t.kind, CAST(t.total AS DOUBLE) AS total
FROM totals t
JOIN starts s ON s.ak = t.ak
