-- Per account, the first day since start on which one rule's cumulative value reaches the
-- threshold (no window: the caller compares it with W). Columns: account_id, first_day.
SELECT account_id, min(day) AS first_day
FROM onboarding_series($ids, $start_dates, $as_of, $max_day, $metric_key)
WHERE metric_key = $metric_key AND kind = $kind AND cum >= $threshold
GROUP BY account_id
