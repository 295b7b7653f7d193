-- One account's latest flag action and its reason. Parameter: account id.
SELECT action, reason
FROM flags
WHERE account_id = ?
ORDER BY created_at DESC, flag_id DESC
LIMIT 1
