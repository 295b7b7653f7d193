-- The full cohort matrix (metrics.md, Cohorts): every cohort x period 0..P (P = periods from the
-- earliest start month to the last complete month L), with cohort size n, starting MRR, the basis
-- numerator summed (retained) and the fraction (value = retained / n for logo and activity,
-- retained / starting MRR for grr and nrr). value_month is the month the cell is complete: the
-- cohort's latest start month + Pk + P-1 (month c+k at month grain); a cell complete after L is
-- censored: retained and value NULL, never 0. Members and cells: the cohort_cells macro.
WITH c AS (
    SELECT * FROM cohort_cells($as_of, $last_month, $from_raw, $account_ids, $variant, $grain)
),
last_month AS (SELECT CAST($last_month AS DATE) AS l, grain_months($grain) AS p),
members AS (SELECT DISTINCT cohort, account_id, start_month, start_mrr FROM c),
sizes AS (
    SELECT cohort, count(*) AS cohort_size, sum(start_mrr) AS start_mrr,
           max(start_month) AS last_start, min(start_month) AS first_start
    FROM members
    GROUP BY cohort
),
observed AS (
    SELECT cohort, period, sum(cell_value) AS retained
    FROM c
    WHERE period IS NOT NULL
    GROUP BY cohort, period
),
span AS (
    SELECT CAST(floor((datediff('month', min(s.first_start), any_value(l.l)) - (any_value(l.p) - 1))
                      / any_value(l.p)) AS INTEGER) AS periods
    FROM sizes s, last_month l
),
grid AS (
    SELECT s.cohort, s.cohort_size, s.start_mrr, CAST(g.period AS INTEGER) AS period,
           CAST(s.last_start + to_months(CAST(l.p * g.period + l.p - 1 AS INTEGER)) AS DATE) AS value_month
    FROM sizes s, span, last_month l, range(0, greatest(span.periods, 0) + 1) g(period)
)
SELECT g.cohort,
       CASE WHEN $grain = 'quarter' THEN strftime(g.cohort, '%Y') || '-Q' || quarter(g.cohort)
            ELSE strftime(g.cohort, '%Y-%m') END AS cohort_label,
       g.period, g.value_month, g.cohort_size, g.start_mrr,
       CASE WHEN g.value_month > l.l THEN NULL ELSE coalesce(o.retained, 0) END::DOUBLE AS retained,
       CASE WHEN g.value_month > l.l THEN NULL
            ELSE coalesce(o.retained, 0)
                 / CASE WHEN $variant IN ('grr', 'nrr') THEN g.start_mrr ELSE g.cohort_size END
       END::DOUBLE AS value,
       g.value_month > l.l AS censored
FROM grid g
CROSS JOIN last_month l
LEFT JOIN observed o ON o.cohort = g.cohort AND o.period = g.period
ORDER BY g.cohort, g.period
