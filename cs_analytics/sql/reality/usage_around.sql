-- One account's daily usage from start to stop, zero-filled, with days from the contract end.
-- Parameters: start date, stop date, contract end, account id.
WITH days AS (SELECT CAST(unnest(generate_series(CAST(? AS DATE), CAST(? AS DATE),
                                                 INTERVAL 1 DAY)) AS DATE) AS date)
SELECT d.date, d.date - CAST(? AS DATE) AS days_from_end, coalesce(sum(u.value), 0) AS usage
FROM days d LEFT JOIN usage u ON u.account_id = ? AND u.event_date = d.date
GROUP BY ALL ORDER BY d.date

