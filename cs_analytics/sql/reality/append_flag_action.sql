-- Append one flag action (flag or withdraw) and return its flag_id.
-- Parameters: account id, action, sentiment, reason, note, review-by, user name, created at.
INSERT INTO flags (account_id, action, sentiment, reason, note, review_by, user_name, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING flag_id
