-- One row of the flag history as stored. Parameter: flag id.
SELECT flag_id, account_id, action, user_name, created_at, reason, note, review_by,
       withdraws_flag_id, override_reason
FROM flags
WHERE flag_id = ?
