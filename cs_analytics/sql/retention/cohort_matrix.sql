-- The full matrix: every cohort x period 0..P (P = periods from the earliest start month to the
-- last complete month), with cohort size n, starting MRR, the basis numerator `{value_expr}`
-- summed (retained) and the fraction (value). value_month is the month the cell is complete:
-- the cohort's latest start month + {months_per_period}k + {months_per_period}-1 (month c+k at
-- month grain); a cell complete after the last complete month is censored: retained and value
-- NULL, never 0. `{weight}` is cohort_size (logo, activity) or start_mrr.
, last_month AS (SELECT max(month) AS l FROM am),
sizes AS (
    SELECT cohort, count(*) AS cohort_size, sum(start_mrr) AS start_mrr,
           max(start_month) AS last_start, min(start_month) AS first_start
    FROM members
    GROUP BY cohort
),
observed AS (
    SELECT cohort, period, sum({value_expr}) AS retained
    FROM cells
    GROUP BY cohort, period
),
span AS (
    SELECT CAST(floor((datediff('month', min(s.first_start), any_value(l.l)) - ({months_per_period} - 1))
                      / {months_per_period}) AS INTEGER) AS periods
    FROM sizes s, last_month l
),
grid AS (
    SELECT s.cohort, s.cohort_size, s.start_mrr, CAST(p.period AS INTEGER) AS period,
           CAST(s.last_start + to_months(CAST({months_per_period} * p.period + {months_per_period} - 1 AS INTEGER)) AS DATE)
               AS value_month
    FROM sizes s, span, range(0, greatest(span.periods, 0) + 1) p(period)
)
SELECT g.cohort,
       CASE WHEN '{grain}' = 'quarter' THEN strftime(g.cohort, '%Y') || '-Q' || quarter(g.cohort)
            ELSE strftime(g.cohort, '%Y-%m') END AS cohort_label,
       g.period, g.value_month, g.cohort_size, g.start_mrr,
       CASE WHEN g.value_month > l.l THEN NULL ELSE coalesce(o.retained, 0) END::DOUBLE AS retained,
       CASE WHEN g.value_month > l.l THEN NULL ELSE coalesce(o.retained, 0) / {weight} END::DOUBLE AS value,
       g.value_month > l.l AS censored
FROM grid g
CROSS JOIN last_month l
LEFT JOIN observed o ON o.cohort = g.cohort AND o.period = g.period
ORDER BY g.cohort, g.period
