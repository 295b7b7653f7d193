-- One account's contracts, oldest first. Parameter: account id.
SELECT contract_id, start_date, end_date, mrr, product
FROM contracts
WHERE account_id = ?
ORDER BY start_date
