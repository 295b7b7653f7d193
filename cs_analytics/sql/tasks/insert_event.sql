-- Append one status change of a task. Parameters: task_id, status, note, snooze_until, user_name,
-- created_at.
INSERT INTO task_events (task_id, status, note, snooze_until, user_name, created_at)
VALUES (?, ?, ?, ?, ?, ?)
RETURNING event_id
