-- as_of: the last date covered by the data (metrics.md, Time).
SELECT max(d) AS as_of
FROM (
    SELECT max(event_date) AS d FROM usage
    UNION ALL SELECT max(start_date) FROM contracts
    UNION ALL SELECT max(assessed_at) FROM assessments
);
