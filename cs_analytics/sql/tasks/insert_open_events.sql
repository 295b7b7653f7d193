-- The `open` event of each newly created task (`_created_tasks`: task_id), in task id order.
-- Parameters: $user, $now.
INSERT INTO task_events (task_id, status, note, snooze_until, user_name, created_at)
SELECT task_id, 'open', NULL, NULL, $user, $now
FROM _created_tasks
ORDER BY task_id
