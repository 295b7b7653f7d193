-- A cleared table in the upload log (mode 'clear', status 'cleared'), with the sentence saying what went.
INSERT INTO uploads (upload_id, file_name, size_bytes, sha256, table_name, rows_read,
                     rows_accepted, rows_quarantined, mode, user_name, uploaded_at, status, message)
VALUES ($upload_id, NULL, NULL, NULL, $table, 0, 0, 0, 'clear', $user, $uploaded_at, 'cleared', $message)
