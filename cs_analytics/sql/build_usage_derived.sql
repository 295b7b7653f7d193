-- Rebuild the usage derived tables (defined by the macros of migrations/050_usage_derived.sql).
-- usage_day is the table of macro usage_day_rows(), computed here with three window sorts instead
-- of five (issue 14; tests/ingest/test_usage_day_build.py proves the two equal row for row):
--   within (account, metric) ordered by day, positive rows last and the least user (NULL first)
--   last, a day's representative is its day group's last row when that row is positive, and its
--   next positive day is the next non-NULL positive date after it (lead ... IGNORE NULLS: every
--   later row is a later day). The same within (account, user), least metric last. The (account,
--   day) representative keeps its row_number().
CREATE OR REPLACE TABLE usage_day AS
WITH grouped AS (
    SELECT account_id, metric, event_date, user_id, sum(value) AS value, bool_or(value > 0) AS positive
    FROM usage
    GROUP BY ALL
),
flagged AS (
    SELECT *,
           positive AND lead(event_date) OVER metric_days IS DISTINCT FROM event_date AS day_rep_metric,
           lead(CASE WHEN positive THEN event_date END IGNORE NULLS) OVER metric_days AS metric_later,
           positive AND row_number() OVER (PARTITION BY account_id, event_date, positive
                                           ORDER BY metric, user_id NULLS FIRST) = 1 AS day_rep_all,
           positive AND user_id IS NOT NULL
                    AND lead(event_date) OVER user_days IS DISTINCT FROM event_date AS user_rep,
           lead(CASE WHEN positive THEN event_date END IGNORE NULLS) OVER user_days AS user_later
    FROM grouped
    WINDOW metric_days AS (PARTITION BY account_id, metric
                           ORDER BY event_date, positive, user_id DESC NULLS LAST),
           user_days AS (PARTITION BY account_id, user_id ORDER BY event_date, positive, metric DESC)
)
SELECT account_id, metric, event_date, user_id, value, positive, day_rep_metric, day_rep_all, user_rep,
       CASE WHEN day_rep_metric THEN metric_later END AS metric_next_day,
       CASE WHEN user_rep THEN user_later END AS user_next_day
FROM flagged
ORDER BY event_date;
CREATE OR REPLACE TABLE usage_month AS SELECT * FROM usage_month_rows();
CREATE OR REPLACE TABLE usage_metric_first AS SELECT * FROM usage_metric_first_rows();
