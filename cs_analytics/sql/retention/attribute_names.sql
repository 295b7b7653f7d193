-- The names of the extra account attributes (lifetimes can be split by any of them).
SELECT DISTINCT name FROM account_attributes ORDER BY name
