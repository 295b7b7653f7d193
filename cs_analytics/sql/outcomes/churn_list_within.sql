-- Churned within (T, T+H] from the churn list, for a workspace without contracts (metrics.md,
-- Outcomes). Population at T: accounts with data (usage, NPS or assessment) dated <= T that have
-- not churned by T (churn_list.churn_date > T or no churn). churned = the churn date lies in
-- (T, T + H]. With $label_only = TRUE (one snapshot, no history): every account with data dated
-- <= T, churned = listed as churned, whatever the date.
-- $snapshot_dates: DATE[]; $horizon_days: INTEGER; $label_only: BOOLEAN.
WITH snapshots AS (
    SELECT DISTINCT unnest(CAST($snapshot_dates AS DATE[])) AS as_of
),
data_days AS (
    SELECT account_id, min(d) AS first_data_date
    FROM (
        SELECT account_id, event_date AS d FROM usage
        UNION ALL SELECT account_id, responded_at FROM nps
        UNION ALL SELECT account_id, assessed_at FROM assessments
    )
    GROUP BY account_id
),
population AS (
    SELECT s.as_of, d.account_id, c.churned AS listed, c.churn_date, c.reason
    FROM snapshots s
    JOIN data_days d ON d.first_data_date <= s.as_of
    LEFT JOIN churn_list c ON c.account_id = d.account_id
    WHERE CAST($label_only AS BOOLEAN)
       OR NOT coalesce(c.churned AND c.churn_date <= s.as_of, FALSE)
),
labelled AS (
    SELECT as_of, account_id, reason, churn_date,
           CASE WHEN CAST($label_only AS BOOLEAN) THEN coalesce(listed, FALSE)
                ELSE coalesce(listed AND churn_date <= as_of + CAST($horizon_days AS INTEGER), FALSE)
           END AS churned
    FROM population
)
SELECT as_of, account_id, churned,
       CASE WHEN churned THEN CAST(date_trunc('month', churn_date) AS DATE) END AS churn_month,
       CASE WHEN churned THEN reason END AS reason
FROM labelled
ORDER BY as_of, account_id
