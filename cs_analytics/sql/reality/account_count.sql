-- How many accounts have this id (0 or 1). Parameter: account id.
SELECT count(*) FROM accounts WHERE account_id = ?
