-- The accounts behind one cell (binds after {months}: cohort, period), retained or lost; nothing
-- when the cell is censored (some member's block ends after the last complete month).
SELECT c.account_id, a.account_name, a.segment, a.plan, a.csm_owner,
       c.start_month, c.start_mrr, c.value_month, c.mrr AS mrr_at_period,
       c.active AS active_at_period, c.active_now_or_later,
       CASE WHEN {retained_condition} THEN 'retained' ELSE 'lost' END AS status
FROM cells c
LEFT JOIN accounts a ON a.account_id = c.account_id
WHERE c.cohort = CAST(? AS DATE) AND c.period = ?
  AND CAST(c.cohort_last_start + to_months(CAST({months_per_period} * c.period + {months_per_period} - 1 AS INTEGER)) AS DATE)
      <= (SELECT max(month) FROM am)
ORDER BY status DESC, c.start_mrr DESC, c.account_id
