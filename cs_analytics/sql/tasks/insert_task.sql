-- Append one task; a rule-raised task whose rule_key exists already is skipped (no row returned).
-- Parameters: rule_key, rule, account_id, title, reason, owner, due_date, created_by, created_at.
INSERT INTO tasks (rule_key, rule, account_id, title, reason, owner, due_date, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
RETURNING task_id
