-- Cohort size n and starting MRR per cohort (every cohort with a start on or before the last
-- complete month, whether or not any of its cells is observed yet).
SELECT cohort, count(*) AS cohort_size, sum(start_mrr) AS start_mrr
FROM members
GROUP BY cohort
ORDER BY cohort
