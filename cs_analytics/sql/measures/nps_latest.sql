-- nps latest(a, T) = the account's latest NPS score (0-10) with responded_at in
-- [T - $window_days, T]; several responses on that latest day are averaged. Missing when there is
-- none. Bound: $as_of_dates (DATE[]), $window_days.
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
daily AS (
    SELECT account_id, responded_at, avg(score) AS score FROM nps GROUP BY ALL
),
grid AS (
    SELECT d.as_of, a.account_id
    FROM (SELECT DISTINCT account_id FROM nps) a CROSS JOIN dates d
)
SELECT g.as_of, g.account_id, CAST(n.score AS DOUBLE) AS raw
FROM grid g
ASOF JOIN daily n ON n.account_id = g.account_id AND n.responded_at <= g.as_of
WHERE n.responded_at >= g.as_of - CAST($window_days AS INTEGER)
