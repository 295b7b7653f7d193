-- Per account, the columns the Reality lists show beside a score: name, owner, segment and the
-- MRR of the latest month in account_month.
SELECT a.account_id, a.account_name, a.csm_owner, a.segment, m.mrr
FROM accounts a
LEFT JOIN account_month m
  ON m.account_id = a.account_id AND m.month = (SELECT max(month) FROM account_month)
