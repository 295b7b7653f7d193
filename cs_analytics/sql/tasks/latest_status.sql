-- The latest stored status of one task (no row: no such task). Parameter: task_id.
SELECT e.status, e.snooze_until
FROM task_events e
WHERE e.task_id = ?
ORDER BY e.event_id DESC
LIMIT 1
