-- The data's as-of date (metrics.md, Time): the latest of usage event_date, assessment and NPS
-- dates and contract start_date, counting only dates on or before $today (the day of the load,
-- bound by the caller). A booked contract starting after $today never moves it; future-dated
-- usage, assessment and NPS rows are quarantined at ingest and ignored here in any case.
SELECT max(d) AS as_of
FROM (
    SELECT max(event_date) AS d FROM usage WHERE event_date <= CAST($today AS DATE)
    UNION ALL SELECT max(start_date) FROM contracts WHERE start_date <= CAST($today AS DATE)
    UNION ALL SELECT max(assessed_at) FROM assessments WHERE assessed_at <= CAST($today AS DATE)
    UNION ALL SELECT max(responded_at) FROM nps WHERE responded_at <= CAST($today AS DATE)
);
