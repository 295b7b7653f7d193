-- Every account's name and CSM owner.
SELECT account_id, account_name, csm_owner FROM accounts
