-- Rebuild the usage derived tables (defined by the macros of migrations/050_usage_derived.sql).
-- usage_day is the table of macro usage_day_rows(), computed here with three window sorts instead
-- of five, over integer keys instead of text (issue 14; tests/ingest/test_usage_day_build.py proves
-- the two equal row for row):
--   account, metric and user get dense integer keys numbered in text order (so ordering by a key is
--   ordering by its text; a NULL user keeps a NULL key), sorts compare integers, and the metric
--   text comes back by key at the end (at 10M rows the build takes 2/3 of the time of the text
--   sorts); the user stays its key (`user_key`, migration 055) and so does the account
--   (`account_key`, migration 060: `usage_account` maps it to account_id for the readers, which
--   join it after they aggregate): writing text (dictionary-FSST) is the largest cost of the 100M
--   rebuild, more than the sorts;
--   among the positive rows of an (account, metric) ordered by day, the least user (NULL first)
--   last, a day's representative is its day group's last row, and its next positive day is the
--   next row's date (one lead over the positive rows: a partition per sign instead of a lead ...
--   IGNORE NULLS over all rows). The same among the positive rows of an (account, user), least
--   metric last. The (account, day) representative keeps its row_number().
--   `grouped` sums the rows of one account, metric, day and user; core/derived.py leaves the
--   grouping out when the usage table is one upload's daily facts, already one row per group.
CREATE OR REPLACE TABLE usage_account AS
SELECT account_id, CAST(row_number() OVER (ORDER BY account_id) AS INTEGER) AS account_key
FROM (SELECT DISTINCT account_id FROM usage);
CREATE OR REPLACE TEMP TABLE _metric_keys AS
SELECT metric, CAST(row_number() OVER (ORDER BY metric) AS INTEGER) AS mk
FROM (SELECT DISTINCT metric FROM usage);
CREATE OR REPLACE TEMP TABLE _user_keys AS
SELECT user_id, CAST(row_number() OVER (ORDER BY user_id) AS INTEGER) AS uk
FROM (SELECT DISTINCT user_id FROM usage WHERE user_id IS NOT NULL);
CREATE OR REPLACE TABLE usage_day AS
WITH keyed AS (
    SELECT a.account_key AS ak, m.mk, k.uk, u.event_date, u.value
    FROM usage u
    JOIN usage_account a ON a.account_id = u.account_id
    JOIN _metric_keys m ON m.metric = u.metric
    LEFT JOIN _user_keys k ON k.user_id = u.user_id
),
grouped AS (
    SELECT ak, mk, event_date, uk, sum(value) AS value, bool_or(value > 0) AS positive
    FROM keyed
    GROUP BY ALL
),
flagged AS (
    SELECT *,
           lead(event_date) OVER metric_days AS metric_lead,
           positive AND row_number() OVER (PARTITION BY ak, event_date, positive
                                           ORDER BY mk, uk NULLS FIRST) = 1 AS day_rep_all,
           lead(event_date) OVER user_days AS user_lead
    FROM grouped
    WINDOW metric_days AS (PARTITION BY ak, mk, positive ORDER BY event_date, uk DESC NULLS LAST),
           user_days AS (PARTITION BY ak, uk, positive ORDER BY event_date, mk DESC)
),
flags AS (
    SELECT *,
           positive AND metric_lead IS DISTINCT FROM event_date AS day_rep_metric,
           positive AND uk IS NOT NULL AND user_lead IS DISTINCT FROM event_date AS user_rep
    FROM flagged
)
SELECT f.ak AS account_key, m.metric, f.event_date, f.uk AS user_key, f.value, f.positive, f.day_rep_metric,
       f.day_rep_all, f.user_rep,
       CASE WHEN f.day_rep_metric THEN f.metric_lead END AS metric_next_day,
       CASE WHEN f.user_rep THEN f.user_lead END AS user_next_day
FROM flags f
JOIN _metric_keys m ON m.mk = f.mk
ORDER BY f.event_date;
DROP TABLE _metric_keys;
DROP TABLE _user_keys;
-- usage_month and usage_metric_first (the macros' definitions) from usage_day's integer keys: it
-- holds every (account, metric, day) of usage, and `positive` says a row of value > 0 is in its group
CREATE OR REPLACE TABLE usage_month AS
SELECT account_key, metric, CAST(date_trunc('month', event_date) AS DATE) AS month,
       min(event_date) AS first_day, max(event_date) AS last_day
FROM usage_day
GROUP BY GROUPING SETS ((account_key, metric, month), (account_key, month));
CREATE OR REPLACE TABLE usage_metric_first AS
SELECT metric, min(event_date) AS first_day FROM usage_day WHERE positive GROUP BY metric;
