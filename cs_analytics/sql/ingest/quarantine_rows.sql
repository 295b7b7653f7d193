-- The refused rows kept in the workspace ($table: one table, or NULL for every table).
SELECT table_name AS "table", file_name AS file, line, column_name AS "column", reason, raw
FROM quarantine
WHERE $table IS NULL OR table_name = $table
ORDER BY "table", upload_id, line
