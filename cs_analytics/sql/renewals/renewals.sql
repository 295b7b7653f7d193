-- Renewals (metrics.md, Renewals): one row per account and due date, seen at $as_of_day.
-- Due date = renewal_date, else end_date (contracts with neither are never due). Expiring MRR =
-- the MRR of the account's contracts due that day. Outcome month = the month after the later of
-- the due date and those contracts' end (a renewal_date may fall before the end: the customer can
-- only be seen gone once service has ended). Renewal MRR = the account's month-end MRR in the
-- outcome month less its other contracts that were running on the due date, are not due then and
-- still run at the outcome month's end (so an untouched second product is not counted as renewed).
-- Only contracts started on or before $as_of_day are seen.
WITH due AS (
    SELECT account_id, coalesce(renewal_date, end_date) AS due_date, end_date, mrr
    FROM contracts
    WHERE coalesce(renewal_date, end_date) IS NOT NULL AND start_date <= $as_of_day
),
firsts AS (
    SELECT account_id, min(due_date) AS first_due FROM due GROUP BY account_id
),
renewals AS (
    SELECT account_id, due_date, sum(mrr) AS expiring_mrr, count(*) AS contracts,
           greatest(due_date, max(coalesce(end_date, due_date))) AS service_end
    FROM due
    GROUP BY account_id, due_date
),
outcome AS (
    SELECT r.*, CAST(date_trunc('month', service_end) + INTERVAL 1 MONTH AS DATE) AS outcome_month
    FROM renewals r
),
continuing AS (
    SELECT o.account_id, o.due_date, sum(c.mrr) AS continuing_mrr
    FROM outcome o
    JOIN contracts c
      ON c.account_id = o.account_id
     AND c.start_date <= o.due_date
     AND coalesce(c.renewal_date, c.end_date, DATE '9999-12-31') <> o.due_date
     AND coalesce(c.end_date, DATE '9999-12-31') >= last_day(o.outcome_month)
    GROUP BY o.account_id, o.due_date
)
SELECT o.account_id, o.due_date, o.expiring_mrr, o.contracts, o.service_end, o.outcome_month,
       o.due_date = f.first_due AS first_year,
       last_day(o.outcome_month) <= $as_of_day AS outcome_known,
       CASE WHEN last_day(o.outcome_month) <= $as_of_day
            THEN greatest(coalesce(am.mrr, 0) - coalesce(k.continuing_mrr, 0), 0) END AS renewal_mrr
FROM outcome o
JOIN firsts f USING (account_id)
LEFT JOIN account_month am ON am.account_id = o.account_id AND am.month = o.outcome_month
LEFT JOIN continuing k ON k.account_id = o.account_id AND k.due_date = o.due_date
ORDER BY o.due_date, o.account_id
