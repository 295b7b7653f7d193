-- Health population at T: accounts that are customers on day T, i.e. the sum of mrr over their
-- contracts active on T (start_date <= T <= end_date, open-ended contracts run on) is > 0.
-- For a month-end T this is exactly "customer in T's month" (metrics.md, Revenue).
-- Bound: $as_of_dates (DATE[]).
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
mrr AS (
    SELECT d.as_of, c.account_id, sum(c.mrr) AS mrr
    FROM dates d
    JOIN contracts c
      ON c.start_date <= d.as_of AND (c.end_date IS NULL OR c.end_date >= d.as_of)
    GROUP BY ALL
    HAVING sum(c.mrr) > 0
)
SELECT m.as_of, m.account_id, a.account_name, a.segment, a.csm_owner, CAST(m.mrr AS DOUBLE) AS mrr
FROM mrr m
LEFT JOIN accounts a ON a.account_id = m.account_id
ORDER BY m.as_of, m.account_id
