-- Customers at each month-end T (MRR of T's month > 0) and whether their month-end MRR is 0 at any
-- month-end in (T, T + horizon]. Parameters: snapshot dates, horizon in days.
WITH snap AS (SELECT unnest(?::DATE[]) AS as_of),
base AS (
    SELECT s.as_of, am.account_id
    FROM snap s JOIN account_month am
      ON am.month = CAST(date_trunc('month', s.as_of) AS DATE) AND am.mrr > 0
),
later AS (
    SELECT b.as_of, b.account_id, bool_or(coalesce(am.mrr, 0) <= 0) AS churned
    FROM base b JOIN account_month am
      ON am.account_id = b.account_id
     AND last_day(am.month) > b.as_of
     AND last_day(am.month) <= b.as_of + CAST(? AS INTEGER)
    GROUP BY ALL
)
SELECT b.as_of, b.account_id, coalesce(l.churned, FALSE) AS churned
FROM base b LEFT JOIN later l USING (as_of, account_id)
