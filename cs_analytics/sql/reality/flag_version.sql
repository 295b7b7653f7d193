-- One account's flag-history version: its largest flag_id, 0 when it has no flag action.
-- Parameter: account id.
SELECT coalesce(max(flag_id), 0) FROM flags WHERE account_id = ?
