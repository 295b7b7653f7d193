-- Append one renewal call and return its call_id.
-- Parameters: account id, due date, call, note, user name, created at, source.
INSERT INTO renewal_calls (account_id, due_date, call, note, user_name, created_at, source)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING call_id
