-- CSM sentiment per (as_of, account) at each snapshot (reality/sentiment.py, sentiment_snapshots).
-- Parameters: snapshot dates, signal cutoffs, flag review days (three aligned lists), max age in days.
WITH snap AS (
    SELECT unnest(?::DATE[]) AS as_of, unnest(?::TIMESTAMP[]) AS cutoff,
           unnest(?::DATE[]) AS review_day
),
visible AS (
    SELECT s.as_of, s.review_day, h.*
    FROM snap s JOIN csm_signal_history h ON h.signal_at < s.cutoff
),
valid AS (
    -- a flag counts while in force: no withdrawal names it, no older-style withdrawal (no flag
    -- named) of the account came after it, and its user has not flagged the account again since
    SELECT v.*
    FROM visible v
    WHERE v.action = 'assessment'
       OR (v.action = 'flag'
           AND NOT EXISTS (
               SELECT 1 FROM visible w
               WHERE w.as_of = v.as_of AND w.account_id = v.account_id AND w.action = 'withdraw'
                 AND (w.withdraws_flag_id = v.flag_id
                      OR (w.withdraws_flag_id IS NULL AND w.signal_at > v.signal_at)))
           AND NOT EXISTS (
               SELECT 1 FROM visible s
               WHERE s.as_of = v.as_of AND s.account_id = v.account_id AND s.action = 'flag'
                 AND lower(trim(s.user_name)) = lower(trim(v.user_name))
                 AND (s.signal_at > v.signal_at OR (s.signal_at = v.signal_at AND s.flag_id > v.flag_id))))
),
latest AS (
    SELECT * FROM valid
    QUALIFY row_number() OVER (
        PARTITION BY as_of, account_id
        ORDER BY signal_at DESC, (source = 'app') DESC, flag_id DESC NULLS LAST) = 1
),
last_flag AS (
    SELECT as_of, account_id, flag_id, sentiment AS flag_sentiment, review_by,
           review_by >= review_day AS flag_active
    FROM valid WHERE action = 'flag'
    -- several flags in force: the active, most severe (red beats yellow), newest one
    QUALIFY row_number() OVER (
        PARTITION BY as_of, account_id
        ORDER BY review_by >= review_day DESC, sentiment = 'red' DESC, signal_at DESC, flag_id DESC) = 1
),
judged AS (
    SELECT l.*, f.flag_id AS last_flag_id, f.flag_sentiment, f.review_by AS flag_review_by,
           coalesce(f.flag_active, FALSE) AS flagged,
           CAST(l.signal_at AS DATE) < l.as_of - CAST(? AS INTEGER)
               AND NOT (l.action = 'flag' AND l.review_by >= l.review_day) AS is_stale
    FROM latest l LEFT JOIN last_flag f USING (as_of, account_id)
)
SELECT as_of, account_id,
       CASE WHEN NOT is_stale THEN sentiment END AS csm_sentiment,
       CAST(signal_at AS DATE) AS assessed_at,
       source, user_name AS assessed_by, reason, note,
       is_stale AS stale, flagged,
       last_flag_id AS flag_id, flag_review_by AS review_by,
       (last_flag_id IS NOT NULL AND NOT flagged) AS flag_expired,
       flag_sentiment,
       sentiment AS last_sentiment
FROM judged
ORDER BY as_of, account_id
