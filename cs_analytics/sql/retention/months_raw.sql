-- Per account and month, computed from raw contracts and usage for an as-of date after the one the
-- derived account_month was built for (binds: as_of, last complete month). Same columns and
-- definitions as months_account_month.sql: month-end MRR snapshot (a contract is active on day d
-- when start_date <= d <= end_date, an empty end_date running through as_of) and activity (any
-- usage row of value > 0 in the month).
SELECT account_id, month, mrr, active FROM (
    WITH p AS (SELECT CAST(? AS DATE) AS as_of, CAST(? AS DATE) AS last_month),
    bounds AS (
        SELECT CAST(date_trunc('month', min(d)) AS DATE) AS first_month
        FROM (SELECT min(start_date) AS d FROM contracts UNION ALL SELECT min(event_date) FROM usage)
    ),
    months AS (
        SELECT CAST(unnest(generate_series(b.first_month, p.last_month, INTERVAL 1 MONTH)) AS DATE) AS month
        FROM bounds b, p
        WHERE b.first_month IS NOT NULL AND b.first_month <= p.last_month
    ),
    accts AS (SELECT account_id FROM contracts UNION SELECT account_id FROM usage),
    spans AS (
        SELECT c.account_id, c.mrr, c.start_date, coalesce(c.end_date, p.as_of) AS end_effective
        FROM contracts c, p
    ),
    mrr_months AS (
        SELECT s.account_id, m.month, sum(s.mrr) AS mrr
        FROM spans s JOIN months m
          ON last_day(m.month) >= s.start_date AND last_day(m.month) <= s.end_effective
        GROUP BY ALL
    ),
    active_months AS (
        SELECT DISTINCT u.account_id, CAST(date_trunc('month', u.event_date) AS DATE) AS month
        FROM usage u, p
        WHERE u.value > 0 AND u.event_date <= p.as_of
    )
    SELECT a.account_id, m.month, coalesce(r.mrr, 0)::DOUBLE AS mrr, x.account_id IS NOT NULL AS active
    FROM accts a
    CROSS JOIN months m
    LEFT JOIN mrr_months r ON r.account_id = a.account_id AND r.month = m.month
    LEFT JOIN active_months x ON x.account_id = a.account_id AND x.month = m.month
)
WHERE TRUE
