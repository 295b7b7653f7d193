-- Month-by-month MRR bridge and trailing-12-month rates over the base B = accounts with
-- MRR(a, M-12) > 0 (metrics.md, Revenue), from the first data month through the last complete
-- month. Amounts are positive; churn and contraction subtract. Movements: the account_movements
-- macro (migration 014).
SELECT month,
       sum(mrr) AS mrr,
       count(*) FILTER (WHERE mrr > 0) AS customers,
       coalesce(sum(mrr) FILTER (WHERE movement = 'new'), 0) AS new,
       coalesce(sum(mrr) FILTER (WHERE movement = 'reactivation'), 0) AS reactivation,
       coalesce(sum(mrr - prev_mrr) FILTER (WHERE movement = 'expansion'), 0) AS expansion,
       coalesce(sum(prev_mrr - mrr) FILTER (WHERE movement = 'contraction'), 0) AS contraction,
       coalesce(sum(prev_mrr) FILTER (WHERE movement = 'churn'), 0) AS churn,
       count(*) FILTER (WHERE movement = 'new') AS new_accounts,
       count(*) FILTER (WHERE movement = 'reactivation') AS reactivation_accounts,
       count(*) FILTER (WHERE movement = 'expansion') AS expansion_accounts,
       count(*) FILTER (WHERE movement = 'contraction') AS contraction_accounts,
       count(*) FILTER (WHERE movement = 'churn') AS churn_accounts,
       sum(mrr_12m_ago) FILTER (WHERE mrr_12m_ago > 0) AS base_mrr_12m,
       count(*) FILTER (WHERE mrr_12m_ago > 0) AS base_accounts_12m,
       sum(least(mrr, mrr_12m_ago)) FILTER (WHERE mrr_12m_ago > 0)
           / nullif(sum(mrr_12m_ago) FILTER (WHERE mrr_12m_ago > 0), 0) AS grr_12m,
       sum(mrr) FILTER (WHERE mrr_12m_ago > 0)
           / nullif(sum(mrr_12m_ago) FILTER (WHERE mrr_12m_ago > 0), 0) AS nrr_12m,
       count(*) FILTER (WHERE mrr_12m_ago > 0 AND mrr > 0)
           / nullif(count(*) FILTER (WHERE mrr_12m_ago > 0), 0) AS logo_retention_12m,
       sum(greatest(mrr - mrr_12m_ago, 0)) FILTER (WHERE mrr_12m_ago > 0)
           / nullif(sum(mrr_12m_ago) FILTER (WHERE mrr_12m_ago > 0), 0) AS expansion_rate_12m
FROM account_movements($as_of, $last_month, $from_raw, $account_ids)
GROUP BY month
ORDER BY month
