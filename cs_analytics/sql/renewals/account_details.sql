-- Account name, CSM owner and segment of every account.
SELECT account_id, account_name, csm_owner, segment FROM accounts
