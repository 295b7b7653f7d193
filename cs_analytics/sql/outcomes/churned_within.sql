-- Churned within (T, T+H] (metrics.md, Outcomes), for the backtest and the track record alike.
-- Population at T: customers in T's month (account_month.mrr > 0; month-end MRR, metrics.md Revenue).
-- churned = TRUE when the account's month-end MRR is 0 in at least one month whose last day lies
-- in (T, T + H]; churn_month is the first such month. $snapshot_dates: DATE[]; $horizon_days: INTEGER.
WITH snapshots AS (
    SELECT DISTINCT unnest(CAST($snapshot_dates AS DATE[])) AS as_of
),
population AS (
    SELECT s.as_of, am.account_id
    FROM snapshots s
    JOIN account_month am
      ON am.month = CAST(date_trunc('month', s.as_of) AS DATE) AND am.mrr > 0
),
checks AS (
    SELECT p.as_of, p.account_id, am.month, coalesce(am.mrr, 0) <= 0 AS lost
    FROM population p
    JOIN account_month am
      ON am.account_id = p.account_id
     AND last_day(am.month) > p.as_of
     AND last_day(am.month) <= p.as_of + CAST($horizon_days AS INTEGER)
)
SELECT p.as_of, p.account_id,
       coalesce(bool_or(c.lost), FALSE) AS churned,
       min(c.month) FILTER (WHERE c.lost) AS churn_month
FROM population p
LEFT JOIN checks c USING (as_of, account_id)
GROUP BY p.as_of, p.account_id
ORDER BY p.as_of, p.account_id
