-- Per account with a renewal due in (as_of, until] (renewal_date, else end_date): its next one, the usage in the 60 days up to
-- as_of, in the 180 days before those, and whether usage started early enough for a complete
-- baseline. Parameters (named): as_of, until.
WITH due AS (
    SELECT account_id, min(coalesce(renewal_date, end_date)) AS renewal_date
    FROM contracts
    WHERE coalesce(renewal_date, end_date) > $as_of AND coalesce(renewal_date, end_date) <= $until
    GROUP BY account_id
),
first_use AS (
    SELECT account_id, min(event_date) AS first_day
    FROM usage WHERE account_id IN (SELECT account_id FROM due)
    GROUP BY ALL
),
sums AS (
    SELECT d.account_id, d.renewal_date,
           coalesce(sum(u.value) FILTER (WHERE u.event_date > CAST($as_of AS DATE) - 60), 0) AS usage_last_60d,
           coalesce(sum(u.value) FILTER (WHERE u.event_date <= CAST($as_of AS DATE) - 60), 0) AS usage_baseline_180d
    FROM due d
    LEFT JOIN usage u
      ON u.account_id = d.account_id
     AND u.event_date > CAST($as_of AS DATE) - 240
     AND u.event_date <= CAST($as_of AS DATE)
    GROUP BY ALL
)
SELECT s.account_id, s.renewal_date, s.renewal_date - CAST($as_of AS DATE) AS days_to_renewal,
       s.usage_last_60d, s.usage_baseline_180d,
       coalesce(f.first_day <= CAST($as_of AS DATE) - 239, FALSE) AS baseline_complete
FROM sums s LEFT JOIN first_use f USING (account_id)
ORDER BY s.renewal_date, s.account_id
