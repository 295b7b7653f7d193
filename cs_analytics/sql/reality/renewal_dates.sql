-- Per account, the next renewal due after the as-of day (metrics.md, Renewals: a contract's
-- renewal_date, else its end_date). Parameter: as-of date.
SELECT account_id, min(coalesce(renewal_date, end_date)) AS renewal_date
FROM contracts
WHERE coalesce(renewal_date, end_date) > ?
GROUP BY account_id
