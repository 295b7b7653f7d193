-- Onboarding (metrics.md, Onboarding and activation): per account, the cumulative usage facts by
-- day since the account's start, as a DuckDB table macro, so the rule, the curve and the
-- activation finder read one definition computed in DuckDB (never per candidate in Python).
--
-- Parameters: ids VARCHAR[] and start_dates DATE[] (parallel lists: each account and its start);
-- as_of_day (usage dated after it is ignored); max_day (days since start d < max_day are kept);
-- only_metric (NULL: every metric and the key '(any)'; a metric name: that metric only;
-- '(any)': every metric pooled).
-- Output: account_id, metric_key, kind, day, cum, one row per day on which the cumulative value
-- grows (a step function): kind 'sum' = sum of value, 'active_days' = distinct days with a row of
-- value > 0, 'users' = distinct user_id with a row of value > 0, each from day 0 (the start) to day.
-- Usage dated before the start is not counted.
CREATE OR REPLACE MACRO onboarding_series(ids, start_dates, as_of_day, max_day, only_metric) AS TABLE
    WITH starts AS (
        SELECT unnest(CAST(ids AS VARCHAR[])) AS account_id, unnest(CAST(start_dates AS DATE[])) AS start_date
    ),
    events AS (
        SELECT u.account_id, u.metric, u.user_id, u.value,
               CAST(datediff('day', s.start_date, u.event_date) AS INTEGER) AS day
        FROM usage u
        JOIN starts s ON s.account_id = u.account_id
        WHERE u.event_date >= s.start_date
          AND u.event_date <= CAST(as_of_day AS DATE)
          AND datediff('day', s.start_date, u.event_date) < max_day
    ),
    keyed AS (
        SELECT account_id, metric AS metric_key, user_id, value, day FROM events
        WHERE only_metric IS NULL OR metric = only_metric
        UNION ALL
        SELECT account_id, '(any)' AS metric_key, user_id, value, day FROM events
        WHERE only_metric IS NULL OR only_metric = '(any)'
    ),
    daily AS (
        SELECT account_id, metric_key, day, sum(value) AS day_value,
               CASE WHEN bool_or(value > 0) THEN 1 ELSE 0 END AS active
        FROM keyed
        GROUP BY account_id, metric_key, day
    ),
    user_firsts AS (
        SELECT account_id, metric_key, user_id, min(day) AS day
        FROM keyed
        WHERE value > 0 AND user_id IS NOT NULL
        GROUP BY account_id, metric_key, user_id
    ),
    new_users AS (
        SELECT account_id, metric_key, day, count(*) AS added
        FROM user_firsts
        GROUP BY account_id, metric_key, day
    )
    SELECT account_id, metric_key, 'sum' AS kind, day,
           CAST(sum(day_value) OVER (PARTITION BY account_id, metric_key ORDER BY day) AS DOUBLE) AS cum
    FROM daily
    UNION ALL
    SELECT account_id, metric_key, 'active_days' AS kind, day,
           CAST(sum(active) OVER (PARTITION BY account_id, metric_key ORDER BY day) AS DOUBLE) AS cum
    FROM daily
    WHERE active = 1
    UNION ALL
    SELECT account_id, metric_key, 'users' AS kind, day,
           CAST(sum(added) OVER (PARTITION BY account_id, metric_key ORDER BY day) AS DOUBLE) AS cum
    FROM new_users;
