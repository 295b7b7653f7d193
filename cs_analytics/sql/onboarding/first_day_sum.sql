-- Per account, the first day since start (< $max_day) on which its cumulative sum of value of one
-- metric key (a metric, or '(any)') reaches $threshold. Values are >= 0 (data-contract.md), so
-- the cumulative sum never falls: the first crossing lies in the first calendar month whose
-- cumulative sum reaches the threshold. Two scans of usage_day (migrations/050): month sums find
-- that month and the sum before it, then only that month's rows are summed per day.
-- Columns: account_id, first_day.
-- Usage after day $max_day is not read into the search: the cumulative value never falls (values
-- are >= 0), so the first day with no bound is the answer when it is < $max_day, else there is none.
WITH starts AS (
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id, unnest(CAST($start_dates AS DATE[])) AS start_date
),
counted AS (
    SELECT s.account_id, s.start_date, u.event_date, u.value
    FROM usage_day u
    JOIN starts s ON s.account_id = u.account_id
    WHERE u.event_date >= s.start_date
      AND u.event_date <= CAST($as_of AS DATE)
      AND ($metric_key = '(any)' OR u.metric = $metric_key)
),
months AS (
    SELECT account_id, CAST(date_trunc('month', event_date) AS DATE) AS month, sum(value) AS month_value
    FROM counted
    GROUP BY ALL
),
month_cum AS (
    SELECT account_id, month,
           coalesce(sum(month_value) OVER (PARTITION BY account_id ORDER BY month
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before,
           sum(month_value) OVER (PARTITION BY account_id ORDER BY month) AS cum
    FROM months
),
crossing AS (
    SELECT account_id, arg_min(month, month) AS month, arg_min(before, month) AS before
    FROM month_cum
    WHERE cum >= $threshold
    GROUP BY account_id
),
days AS (
    SELECT c.account_id, c.start_date, c.event_date, x.before, sum(c.value) AS day_value
    FROM counted c
    JOIN crossing x ON x.account_id = c.account_id
    WHERE c.event_date >= x.month AND c.event_date < x.month + INTERVAL 1 MONTH
    GROUP BY ALL
),
day_cum AS (
    SELECT account_id, start_date, event_date,
           before + sum(day_value) OVER (PARTITION BY account_id ORDER BY event_date) AS cum
    FROM days
)
SELECT account_id, datediff('day', start_date, min(event_date)) AS first_day
FROM day_cum
WHERE cum >= $threshold
GROUP BY account_id, start_date
HAVING datediff('day', start_date, min(event_date)) < $max_day
