-- usage_day keeps its users as integer keys (issue 14): `user_key` replaces `user_id`. Its readers
-- only count users, group by them and test them for NULL, which the key answers as the text did,
-- and writing the user text (dictionary-FSST compression) cost 10-25 s of a 100M-row rebuild.
--   user_key: the position of user_id among the distinct non-NULL user_id of usage in text order
--       (1, 2, ...; NULL for a NULL user), renumbered on every rebuild: never a stable identifier.
-- The reference definition of usage_day (migration 050's macro, which sql/build_usage_derived.sql
-- is tested against) changes with it; usage_month and usage_metric_first do not change.
CREATE OR REPLACE MACRO usage_day_rows() AS TABLE
    WITH grouped AS (
        SELECT account_id, metric, event_date, user_id, sum(value) AS value, bool_or(value > 0) AS positive
        FROM usage
        GROUP BY ALL
    ),
    flagged AS (
        SELECT *,
               positive AND row_number() OVER (PARTITION BY account_id, metric, event_date, positive
                                               ORDER BY user_id NULLS FIRST) = 1 AS day_rep_metric,
               positive AND row_number() OVER (PARTITION BY account_id, event_date, positive
                                               ORDER BY metric, user_id NULLS FIRST) = 1 AS day_rep_all,
               positive AND user_id IS NOT NULL
                        AND row_number() OVER (PARTITION BY account_id, user_id, event_date, positive
                                               ORDER BY metric) = 1 AS user_rep
        FROM grouped
    ),
    by_text AS (
        SELECT *,
               CASE WHEN day_rep_metric THEN lead(event_date) OVER (
                   PARTITION BY account_id, metric, day_rep_metric ORDER BY event_date) END AS metric_next_day,
               CASE WHEN user_rep THEN lead(event_date) OVER (
                   PARTITION BY account_id, user_id, user_rep ORDER BY event_date) END AS user_next_day
        FROM flagged
    )
    SELECT account_id, metric, event_date,
           CAST(CASE WHEN user_id IS NOT NULL
                     THEN dense_rank() OVER (PARTITION BY user_id IS NULL ORDER BY user_id) END AS INTEGER)
               AS user_key,
           value, positive, day_rep_metric, day_rep_all, user_rep, metric_next_day, user_next_day
    FROM by_text;

-- An existing workspace's usage_day is current (it is rebuilt with every usage write, in the same
-- transaction), so its users are usage's users: number them and keep every other column, instead
-- of recomputing the flags from usage (minutes on a 100M-row workspace).
CREATE OR REPLACE TEMP TABLE _user_keys AS
SELECT user_id, CAST(row_number() OVER (ORDER BY user_id) AS INTEGER) AS user_key
FROM (SELECT DISTINCT user_id FROM usage_day WHERE user_id IS NOT NULL);
CREATE OR REPLACE TABLE usage_day AS
SELECT d.account_id, d.metric, d.event_date, k.user_key, d.value, d.positive, d.day_rep_metric,
       d.day_rep_all, d.user_rep, d.metric_next_day, d.user_next_day
FROM usage_day d
LEFT JOIN _user_keys k ON k.user_id = d.user_id
ORDER BY d.event_date;
DROP TABLE _user_keys;
