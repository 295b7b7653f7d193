-- The usage metrics an activation rule can name, in order.
SELECT DISTINCT metric FROM usage ORDER BY metric
