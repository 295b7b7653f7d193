-- revenue mrr(a, T) = the sum of mrr over the account's contracts active on T; with $trend it is
-- divided by the month-end MRR $months_back months before T's month (missing when that is 0).
-- Taking T's own day (not its month-end) means no contract starting after T is read.
-- Bound: $as_of_dates (DATE[]), $months_back (INTEGER), $trend (BOOLEAN).
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
points AS (
    SELECT as_of, as_of AS day, 'now' AS which FROM dates
    UNION ALL
    SELECT as_of,
           last_day(CAST(date_trunc('month', as_of) - to_months(CAST($months_back AS INTEGER)) AS DATE)),
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
SELECT as_of, account_id,
       CAST(CASE WHEN NOT $trend THEN mrr_now
                 WHEN mrr_before > 0 THEN coalesce(mrr_now, 0) / mrr_before END AS DOUBLE) AS raw
FROM mrr
