-- Usage pre-aggregated for the health measures (docs/performance.md, "30 measures"): three derived
-- tables built from `usage` by the table macros below, created here for an existing workspace and
-- rebuilt on every data write (core/derived.py runs sql/build_usage_derived.sql).
--   usage_day: one row per account, metric, day and user (user_id NULL kept as its own row):
--       value = sum of value, positive = some row of value > 0; stored in event_date order so a
--       date-bounded scan reads only the row groups of its window. Distinct users stay countable
--       over any window (a per-day user count would not add up across days).
--   usage_month: per account and calendar month, first_day / last_day = the first / last date
--       with a usage row, per metric and, with metric NULL, over all metrics (a metric is never NULL).
--   usage_metric_first: per metric, the first date of a row with value > 0 (the metric catalogue).
CREATE OR REPLACE MACRO usage_day_rows() AS TABLE
    SELECT account_id, metric, event_date, user_id, sum(value) AS value, bool_or(value > 0) AS positive
    FROM usage
    GROUP BY ALL;

CREATE OR REPLACE MACRO usage_month_rows() AS TABLE
    SELECT account_id, metric, CAST(date_trunc('month', event_date) AS DATE) AS month,
           min(event_date) AS first_day, max(event_date) AS last_day
    FROM usage
    GROUP BY GROUPING SETS ((account_id, metric, month), (account_id, month));

CREATE OR REPLACE MACRO usage_metric_first_rows() AS TABLE
    SELECT metric, min(event_date) AS first_day FROM usage WHERE value > 0 GROUP BY metric;

CREATE OR REPLACE TABLE usage_day AS SELECT * FROM usage_day_rows() ORDER BY event_date;
CREATE OR REPLACE TABLE usage_month AS SELECT * FROM usage_month_rows();
CREATE OR REPLACE TABLE usage_metric_first AS SELECT * FROM usage_metric_first_rows();

-- The churn list of migration 025, unchanged in meaning, reads each account's first and last usage
-- date from usage_month (about 30 times fewer rows than usage) instead of scanning all usage.
CREATE OR REPLACE VIEW churn_list AS
WITH listed AS (
    SELECT account_id,
           bool_or(churned) AS churned,
           min(churned_at) FILTER (WHERE churned) AS churned_at,
           arg_min(reason, coalesce(churned_at, DATE '9999-12-31'))
               FILTER (WHERE churned AND reason IS NOT NULL) AS reason
    FROM outcomes
    GROUP BY account_id
),
data_days AS (
    SELECT account_id, min(first_day) AS first_data_date, max(last_day) AS last_data_date
    FROM (
        SELECT account_id, first_day, last_day FROM usage_month WHERE metric IS NULL
        UNION ALL SELECT account_id, responded_at, responded_at FROM nps
        UNION ALL SELECT account_id, assessed_at, assessed_at FROM assessments
    )
    GROUP BY account_id
)
SELECT l.account_id, l.churned,
       CASE WHEN l.churned THEN coalesce(l.churned_at, d.last_data_date + 1) END AS churn_date,
       l.churned_at IS NOT NULL AS dated, l.reason, d.first_data_date, d.last_data_date
FROM listed l
LEFT JOIN data_days d USING (account_id);
