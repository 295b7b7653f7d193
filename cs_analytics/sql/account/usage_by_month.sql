-- One account's usage value summed per calendar month and metric, up to the as-of day.
-- Parameters: account id, as-of date.
SELECT CAST(date_trunc('month', event_date) AS DATE) AS month, metric, sum(value) AS value
FROM usage
WHERE account_id = ? AND event_date <= ?
GROUP BY ALL
ORDER BY month, metric
