-- Every task with its latest status change (the task's stored state) and its account's name.
SELECT t.task_id, t.rule, t.account_id, a.account_name, t.title, t.reason, t.owner, t.due_date,
       e.status AS stored_status, e.note, e.snooze_until, e.user_name AS changed_by,
       e.created_at AS changed_at, t.created_by, t.created_at
FROM tasks t
JOIN (
    SELECT * FROM task_events
    QUALIFY row_number() OVER (PARTITION BY task_id ORDER BY event_id DESC) = 1
) e ON e.task_id = t.task_id
LEFT JOIN accounts a ON a.account_id = t.account_id
ORDER BY t.due_date, t.task_id
