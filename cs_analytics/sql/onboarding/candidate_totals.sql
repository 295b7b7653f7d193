-- The activation finder's threshold base: per account, metric key and kind, the cumulative value
-- reached before day $max_day since start (accounts without usage of a key are absent: zero).
SELECT account_id, metric_key, kind, max(cum) AS total
FROM onboarding_series($ids, $start_dates, $as_of, $max_day, NULL)
GROUP BY account_id, metric_key, kind
