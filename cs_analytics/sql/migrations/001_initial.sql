-- Canonical tables: what every page, the CLI and the tests read. Raw uploads never land here
-- unvalidated (see cs_analytics/ingest.py).
CREATE TABLE IF NOT EXISTS accounts (
    account_id   VARCHAR PRIMARY KEY,
    account_name VARCHAR,
    segment      VARCHAR,
    csm_owner    VARCHAR,
    plan         VARCHAR,
    industry     VARCHAR,
    region       VARCHAR,
    created_at   DATE,
    implicit     BOOLEAN DEFAULT FALSE  -- created because seen only in contracts/usage/...
);

-- Extra account columns, kept as filterable attributes (long form).
CREATE TABLE IF NOT EXISTS account_attributes (
    account_id VARCHAR,
    name       VARCHAR,
    value      VARCHAR
);

CREATE TABLE IF NOT EXISTS contracts (
    contract_id VARCHAR,
    account_id  VARCHAR NOT NULL,
    start_date  DATE NOT NULL,
    end_date    DATE,            -- inclusive; NULL = open-ended (runs through as_of)
    mrr         DOUBLE NOT NULL,
    product     VARCHAR,
    currency    VARCHAR,
    upload_id   BIGINT
);

CREATE TABLE IF NOT EXISTS usage (
    account_id VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    metric     VARCHAR NOT NULL,
    value      DOUBLE NOT NULL,
    user_id    VARCHAR,
    upload_id  BIGINT
);

-- What CSMs report, from CRM exports. In-app flags live in `flags` (append-only) and the two are
-- read together through the view `csm_signal_history`.
CREATE TABLE IF NOT EXISTS assessments (
    account_id    VARCHAR NOT NULL,
    assessed_at   DATE NOT NULL,
    sentiment     VARCHAR NOT NULL,   -- green / yellow / red
    sentiment_raw VARCHAR,
    csm           VARCHAR,
    reason        VARCHAR,
    note          VARCHAR,
    upload_id     BIGINT
);

CREATE TABLE IF NOT EXISTS nps (
    account_id   VARCHAR NOT NULL,
    responded_at DATE NOT NULL,
    score        INTEGER NOT NULL,
    comment      VARCHAR,
    upload_id    BIGINT
);

-- In-app CSM flags: append-only. A withdrawal is a new row with action = 'withdraw'.
-- No upload ever deletes from this table.
CREATE SEQUENCE IF NOT EXISTS flag_id_seq START 1;
CREATE TABLE IF NOT EXISTS flags (
    flag_id     BIGINT PRIMARY KEY DEFAULT nextval('flag_id_seq'),
    account_id  VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,     -- flag / withdraw
    sentiment   VARCHAR,              -- the CSM's call while flagged: red (default) or yellow
    reason      VARCHAR,
    note        VARCHAR,
    review_by   DATE,
    user_name   VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS upload_id_seq START 1;
CREATE TABLE IF NOT EXISTS uploads (
    upload_id        BIGINT PRIMARY KEY,
    file_name        VARCHAR,
    size_bytes       BIGINT,
    sha256           VARCHAR,
    table_name       VARCHAR,
    rows_read        BIGINT,
    rows_accepted    BIGINT,
    rows_quarantined BIGINT,
    mode             VARCHAR,        -- replace / append
    user_name        VARCHAR,
    uploaded_at      TIMESTAMP,
    status           VARCHAR,        -- loaded / refused
    message          VARCHAR
);

CREATE TABLE IF NOT EXISTS quarantine (
    upload_id   BIGINT,
    table_name  VARCHAR,
    file_name   VARCHAR,
    line        BIGINT,           -- 1-based line in the file, header = line 1 (row number for binary formats + 1)
    column_name VARCHAR,
    reason      VARCHAR,
    raw         VARCHAR           -- the row as read, JSON
);

CREATE SEQUENCE IF NOT EXISTS scorecard_version_seq START 1;
CREATE TABLE IF NOT EXISTS scorecards (
    version        BIGINT PRIMARY KEY,
    created_at     TIMESTAMP NOT NULL,
    created_by     VARCHAR,
    config         VARCHAR NOT NULL,  -- JSON
    change_summary VARCHAR,
    active         BOOLEAN DEFAULT FALSE
);

-- Derived, rebuilt after every load (cs_analytics/derived.py): one row per account and calendar
-- month from the first month in the data to as_of's month.
CREATE TABLE IF NOT EXISTS account_month (
    account_id       VARCHAR,
    month            DATE,      -- first day of the month
    mrr              DOUBLE,    -- month-end snapshot
    is_customer      BOOLEAN,   -- mrr > 0
    usage_value      DOUBLE,
    active_days      INTEGER,
    active_users     INTEGER,
    distinct_metrics INTEGER
);

CREATE TABLE IF NOT EXISTS workspace_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
