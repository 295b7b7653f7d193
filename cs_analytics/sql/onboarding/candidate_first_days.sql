-- The activation finder's candidates: for each (metric key, kind, threshold) of the parallel
-- lists $t_metric, $t_kind, $t_threshold, the first day since start (< $max_day) on which each
-- account's cumulative value reaches the threshold. Columns: metric_key, kind, threshold,
-- account_id, first_day.
WITH candidates AS (
    SELECT unnest(CAST($t_metric AS VARCHAR[])) AS metric_key, unnest(CAST($t_kind AS VARCHAR[])) AS kind,
           unnest(CAST($t_threshold AS DOUBLE[])) AS threshold
)
SELECT c.metric_key, c.kind, c.threshold, s.account_id, min(s.day) AS first_day
FROM onboarding_series($ids, $start_dates, $as_of, $max_day, NULL) s
JOIN candidates c ON c.metric_key = s.metric_key AND c.kind = s.kind AND s.cum >= c.threshold
GROUP BY c.metric_key, c.kind, c.threshold, s.account_id
