-- The rows of `usage_typed` (type_events.sql) the reduction aggregates, as the relation
-- `usage_events` that usage_facts.sql reads. Shared by DuckDB and Spark (transpiled by SQLGlot).
SELECT
    account_id_typed AS account_id,
    event_date_typed AS event_date,
    metric_typed AS metric,
    user_id_typed AS user_id,
    value_typed AS value
FROM usage_typed
WHERE reject_reason IS NULL
