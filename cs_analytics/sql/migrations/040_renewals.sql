-- Renewals (metrics.md, Renewals; data-contract.md, contracts).
-- A contract may carry renewal_date: when it is due for renewal, if not its end_date.
ALTER TABLE contracts ADD COLUMN IF NOT EXISTS renewal_date DATE;

-- A CSM's renewal call: append-only, like the flags. The call in force for a renewal (account,
-- due date) is its newest row; no row is ever updated or deleted, and no upload touches it
-- (a demo run replaces the rows with source = 'demo', and only those).
CREATE SEQUENCE IF NOT EXISTS renewal_call_id_seq START 1;
CREATE TABLE IF NOT EXISTS renewal_calls (
    call_id     BIGINT PRIMARY KEY DEFAULT nextval('renewal_call_id_seq'),
    account_id  VARCHAR NOT NULL,
    due_date    DATE NOT NULL,       -- the renewal the call is about
    call        VARCHAR NOT NULL,    -- good / monitor / at_risk
    note        VARCHAR,
    user_name   VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    source      VARCHAR DEFAULT 'app' -- app / cli / demo (the demo replaces only its own rows)
);
