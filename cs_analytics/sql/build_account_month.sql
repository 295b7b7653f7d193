-- account_month: one row per account (seen in contracts or usage) and calendar month, from the
-- first month in the data through as_of's month ($as_of is bound).
--   mrr: sum of mrr over contracts active on the month's last day (start <= d <= end, open-ended
--        contracts run through as_of); is_customer: mrr > 0;
--   usage_value: sum of usage value; active_days / active_users / distinct_metrics: the distinct
--        days, users and metrics with a row of value > 0.
-- Usage is read from the derived usage tables (built first, core/derived.py): a distinct count over
-- the month S..E (E = the month's last day, or as_of in its month) is a plain count of usage_day's
-- representative rows dated in S..E whose next positive day is after E (migration 050), which
-- needs no distinct hash table per account-month (issue 14). The usage tables hold accounts as
-- integer keys (migration 060): usage is grouped by key and named through usage_account after.
CREATE OR REPLACE TABLE account_month AS
WITH bounds AS (
    SELECT CAST(date_trunc('month', min(d)) AS DATE) AS first_month,
           CAST(date_trunc('month', CAST($as_of AS DATE)) AS DATE) AS last_month
    FROM (SELECT min(start_date) AS d FROM contracts
          UNION ALL SELECT min(first_day) FROM usage_month WHERE metric IS NULL)
),
months AS (
    SELECT CAST(unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS DATE) AS month
    FROM bounds
    WHERE first_month IS NOT NULL AND first_month <= last_month
),
accts AS (
    SELECT account_id FROM contracts UNION SELECT account_id FROM usage_account
),
contract_spans AS (
    SELECT account_id, mrr, start_date,
           coalesce(end_date, CAST($as_of AS DATE)) AS end_effective
    FROM contracts
),
contract_months AS (
    SELECT account_id, mrr, start_date, end_effective,
           CAST(unnest(generate_series(
               date_trunc('month', start_date),
               least(date_trunc('month', end_effective), date_trunc('month', CAST($as_of AS DATE))),
               INTERVAL 1 MONTH)) AS DATE) AS month
    FROM contract_spans
    WHERE start_date <= end_effective
),
mrr_months AS (
    SELECT account_id, month, sum(mrr) AS mrr
    FROM contract_months
    WHERE last_day(month) >= start_date AND last_day(month) <= end_effective
    GROUP BY account_id, month
),
usage_keyed AS (
    SELECT account_key,
           CAST(date_trunc('month', event_date) AS DATE) AS month,
           sum(value) AS usage_value,
           count(*) FILTER (WHERE day_rep_all) AS active_days,
           count(*) FILTER (WHERE user_rep AND NOT coalesce(user_next_day <= month_end, FALSE)) AS active_users,
           count(*) FILTER (WHERE day_rep_metric AND NOT coalesce(metric_next_day <= month_end, FALSE))
               AS distinct_metrics
    FROM (SELECT *, least(last_day(event_date), CAST($as_of AS DATE)) AS month_end FROM usage_day)
    WHERE event_date <= CAST($as_of AS DATE)
    GROUP BY account_key, month
),
usage_months AS (
    SELECT n.account_id, u.* EXCLUDE (account_key)
    FROM usage_keyed u JOIN usage_account n ON n.account_key = u.account_key
)
SELECT a.account_id,
       m.month,
       coalesce(r.mrr, 0)::DOUBLE            AS mrr,
       coalesce(r.mrr, 0) > 0                AS is_customer,
       coalesce(u.usage_value, 0)::DOUBLE    AS usage_value,
       coalesce(u.active_days, 0)::INTEGER   AS active_days,
       coalesce(u.active_users, 0)::INTEGER  AS active_users,
       coalesce(u.distinct_metrics, 0)::INTEGER AS distinct_metrics
FROM accts a
CROSS JOIN months m
LEFT JOIN mrr_months r ON r.account_id = a.account_id AND r.month = m.month
LEFT JOIN usage_months u ON u.account_id = a.account_id AND u.month = m.month
ORDER BY a.account_id, m.month;
