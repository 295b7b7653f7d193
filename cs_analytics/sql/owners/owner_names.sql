-- Every CSM owner as written in the accounts table (non-blank), with how many accounts each owns.
SELECT csm_owner, count(*) AS accounts
FROM accounts
WHERE csm_owner IS NOT NULL AND trim(csm_owner) <> ''
GROUP BY csm_owner
ORDER BY csm_owner
