-- Keep the rows that could not be split into the header's fields (the staged `_bad`) in the quarantine.
INSERT INTO quarantine (upload_id, table_name, file_name, line, column_name, reason, raw)
SELECT $upload_id, $table, $file, line, NULL, reason, raw
FROM _bad
ORDER BY line
