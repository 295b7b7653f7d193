-- One history of what CSMs said, in order, with its source: CRM assessments and in-app flags.
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
       CAST(NULL AS BIGINT)           AS flag_id
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
       flag_id
FROM flags;
