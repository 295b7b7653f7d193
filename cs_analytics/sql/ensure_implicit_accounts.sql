-- Accounts seen only in contracts, usage, assessments or nps are created implicitly
-- (name = id, other attributes null), as the data contract says.
INSERT INTO accounts (account_id, account_name, implicit)
SELECT DISTINCT s.account_id, s.account_id, TRUE
FROM (
    SELECT account_id FROM contracts
    UNION SELECT account_id FROM usage_account  -- usage's accounts (the usage tables are built first)
    UNION SELECT account_id FROM assessments
    UNION SELECT account_id FROM nps
) s
WHERE s.account_id NOT IN (SELECT account_id FROM accounts);
