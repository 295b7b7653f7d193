-- Each account's start (metrics.md, Onboarding and activation): with contracts ($basis =
-- 'contracts'), the first day of the first customer month (month-end MRR > 0, through the last
-- complete month); without ($basis = 'usage'), the first day with a usage row of value > 0 (on or
-- before the as-of). Columns: account_id, start_date, segment ('(none)' when missing).
WITH contract_starts AS (
    SELECT account_id, min(month) FILTER (WHERE mrr > 0) AS start_date
    FROM retention_months($as_of, $last_month, $from_raw, $account_ids)
    WHERE $basis = 'contracts'
    GROUP BY account_id
),
usage_starts AS (
    SELECT account_id, min(event_date) AS start_date
    FROM usage
    WHERE $basis = 'usage' AND value > 0 AND event_date <= CAST($as_of AS DATE)
      AND ($account_ids IS NULL OR account_id IN (SELECT unnest(CAST($account_ids AS VARCHAR[]))))
    GROUP BY account_id
),
starts AS (
    SELECT * FROM contract_starts UNION ALL SELECT * FROM usage_starts
)
SELECT s.account_id, CAST(s.start_date AS DATE) AS start_date,
       coalesce(CAST(a.segment AS VARCHAR), '(none)') AS segment
FROM starts s
LEFT JOIN accounts a ON a.account_id = s.account_id
WHERE s.start_date IS NOT NULL
ORDER BY s.account_id
