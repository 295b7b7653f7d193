-- Per account, the first day since start (< $max_day) on which its cumulative sum of value of one
-- metric key (a metric, or '(any)') reaches $threshold. Values are >= 0 (data-contract.md), so
-- the cumulative sum never falls: the first crossing lies in the first calendar month whose
-- cumulative sum reaches the threshold. Two scans of usage_day (migrations/050): month sums find
-- that month and the sum before it, then only that month's rows are summed per day.
-- Columns: account_id, first_day.
-- Only usage dated from the start to day $max_day - 1 and on or before $as_of is read, and only
-- from $scan_from to the day before $scan_to (constants: usage_day is in date order, so the scan
-- skips the row groups outside; activation.first_days bounds it to the starts it asks about).
WITH listed AS (  -- ak: the account's position in $ids, so that grouping and sorting compare integers
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id, unnest(CAST($start_dates AS DATE[])) AS start_date,
           unnest(range(1, len(CAST($ids AS VARCHAR[])) + 1)) AS ak
),
starts AS (  -- with the account's key in usage_day (migration 060; NULL without usage)
    SELECT l.*, k.account_key FROM listed l LEFT JOIN usage_account k ON k.account_id = l.account_id
),
counted AS (
    SELECT s.ak, u.event_date, u.value
    FROM usage_day u
    JOIN starts s ON s.account_key = u.account_key
    WHERE u.event_date >= s.start_date
      AND u.event_date <= CAST($as_of AS DATE)
      AND u.event_date < s.start_date + CAST($max_day AS INTEGER)
      AND u.event_date >= CAST($scan_from AS DATE) AND u.event_date < CAST($scan_to AS DATE)
      AND ($metric_key = '(any)' OR u.metric = $metric_key)
),
months AS (
    SELECT ak, CAST(date_trunc('month', event_date) AS DATE) AS month, sum(value) AS month_value
    FROM counted
    GROUP BY ALL
),
month_cum AS (  -- before: the sum of the earlier months; the month's own sum is added to it
    SELECT ak, month, month_value,
           coalesce(sum(month_value) OVER (PARTITION BY ak ORDER BY month
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM months
),
crossing AS (
    SELECT ak, arg_min(month, month) AS month, arg_min(before, month) AS before
    FROM month_cum
    WHERE before + month_value >= $threshold
    GROUP BY ak
),
days AS (
    SELECT c.ak, c.event_date, x.before, sum(c.value) AS day_value
    FROM counted c
    JOIN crossing x ON x.ak = c.ak
    WHERE c.event_date >= x.month AND c.event_date < x.month + INTERVAL 1 MONTH
    GROUP BY ALL
),
day_cum AS (
    SELECT ak, event_date, before + sum(day_value) OVER (PARTITION BY ak ORDER BY event_date) AS cum
    FROM days
),
first_dates AS (
    SELECT ak, min(event_date) AS first_date FROM day_cum WHERE cum >= $threshold GROUP BY ak
)
SELECT s.account_id, datediff('day', s.start_date, f.first_date) AS first_day
FROM first_dates f
JOIN starts s ON s.ak = f.ak
