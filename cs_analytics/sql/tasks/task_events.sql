-- Every status change of the tasks of one account (NULL: of every account), oldest first.
SELECT e.event_id, e.task_id, t.account_id, t.title, t.rule, e.status, e.note, e.snooze_until,
       e.user_name, e.created_at
FROM task_events e
JOIN tasks t ON t.task_id = e.task_id
WHERE ? IS NULL OR t.account_id = ?
ORDER BY e.created_at, e.event_id
