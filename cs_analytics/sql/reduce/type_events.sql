-- Typing of a usage source for the reduction (docs/scale.md), written once for DuckDB and Spark
-- (Spark runs it transpiled by SQLGlot). Input: a relation `usage_source` whose columns are the
-- usage table's canonical names (account_id, event_date, metric, value, user_id) as TEXT, in a
-- session whose time zone is UTC. Output: every source row, its text as read (source_*), its
-- typed values (*_typed) and `reject_reason`, NULL for a row the reduction can aggregate:
--   account_id: trimmed text; blank or missing -> rejected;
--   event_date: ISO 8601 text, YYYY-MM-DD or YYYY-MM-DD[T ]HH:MM:SS[.f] with an optional Z or
--               +HH[:MM] zone, truncated to its UTC day (a timestamp without a zone is UTC);
--               anything else, or no date -> rejected. The pattern check comes first because the
--               engines' casts disagree beyond it (2024/01/01, 2024-01-01T23, 23:30Z, a zone name).
--   metric: trimmed text, blank -> 'activity' (the data contract's default);
--   value: a plain or scientific decimal number (ASCII digits; not 1_000, NaN or Infinity) as
--          an exact DECIMAL(38, 9) (rounded to 9 decimals) so sums are identical on both engines;
--          blank or missing -> 1 (one event); anything else -> rejected; negative -> rejected;
--   user_id: trimmed text, blank -> NULL (its own group).
WITH parsed AS (
    SELECT
        account_id AS source_account_id,
        event_date AS source_event_date,
        metric AS source_metric,
        value AS source_value,
        user_id AS source_user_id,
        NULLIF(TRIM(account_id), '') AS account_id_typed,
        CASE WHEN REGEXP_MATCHES(TRIM(event_date), '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$')
             THEN CAST(TRY_CAST(TRIM(event_date) AS TIMESTAMPTZ) AS DATE) END AS event_date_typed,
        COALESCE(NULLIF(TRIM(metric), ''), 'activity') AS metric_typed,
        CASE WHEN NULLIF(TRIM(value), '') IS NULL THEN CAST(1 AS DECIMAL(38, 9))
             WHEN REGEXP_MATCHES(TRIM(value), '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$')
             THEN TRY_CAST(TRIM(value) AS DECIMAL(38, 9)) END AS value_typed,
        NULLIF(TRIM(user_id), '') AS user_id_typed
    FROM usage_source
)
SELECT
    *,
    CASE
        WHEN account_id_typed IS NULL THEN 'missing account_id'
        WHEN event_date_typed IS NULL THEN 'unreadable event_date'
        WHEN value_typed IS NULL THEN 'value is not a number (or has more than 29 integer digits)'
        WHEN value_typed < 0 THEN 'negative value'
    END AS reject_reason
FROM parsed
