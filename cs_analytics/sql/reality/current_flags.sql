-- Accounts whose latest flag action (created before the cutoff) is a flag, active or expired at
-- the review day. Parameters: cutoff timestamp, review day.
WITH latest AS (
    SELECT *
    FROM flags
    WHERE created_at < ?
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY created_at DESC, flag_id DESC) = 1
)
SELECT l.account_id, l.flag_id, l.user_name, l.created_at, l.reason, l.note, l.review_by,
       CASE WHEN l.review_by < ? THEN 'expired' ELSE 'active' END AS status,
       coalesce(l.sentiment, 'red') AS sentiment,
       a.account_name, a.csm_owner
FROM latest l
LEFT JOIN accounts a USING (account_id)
WHERE l.action = 'flag'
ORDER BY l.account_id
