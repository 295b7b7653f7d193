-- Append many tasks at once, in the order of `_new_tasks.ord` (a registered frame: rule_key,
-- rule, account_id, title, reason, owner, due_date, one row per task, no rule_key twice), each
-- with its `open` event; a rule-raised task whose rule_key exists already is skipped (the UNIQUE
-- key). Parameters: $user, $now. Returns the created task ids.
INSERT INTO tasks (rule_key, rule, account_id, title, reason, owner, due_date, created_by, created_at)
SELECT CAST(rule_key AS VARCHAR), CAST(rule AS VARCHAR), CAST(account_id AS VARCHAR), CAST(title AS VARCHAR),
       CAST(reason AS VARCHAR), CAST(owner AS VARCHAR), CAST(due_date AS DATE), $user, $now
FROM _new_tasks
ORDER BY ord
ON CONFLICT DO NOTHING
RETURNING task_id
