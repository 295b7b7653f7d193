-- What the demo generator planted and how each demo account really ended (cs_analytics/demo.py).
-- Replaced by every `demo` run; empty in workspaces that never held the demo. Tests and docs use
-- it to check that the product finds the planted cases; no page or metric reads it.
CREATE TABLE IF NOT EXISTS demo_truth (
    account_id         VARCHAR PRIMARY KEY,
    segment            VARCHAR,
    true_success_final DOUBLE,     -- latent success in the account's last month as a customer
    planted_case       VARCHAR,    -- green_but_failing / red_but_fine / spike / onboarding_failure / NULL
    churned            BOOLEAN,    -- not a customer at as_of
    ever_churned       BOOLEAN,    -- churned at least once (may have reactivated)
    first_churn_date   DATE,       -- first day without service after the first churn
    reactivated        BOOLEAN,
    activated          BOOLEAN,    -- used the product normally in its first 90 days
    spike_contract_end DATE,       -- planted pre-renewal spike: the contract end E
    gbf_live           BOOLEAN,    -- green_but_failing and still a customer at as_of
    gbf_onset_date     DATE,       -- green_but_failing: when the business started failing
    gbf_decision_date  DATE        -- green_but_failing: the contract end where it (likely) churns
);
