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
