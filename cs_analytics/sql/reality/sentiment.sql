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
withdrawn AS (
    SELECT as_of, account_id, max(signal_at) AS withdrawn_at
    FROM visible WHERE action = 'withdraw' GROUP BY ALL
),
valid AS (
    SELECT v.*
    FROM visible v LEFT JOIN withdrawn w USING (as_of, account_id)
    WHERE v.action = 'assessment'
       OR (v.action = 'flag' AND (w.withdrawn_at IS NULL OR v.signal_at > w.withdrawn_at))
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
    QUALIFY row_number() OVER (PARTITION BY as_of, account_id ORDER BY signal_at DESC, flag_id DESC) = 1
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
