-- Health population at T: accounts that are customers on day T, i.e. the sum of mrr over their
-- contracts active on T (start_date <= T <= end_date, open-ended contracts run on) is > 0.
-- For a month-end T this is exactly "customer in T's month" (metrics.md, Revenue).
-- Without any contract (a churn list or usage alone, metrics.md Outcomes): accounts with data
-- (usage, NPS or assessment) dated <= T that have not churned by T in the churn list; mrr NULL.
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
),
data_days AS (
    SELECT account_id, min(d) AS first_data_date
    FROM (
        SELECT a.account_id, m.first_day AS d  -- derived: first usage per month, by key (migration 060)
        FROM usage_month m JOIN usage_account a USING (account_key) WHERE m.metric IS NULL
        UNION ALL SELECT account_id, responded_at FROM nps
        UNION ALL SELECT account_id, assessed_at FROM assessments
    )
    WHERE NOT EXISTS (SELECT 1 FROM contracts)
    GROUP BY account_id
),
without_contracts AS (
    SELECT d.as_of, dd.account_id, CAST(NULL AS DOUBLE) AS mrr
    FROM dates d
    JOIN data_days dd ON dd.first_data_date <= d.as_of
    LEFT JOIN churn_list cl ON cl.account_id = dd.account_id
    WHERE NOT coalesce(cl.churned AND cl.churn_date <= d.as_of, FALSE)
),
customers AS (
    SELECT * FROM mrr UNION ALL SELECT * FROM without_contracts
)
SELECT m.as_of, m.account_id, a.account_name, a.segment, a.csm_owner, CAST(m.mrr AS DOUBLE) AS mrr
FROM customers m
LEFT JOIN accounts a ON a.account_id = m.account_id
ORDER BY m.as_of, m.account_id
