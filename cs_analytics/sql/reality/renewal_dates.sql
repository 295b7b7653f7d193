-- Per account, the next contract end after the as-of day. Parameter: as-of date.
SELECT account_id, min(end_date) AS renewal_date
FROM contracts
WHERE end_date > ?
GROUP BY account_id
