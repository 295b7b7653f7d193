-- Customer lifetime per account (metrics.md, Cohorts, survival view): s = first month with
-- MRR > 0; the first month after s with MRR = 0 is the first churn month (a customer for months
-- s..e and not in e+1 has lifetime e+1-s); an account never losing MRR through the last complete
-- month L is right-censored at L - s. Reactivation does not restart the clock.
WITH am AS (SELECT * FROM retention_months($as_of, $last_month, $from_raw, $account_ids)),
starts AS (
    SELECT account_id, min(month) FILTER (WHERE mrr > 0) AS start_month, max(month) AS last_month
    FROM am
    GROUP BY account_id
),
churns AS (
    SELECT am.account_id, min(am.month) AS churn_month
    FROM am JOIN starts s ON s.account_id = am.account_id
    WHERE am.month > s.start_month AND am.mrr <= 0
    GROUP BY am.account_id
)
SELECT s.account_id, s.start_month, c.churn_month,
       CAST(datediff('month', s.start_month, coalesce(c.churn_month, s.last_month)) AS INTEGER) AS duration_months,
       c.churn_month IS NOT NULL AS churned
FROM starts s
LEFT JOIN churns c ON c.account_id = s.account_id
WHERE s.start_month IS NOT NULL
ORDER BY s.account_id
