-- Workspace settings (as-of date, targets, ...): append-only history; the newest row per key is
-- in force. A NULL value resets the key to its default.
CREATE SEQUENCE IF NOT EXISTS setting_id_seq START 1;
CREATE TABLE IF NOT EXISTS settings (
    setting_id BIGINT PRIMARY KEY DEFAULT nextval('setting_id_seq'),
    key     VARCHAR NOT NULL,
    value   VARCHAR,
    set_by  VARCHAR,
    set_at  TIMESTAMP NOT NULL
);
