-- A refused upload in the upload log: nothing read or loaded, status 'refused', the sentence why.
INSERT INTO uploads (upload_id, file_name, size_bytes, sha256, table_name, rows_read,
                     rows_accepted, rows_quarantined, mode, user_name, uploaded_at, status, message)
VALUES (nextval('upload_id_seq'), $file_name, $size_bytes, $sha256, $table, 0, 0, 0, $mode, $user,
        $uploaded_at, 'refused', $message)
