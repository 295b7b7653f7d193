-- Append one flag action (flag or withdraw) and return its flag_id.
-- Parameters: account id, action, sentiment, reason, note, review-by, user name, created at,
-- withdrawn flag id (withdrawals), override reason (withdrawing someone else's flag).
INSERT INTO flags (account_id, action, sentiment, reason, note, review_by, user_name, created_at,
                   withdraws_flag_id, override_reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING flag_id
