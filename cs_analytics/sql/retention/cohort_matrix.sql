-- Observed cells: accounts, starting MRR and the basis numerator `{value_expr}` per cohort and period.
SELECT cohort, period, min(value_month) AS value_month,
       count(*) AS accounts, sum(start_mrr) AS start_mrr, sum({value_expr}) AS retained
FROM cells
GROUP BY cohort, period
ORDER BY cohort, period
