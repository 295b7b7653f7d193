-- Retention by month since start for onboarding (metrics.md, Onboarding and activation): per
-- account of $ids and month k since its start month (through the last complete month), whether it
-- is retained: month-end MRR > 0 ($basis 'contracts', logo retention) or any usage of value > 0
-- in the month ($basis 'usage', activity retention). Columns: account_id, month_since_start, retained.
WITH starts AS (
    SELECT unnest(CAST($ids AS VARCHAR[])) AS account_id,
           CAST(date_trunc('month', unnest(CAST($start_dates AS DATE[]))) AS DATE) AS start_month
)
SELECT s.account_id, CAST(datediff('month', s.start_month, m.month) AS INTEGER) AS month_since_start,
       CASE WHEN $basis = 'contracts' THEN m.mrr > 0 ELSE m.active END AS retained
FROM starts s
JOIN retention_months($as_of, $last_month, $from_raw, $account_ids) m
  ON m.account_id = s.account_id AND m.month >= s.start_month
ORDER BY s.account_id, month_since_start
