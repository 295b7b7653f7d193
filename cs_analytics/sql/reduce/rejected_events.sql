-- The rows of `usage_typed` (type_events.sql) the reduction cannot type: never aggregated, never
-- dropped. Written beside the facts as read (text) under the usage table's canonical column names,
-- with the reason. Shared by DuckDB and Spark (transpiled by SQLGlot).
SELECT
    source_account_id AS account_id,
    source_event_date AS event_date,
    source_metric AS metric,
    source_value AS value,
    source_user_id AS user_id,
    reject_reason
FROM usage_typed
WHERE reject_reason IS NOT NULL
