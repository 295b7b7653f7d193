-- Rebuild the usage derived tables (defined by the macros of migrations/050_usage_derived.sql).
CREATE OR REPLACE TABLE usage_day AS SELECT * FROM usage_day_rows() ORDER BY event_date;
CREATE OR REPLACE TABLE usage_month AS SELECT * FROM usage_month_rows();
CREATE OR REPLACE TABLE usage_metric_first AS SELECT * FROM usage_metric_first_rows();
