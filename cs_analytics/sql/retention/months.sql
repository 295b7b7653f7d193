-- The per-account-month relation (account_id, month, mrr, active) for the window and the selected
-- accounts; see the retention_months macro (migration 014).
SELECT account_id, month, mrr, active
FROM retention_months($as_of, $last_month, $from_raw, $account_ids)
