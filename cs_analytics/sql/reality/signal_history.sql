-- What CSMs said, in order: CRM assessments and in-app flags and withdrawals, of one account
-- or (account id null) of every account. Parameters: account id, account id.
SELECT account_id, signal_at, source, action, sentiment, user_name, reason, note, review_by, flag_id,
       withdraws_flag_id, override_reason
FROM csm_signal_history
WHERE ? IS NULL OR account_id = ?
ORDER BY account_id, signal_at, source DESC, flag_id NULLS FIRST
