-- Retention's shared relations as DuckDB table macros, so every file under sql/retention/ is a
-- complete statement with bound parameters (metrics.md, Time, Revenue and Cohorts). A macro is
-- stored in the workspace file: to change one, add a migration that re-creates it.
--
-- Parameters shared by the macros: as_of_day (the as-of date), through_month (first day of the
-- last complete month L), from_raw (TRUE: compute from the raw contracts and usage; FALSE: read
-- the derived account_month), account_ids (the accounts the filter selects; NULL = every account).

-- Per account and month through L, from the derived account_month: month-end MRR and whether the
-- account had any usage row of value > 0.
CREATE OR REPLACE MACRO retention_months_stored(through_month) AS TABLE
    SELECT account_id, month, mrr, active_days > 0 AS active
    FROM account_month
    WHERE month <= CAST(through_month AS DATE);

-- The same relation computed from the raw contracts and usage (for an as-of date after the one
-- account_month was built for): month-end MRR snapshot (a contract is active on day d when
-- start_date <= d <= end_date, an empty end_date running through the as-of) and activity (any
-- usage row of value > 0 in the month), for every account and month from the first data month.
CREATE OR REPLACE MACRO retention_months_raw(as_of_day, through_month) AS TABLE
    WITH p AS (SELECT CAST(as_of_day AS DATE) AS as_of, CAST(through_month AS DATE) AS last_month),
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
    LEFT JOIN active_months x ON x.account_id = a.account_id AND x.month = m.month;

-- The per-account-month relation every retention metric reads: account_id, month, mrr, active,
-- dense (every account has every month), restricted to the selected accounts. Only the branch
-- chosen by from_raw is computed.
CREATE OR REPLACE MACRO retention_months(as_of_day, through_month, from_raw, account_ids) AS TABLE
    SELECT account_id, month, mrr, active
    FROM (
        SELECT * FROM retention_months_raw(as_of_day, through_month) WHERE from_raw
        UNION ALL
        SELECT * FROM retention_months_stored(through_month) WHERE NOT from_raw
    )
    WHERE account_ids IS NULL OR account_id IN (SELECT unnest(account_ids));

-- Per account and month: MRR, MRR a month and twelve months before, and the movement class from
-- M-1 to M: new (MRR(M-1) = 0, never a customer before), reactivation (MRR(M-1) = 0, a customer
-- before), expansion / contraction (both > 0, up / down), churn (MRR(M-1) > 0, MRR(M) = 0), flat.
-- The relation is dense, so lag(.., 12) is the month twelve months before.
CREATE OR REPLACE MACRO account_movements(as_of_day, through_month, from_raw, account_ids) AS TABLE
    WITH lagged AS (
        SELECT account_id, month, mrr,
               coalesce(lag(mrr) OVER w, 0) AS prev_mrr,
               coalesce(month > min(CASE WHEN mrr > 0 THEN month END) OVER (PARTITION BY account_id), FALSE)
                   AS customer_before,
               lag(mrr, 12) OVER w AS mrr_12m_ago
        FROM retention_months(as_of_day, through_month, from_raw, account_ids)
        WINDOW w AS (PARTITION BY account_id ORDER BY month)
    )
    SELECT *,
           CASE
               WHEN prev_mrr <= 0 AND mrr > 0 AND NOT customer_before THEN 'new'
               WHEN prev_mrr <= 0 AND mrr > 0 THEN 'reactivation'
               WHEN prev_mrr > 0 AND mrr <= 0 THEN 'churn'
               WHEN prev_mrr > 0 AND mrr > prev_mrr THEN 'expansion'
               WHEN prev_mrr > 0 AND mrr < prev_mrr THEN 'contraction'
               ELSE 'flat'
           END AS movement
    FROM lagged;

-- Months per cohort period: 3 at quarter grain, 1 at month grain.
CREATE OR REPLACE MACRO grain_months(grain) AS CASE WHEN grain = 'quarter' THEN 3 ELSE 1 END;

-- Cohort members and their cells, one row per member and complete period (a member without any
-- complete block appears once, period NULL). variant: logo, grr, nrr, activity or
-- activity_unbounded; grain: month or quarter (P = grain_months(grain)).
-- members: start_month s = the first month with MRR > 0 (revenue bases) or with activity
-- (activity bases), start_mrr = MRR(s), cohort = the month (or calendar quarter) of s,
-- cohort_last_start = the latest s in the cohort.
-- cells: period k is the k-th P-month block of each account's own timeline, months s+Pk ..
-- s+Pk+P-1; value_month = s+Pk, where revenue bases read MRR (period 0 is 1.0 by construction);
-- active = usage value > 0 in any month of the block; active_now_or_later = active in the block or
-- any later observed month (activity_unbounded only, FALSE otherwise). Only complete blocks
-- (all P months <= L) appear. cell_value is the basis numerator (1/0 for logo and activity, MRR
-- for nrr, min(MRR, starting MRR) for grr); retained is the drill-down status (MRR > 0 for revenue
-- bases, active / active now or later for activity).
CREATE OR REPLACE MACRO cohort_cells(as_of_day, through_month, from_raw, account_ids, variant, grain) AS TABLE
    WITH flagged AS (
        SELECT account_id, month, mrr, active,
               CASE WHEN variant = 'activity_unbounded'
                    THEN bool_or(active) OVER (PARTITION BY account_id ORDER BY month DESC
                                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                    ELSE FALSE END AS active_now_or_later,
               CASE WHEN variant IN ('activity', 'activity_unbounded') THEN active ELSE mrr > 0 END AS starts
        FROM retention_months(as_of_day, through_month, from_raw, account_ids)
    ),
    firsts AS (
        SELECT account_id,
               min(month) FILTER (WHERE starts) AS start_month,
               arg_min(mrr, month) FILTER (WHERE starts) AS start_mrr
        FROM flagged
        GROUP BY account_id
    ),
    members AS (
        SELECT account_id, start_month, start_mrr,
               CAST(date_trunc(grain, start_month) AS DATE) AS cohort,
               max(start_month) OVER (PARTITION BY date_trunc(grain, start_month)) AS cohort_last_start
        FROM firsts
        WHERE start_month IS NOT NULL
    ),
    cells AS (
        SELECT m.account_id,
               CAST(datediff('month', m.start_month, f.month) // grain_months(grain) AS INTEGER) AS period,
               min(f.month) AS value_month,
               arg_min(f.mrr, f.month) AS mrr,
               bool_or(f.active) AS active,
               bool_or(f.active_now_or_later) AS active_now_or_later
        FROM members m
        JOIN flagged f ON f.account_id = m.account_id AND f.month >= m.start_month
        GROUP BY m.account_id, period
        HAVING count(*) = grain_months(grain)
    )
    SELECT m.cohort, m.account_id, m.start_month, m.start_mrr, m.cohort_last_start,
           c.period, c.value_month, c.mrr, c.active, c.active_now_or_later,
           CASE variant
               WHEN 'nrr' THEN c.mrr
               WHEN 'grr' THEN least(c.mrr, m.start_mrr)
               WHEN 'activity' THEN CASE WHEN c.active THEN 1 ELSE 0 END
               WHEN 'activity_unbounded' THEN CASE WHEN c.active_now_or_later THEN 1 ELSE 0 END
               ELSE CASE WHEN c.mrr > 0 THEN 1 ELSE 0 END
           END AS cell_value,
           CASE variant
               WHEN 'activity' THEN c.active
               WHEN 'activity_unbounded' THEN c.active_now_or_later
               ELSE c.mrr > 0
           END AS retained
    FROM members m
    LEFT JOIN cells c ON c.account_id = m.account_id;
