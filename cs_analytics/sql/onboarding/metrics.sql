-- The usage metrics an activation rule can name, in order: every metric with a usage row, read from
-- usage_month (per account, metric and month; about 30 times fewer rows than usage, issue 14).
SELECT DISTINCT metric FROM usage_month WHERE metric IS NOT NULL ORDER BY metric
