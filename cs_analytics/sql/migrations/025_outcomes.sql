-- The churn list (data-contract.md, outcomes): churn truth for a team without contract history.
-- churned_at implies churned; churned = TRUE without a date is a churn after the account's last
-- data date (metrics.md, Outcomes). Replace and append like the other input tables.
CREATE TABLE IF NOT EXISTS outcomes (
    account_id  VARCHAR NOT NULL,
    churned     BOOLEAN NOT NULL,
    churned_at  DATE,
    reason      VARCHAR,
    note        VARCHAR,
    upload_id   BIGINT
);

-- One row per account of the churn list (metrics.md, Outcomes): churned when any row says so; the
-- churn date is the earliest churned_at, else the day after the account's last data date (usage,
-- NPS or assessment); the reason is the one given with the earliest churn (first non-empty).
CREATE OR REPLACE VIEW churn_list AS
WITH listed AS (
    SELECT account_id,
           bool_or(churned) AS churned,
           min(churned_at) FILTER (WHERE churned) AS churned_at,
           arg_min(reason, coalesce(churned_at, DATE '9999-12-31'))
               FILTER (WHERE churned AND reason IS NOT NULL) AS reason
    FROM outcomes
    GROUP BY account_id
),
data_days AS (
    SELECT account_id, min(d) AS first_data_date, max(d) AS last_data_date
    FROM (
        SELECT account_id, event_date AS d FROM usage
        UNION ALL SELECT account_id, responded_at FROM nps
        UNION ALL SELECT account_id, assessed_at FROM assessments
    )
    GROUP BY account_id
)
SELECT l.account_id, l.churned,
       CASE WHEN l.churned THEN coalesce(l.churned_at, d.last_data_date + 1) END AS churn_date,
       l.churned_at IS NOT NULL AS dated, l.reason, d.first_data_date, d.last_data_date
FROM listed l
LEFT JOIN data_days d USING (account_id);
