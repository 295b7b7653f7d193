-- Per contract end E <= as_of: usage in the 60 days before E, in the 180 days before those
-- (the usual usage), in the 60 days after (bounded by as_of), and whether usage started early
-- enough for a complete baseline. Parameters: as-of date (three times).
WITH ends AS (
    SELECT DISTINCT account_id, end_date AS contract_end
    FROM contracts
    WHERE end_date IS NOT NULL AND end_date <= ?
),
daily AS (
    SELECT account_id, event_date, sum(value) AS v
    FROM usage WHERE account_id IN (SELECT account_id FROM ends)
    GROUP BY ALL
),
first_use AS (SELECT account_id, min(event_date) AS first_day FROM daily GROUP BY ALL),
agg AS (
    SELECT e.account_id, e.contract_end,
           coalesce(sum(d.v) FILTER (WHERE d.event_date > e.contract_end - 60
                                       AND d.event_date <= e.contract_end), 0) AS usage_before,
           coalesce(sum(d.v) FILTER (WHERE d.event_date > e.contract_end - 240
                                       AND d.event_date <= e.contract_end - 60), 0) AS usage_baseline,
           coalesce(sum(d.v) FILTER (WHERE d.event_date > e.contract_end
                                       AND d.event_date <= least(e.contract_end + 60, CAST(? AS DATE))), 0)
               AS usage_after
    FROM ends e
    LEFT JOIN daily d
      ON d.account_id = e.account_id
     AND d.event_date > e.contract_end - 240
     AND d.event_date <= e.contract_end + 60
    GROUP BY ALL
)
SELECT a.account_id, a.contract_end, a.usage_before, a.usage_baseline, a.usage_after,
       least(60, CAST(? AS DATE) - a.contract_end) AS days_after,
       coalesce(f.first_day <= a.contract_end - 239, FALSE) AS baseline_complete
FROM agg a LEFT JOIN first_use f USING (account_id)
ORDER BY a.account_id, a.contract_end
