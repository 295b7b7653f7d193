-- The accounts behind one month's movement ($month: first day of the month; $movement: new,
-- reactivation, expansion, contraction, churn or flat), largest change first.
SELECT m.account_id, a.account_name, a.segment, a.plan, a.csm_owner,
       m.movement, m.prev_mrr AS mrr_before, m.mrr AS mrr_after, m.mrr - m.prev_mrr AS change
FROM account_movements($as_of, $last_month, $from_raw, $account_ids) m
LEFT JOIN accounts a ON a.account_id = m.account_id
WHERE m.month = CAST($month AS DATE) AND m.movement = $movement
ORDER BY abs(m.mrr - m.prev_mrr) DESC, m.account_id
