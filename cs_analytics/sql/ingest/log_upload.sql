-- A loaded upload in the upload log: what was read, accepted and quarantined, by whom, when.
INSERT INTO uploads (upload_id, file_name, size_bytes, sha256, table_name, rows_read,
                     rows_accepted, rows_quarantined, mode, user_name, uploaded_at, status, message)
VALUES ($upload_id, $file_name, $size_bytes, $sha256, $table, $rows_read, $rows_accepted,
        $rows_quarantined, $mode, $user, $uploaded_at, 'loaded', $message)
