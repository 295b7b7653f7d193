-- The accounts behind one cell (binds after {months}: cohort, period), retained or lost.
SELECT c.account_id, a.account_name, a.segment, a.plan, a.csm_owner,
       c.start_month, c.start_mrr, c.value_month, c.mrr AS mrr_at_period,
       c.active AS active_at_period, c.active_now_or_later,
       CASE WHEN {retained_condition} THEN 'retained' ELSE 'lost' END AS status
FROM cells c
LEFT JOIN accounts a ON a.account_id = c.account_id
WHERE c.cohort = CAST(? AS DATE) AND c.period = ?
ORDER BY status DESC, c.start_mrr DESC, c.account_id
