-- usage_day and usage_month keep their accounts as integer keys (issue 14): `account_key` replaces
-- `account_id`, and the new table `usage_account` maps one to the other. Writing the account text
-- into 100M usage_day rows (dictionary-FSST compression over about 91,000 distinct values per row
-- group) was the largest single cost of the rebuild; the readers group and join by the key and
-- join usage_account once, after they aggregate.
--   usage_account: one row per distinct account_id of usage; account_key is its position in text
--       order (1, 2, ...), renumbered on every rebuild of the usage tables: never a stable identifier.
-- The reference macros (usage_day_rows(), usage_month_rows(): migrations 050 and 055) keep the
-- account text: the stored tables joined with usage_account equal them (tests/ingest/
-- test_usage_day_build.py). An existing workspace's usage tables are current, so their accounts
-- are numbered and every other column kept, instead of recomputing them from usage.
CREATE OR REPLACE TABLE usage_account AS
SELECT account_id, CAST(row_number() OVER (ORDER BY account_id) AS INTEGER) AS account_key
FROM (SELECT DISTINCT account_id FROM usage_day);
CREATE OR REPLACE TABLE usage_day AS
SELECT k.account_key, d.metric, d.event_date, d.user_key, d.value, d.positive, d.day_rep_metric,
       d.day_rep_all, d.user_rep, d.metric_next_day, d.user_next_day
FROM usage_day d
JOIN usage_account k ON k.account_id = d.account_id
ORDER BY d.event_date;
CREATE OR REPLACE TABLE usage_month AS
SELECT k.account_key, m.metric, m.month, m.first_day, m.last_day
FROM usage_month m
JOIN usage_account k ON k.account_id = m.account_id;

-- The churn list (migration 050) reads each account's first and last usage date through the key.
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
        SELECT a.account_id, m.first_day, m.last_day
        FROM usage_month m JOIN usage_account a USING (account_key) WHERE m.metric IS NULL
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
