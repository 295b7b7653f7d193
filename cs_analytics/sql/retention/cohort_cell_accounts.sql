-- The accounts behind one cell ($cohort: its first day; $period: k), retained or lost; nothing
-- when the cell is censored (some member's block ends after the last complete month).
SELECT c.account_id, a.account_name, a.segment, a.plan, a.csm_owner,
       c.start_month, c.start_mrr, c.value_month, c.mrr AS mrr_at_period,
       c.active AS active_at_period, c.active_now_or_later,
       CASE WHEN c.retained THEN 'retained' ELSE 'lost' END AS status
FROM cohort_cells($as_of, $last_month, $from_raw, $account_ids, $variant, $grain) c
LEFT JOIN accounts a ON a.account_id = c.account_id
WHERE c.cohort = CAST($cohort AS DATE) AND c.period = $period
  AND CAST(c.cohort_last_start + to_months(CAST(grain_months($grain) * (c.period + 1) - 1 AS INTEGER)) AS DATE)
      <= CAST($last_month AS DATE)
ORDER BY status DESC, c.start_mrr DESC, c.account_id
