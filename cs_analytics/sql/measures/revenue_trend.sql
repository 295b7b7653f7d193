-- revenue_trend(a, T) = MRR(T's month) / MRR(the month 3 months earlier).
-- MRR(M) is the month-end snapshot (contracts active on M's last day). For T's own month the
-- snapshot is taken on T itself (equal to the month-end when T is a month-end) so that no
-- contract starting after T is read. Missing when the earlier MRR is 0.
-- Bound: $as_of_dates (DATE[]).
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
points AS (
    SELECT as_of, as_of AS day, 'now' AS which FROM dates
    UNION ALL
    SELECT as_of,
           last_day(CAST(date_trunc('month', as_of) - INTERVAL 3 MONTH AS DATE)),
           'before'
    FROM dates
),
mrr AS (
    SELECT p.as_of, c.account_id,
           sum(c.mrr) FILTER (WHERE p.which = 'now')    AS mrr_now,
           sum(c.mrr) FILTER (WHERE p.which = 'before') AS mrr_before
    FROM points p
    JOIN contracts c
      ON c.start_date <= p.day AND (c.end_date IS NULL OR c.end_date >= p.day)
    GROUP BY ALL
)
SELECT as_of, account_id, CAST(coalesce(mrr_now, 0) / mrr_before AS DOUBLE) AS raw
FROM mrr
WHERE mrr_before > 0
