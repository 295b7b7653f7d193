-- Per account and month (through the last complete month, bound first), from the derived
-- account_month: month-end MRR and whether the account had any usage row of value > 0.
-- The account filter subquery is appended by the caller: `AND account_id IN (...)`.
SELECT account_id, month, mrr, active_days > 0 AS active
FROM account_month
WHERE month <= CAST(? AS DATE)
