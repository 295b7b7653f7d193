-- How many of the account's contracts are due on the date (renewal_date, else end_date).
-- Parameters: account id, due date.
SELECT count(*) FROM contracts WHERE account_id = ? AND coalesce(renewal_date, end_date) = ?
