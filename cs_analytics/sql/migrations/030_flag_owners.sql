-- Flags with owners (issue 11): several flags can be in force on one account, one per user. A
-- withdrawal names the one flag it ends (withdraws_flag_id); withdrawing someone else's flag
-- records why (override_reason). Older withdrawals (withdraws_flag_id null) end every flag of
-- the account made before them, as they did when an account had a single flag.
ALTER TABLE flags ADD COLUMN IF NOT EXISTS withdraws_flag_id BIGINT;
ALTER TABLE flags ADD COLUMN IF NOT EXISTS override_reason VARCHAR;

CREATE OR REPLACE VIEW csm_signal_history AS
SELECT account_id,
       CAST(assessed_at AS TIMESTAMP) AS signal_at,
       'upload'                       AS source,
       'assessment'                   AS action,
       sentiment,
       csm                            AS user_name,
       reason,
       note,
       CAST(NULL AS DATE)             AS review_by,
       CAST(NULL AS BIGINT)           AS flag_id,
       CAST(NULL AS BIGINT)           AS withdraws_flag_id,
       CAST(NULL AS VARCHAR)          AS override_reason
FROM assessments
UNION ALL
SELECT account_id,
       created_at,
       'app',
       action,
       CASE WHEN action = 'flag' THEN coalesce(sentiment, 'red') END,
       user_name,
       reason,
       note,
       review_by,
       flag_id,
       withdraws_flag_id,
       override_reason
FROM flags;
