-- One account's row of the accounts table. Parameter: account id.
SELECT * FROM accounts WHERE account_id = ?
