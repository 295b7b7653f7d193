-- Every flag in force (created before the cutoff), active or expired at the review day: a flag
-- is in force unless a withdrawal names it, an older-style withdrawal (no flag named) of the same
-- account came after it, or the same user (trimmed, case-insensitive) flagged the account again
-- after it. One row per (account, user); the most severe (red), then the newest, first.
-- Parameters: cutoff timestamp, review day.
WITH visible AS (
    SELECT * FROM flags WHERE created_at < ?
),
in_force AS (
    SELECT f.*
    FROM visible f
    WHERE f.action = 'flag'
      AND NOT EXISTS (
          SELECT 1 FROM visible w
          WHERE w.account_id = f.account_id AND w.action = 'withdraw'
            AND (w.withdraws_flag_id = f.flag_id
                 OR (w.withdraws_flag_id IS NULL
                     AND (w.created_at > f.created_at
                          OR (w.created_at = f.created_at AND w.flag_id > f.flag_id)))))
      AND NOT EXISTS (
          SELECT 1 FROM visible s
          WHERE s.account_id = f.account_id AND s.action = 'flag'
            AND lower(trim(s.user_name)) = lower(trim(f.user_name))
            AND (s.created_at > f.created_at
                 OR (s.created_at = f.created_at AND s.flag_id > f.flag_id)))
)
SELECT l.account_id, l.flag_id, l.user_name, l.created_at, l.reason, l.note, l.review_by,
       CASE WHEN l.review_by < ? THEN 'expired' ELSE 'active' END AS status,
       coalesce(l.sentiment, 'red') AS sentiment,
       a.account_name, a.csm_owner
FROM in_force l
LEFT JOIN accounts a USING (account_id)
ORDER BY l.account_id, coalesce(l.sentiment, 'red') = 'red' DESC, l.created_at DESC, l.flag_id DESC
