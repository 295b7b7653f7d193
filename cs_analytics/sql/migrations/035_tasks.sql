-- Tasks (playbooks): what needs a CSM, raised by a rule or added by a person (cs_analytics/tasks).
-- `tasks` holds what a task is (never updated); `task_events` its append-only history of status
-- changes (open / done / snoozed), the latest event being the task's state.
-- rule_key (rule|account|subject) is UNIQUE: a rule can never raise the same task twice, even
-- when two processes or threads run the rules at once. Tasks people add have rule_key NULL.
CREATE SEQUENCE IF NOT EXISTS task_id_seq START 1;
CREATE TABLE IF NOT EXISTS tasks (
    task_id     BIGINT PRIMARY KEY DEFAULT nextval('task_id_seq'),
    rule_key    VARCHAR UNIQUE,
    rule        VARCHAR NOT NULL,      -- a rule name (tasks/rules.py) or 'manual'
    account_id  VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    reason      VARCHAR,
    owner       VARCHAR,
    due_date    DATE NOT NULL,
    created_by  VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS task_event_id_seq START 1;
CREATE TABLE IF NOT EXISTS task_events (
    event_id     BIGINT PRIMARY KEY DEFAULT nextval('task_event_id_seq'),
    task_id      BIGINT NOT NULL,
    status       VARCHAR NOT NULL,     -- open / done / snoozed
    note         VARCHAR,
    snooze_until DATE,
    user_name    VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- The task rules' configuration (on/off, thresholds, due days), append-only: the newest row per
-- rule is in force; a rule without a row runs with its defaults (tasks/rule_config.py).
CREATE SEQUENCE IF NOT EXISTS task_rule_change_id_seq START 1;
CREATE TABLE IF NOT EXISTS task_rule_changes (
    change_id BIGINT PRIMARY KEY DEFAULT nextval('task_rule_change_id_seq'),
    rule      VARCHAR NOT NULL,
    config    VARCHAR NOT NULL,        -- JSON object: enabled, due_days and the rule's thresholds
    set_by    VARCHAR,
    set_at    TIMESTAMP NOT NULL
);
