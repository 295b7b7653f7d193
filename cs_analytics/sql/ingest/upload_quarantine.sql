-- The rows one upload quarantined ($upload_id), in file order (at most 100,000 shown).
SELECT line, column_name AS "column", reason, raw
FROM quarantine
WHERE upload_id = $upload_id
ORDER BY line
LIMIT 100000
