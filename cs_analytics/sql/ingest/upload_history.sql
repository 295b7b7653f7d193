-- Every upload, newest first.
SELECT upload_id, uploaded_at, table_name AS "table", file_name AS file, mode, status,
       rows_read, rows_accepted, rows_quarantined, size_bytes, sha256, user_name AS "user", message
FROM uploads
ORDER BY upload_id DESC
