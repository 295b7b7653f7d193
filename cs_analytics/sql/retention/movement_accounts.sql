-- The accounts behind one month's movement (binds after {months}: month, movement).
SELECT m.account_id, a.account_name, a.segment, a.plan, a.csm_owner,
       m.movement, m.prev_mrr AS mrr_before, m.mrr AS mrr_after, m.mrr - m.prev_mrr AS change
FROM movements m
LEFT JOIN accounts a ON a.account_id = m.account_id
WHERE m.month = CAST(? AS DATE) AND m.movement = ?
ORDER BY abs(m.mrr - m.prev_mrr) DESC, m.account_id
