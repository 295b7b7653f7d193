-- Per account and month: MRR, MRR a month and twelve months before, and the movement class from
-- M-1 to M (metrics.md, Revenue): new (MRR(M-1) = 0, never a customer before), reactivation
-- (MRR(M-1) = 0, a customer before), expansion / contraction (both > 0, up / down), churn
-- (MRR(M-1) > 0, MRR(M) = 0), flat. `{months}` is the per-account-month relation (dense: every
-- account has every month, so lag(.., 12) is the month twelve months before).
WITH am AS ({months}),
lagged AS (
    SELECT account_id, month, mrr,
           coalesce(lag(mrr) OVER w, 0) AS prev_mrr,
           coalesce(month > min(CASE WHEN mrr > 0 THEN month END) OVER (PARTITION BY account_id), FALSE)
               AS customer_before,
           lag(mrr, 12) OVER w AS mrr_12m_ago
    FROM am
    WINDOW w AS (PARTITION BY account_id ORDER BY month)
),
movements AS (
    SELECT *,
           CASE
               WHEN prev_mrr <= 0 AND mrr > 0 AND NOT customer_before THEN 'new'
               WHEN prev_mrr <= 0 AND mrr > 0 THEN 'reactivation'
               WHEN prev_mrr > 0 AND mrr <= 0 THEN 'churn'
               WHEN prev_mrr > 0 AND mrr > prev_mrr THEN 'expansion'
               WHEN prev_mrr > 0 AND mrr < prev_mrr THEN 'contraction'
               ELSE 'flat'
           END AS movement
    FROM lagged
)
