-- Backtest outcome: for every account that is a customer on snapshot date T, churned = TRUE when
-- its MRR (sum of mrr over contracts active that day) is 0 on at least one check date: each
-- month-end in (T, T+H] and T+H itself. The checks are given as two parallel lists
-- $check_as_of / $check_day (DATE[]); the population as $as_of_dates (DATE[]).
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
checks AS (
    SELECT unnest(CAST($check_as_of AS DATE[])) AS as_of,
           unnest(CAST($check_day AS DATE[])) AS day
),
population AS (
    SELECT d.as_of, c.account_id
    FROM dates d
    JOIN contracts c
      ON c.start_date <= d.as_of AND (c.end_date IS NULL OR c.end_date >= d.as_of)
    GROUP BY ALL
    HAVING sum(c.mrr) > 0
),
mrr_at AS (
    SELECT k.as_of, k.day, c.account_id, sum(c.mrr) AS mrr
    FROM checks k
    JOIN contracts c
      ON c.start_date <= k.day AND (c.end_date IS NULL OR c.end_date >= k.day)
    WHERE c.account_id IN (SELECT account_id FROM population)
    GROUP BY ALL
)
SELECT p.as_of, p.account_id,
       bool_or(coalesce(m.mrr, 0) <= 0) AS churned,
       min(k.day) FILTER (WHERE coalesce(m.mrr, 0) <= 0) AS churn_check_day
FROM population p
JOIN checks k ON k.as_of = p.as_of
LEFT JOIN mrr_at m ON m.as_of = k.as_of AND m.day = k.day AND m.account_id = p.account_id
GROUP BY p.as_of, p.account_id
ORDER BY p.as_of, p.account_id
