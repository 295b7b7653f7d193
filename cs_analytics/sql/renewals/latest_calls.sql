-- The call in force per renewal (account, due date): its newest row created before $cutoff.
SELECT account_id, due_date, call_id, call, note, user_name, created_at
FROM renewal_calls
WHERE created_at < $cutoff
QUALIFY row_number() OVER (PARTITION BY account_id, due_date ORDER BY created_at DESC, call_id DESC) = 1
