-- Every renewal call, oldest first (the append-only history).
SELECT call_id, account_id, due_date, call, note, user_name, created_at
FROM renewal_calls
ORDER BY created_at, call_id
