-- One account's flag actions after a flag-history version (a flag_id) by anyone but the given
-- user (trimmed, case-insensitive), oldest first. Parameters: account id, version, user name.
SELECT flag_id, action, user_name, created_at, sentiment, reason, withdraws_flag_id
FROM flags
WHERE account_id = ? AND flag_id > ? AND lower(trim(user_name)) <> lower(trim(?))
ORDER BY flag_id
