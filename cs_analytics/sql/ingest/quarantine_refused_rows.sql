-- Keep the rows validation refused (the staged `_parsed` rows with a reason) in the quarantine.
INSERT INTO quarantine (upload_id, table_name, file_name, line, column_name, reason, raw)
SELECT $upload_id, $table, $file, _line, _column, _reason, _raw_json
FROM _parsed
WHERE _reason IS NOT NULL
ORDER BY _line
