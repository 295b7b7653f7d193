-- One account's NPS responses on or before the as-of day. Parameters: account id, as-of date.
SELECT responded_at, score, comment
FROM nps
WHERE account_id = ? AND responded_at <= ?
ORDER BY responded_at
