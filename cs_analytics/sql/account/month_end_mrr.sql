-- One account's month-end MRR per month (account_month). Parameter: account id.
SELECT month, mrr FROM account_month WHERE account_id = ? ORDER BY month
