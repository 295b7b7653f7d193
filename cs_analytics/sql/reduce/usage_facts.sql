-- The reduction of usage events to account-day facts, written once (docs/scale.md):
-- one row per account, metric, day and user (a NULL user is its own group), value = the sum of
-- the events' values. Input: a relation `usage_events` with canonical, already typed columns
-- (account_id VARCHAR, event_date DATE, metric VARCHAR, user_id VARCHAR, value DOUBLE, a missing
-- value already read as 1 as the data contract says). Every usage measure (sums, active days,
-- distinct users and metrics, days since last, latest day's value) is the same on the facts as on
-- the events, since values are >= 0. The DuckDB ingest runs this text as it is; the Spark engine
-- runs it transpiled by SQLGlot, so the two reductions cannot drift apart.
SELECT account_id, event_date, metric, user_id, sum(value) AS value
FROM usage_events
GROUP BY account_id, event_date, metric, user_id
