-- attribute value(a, T) = the account attribute $attribute read as a number (blank or
-- non-numeric values are missing). Attributes carry no date: the uploaded value is read at every T.
-- Bound: $as_of_dates (DATE[]), $attribute (VARCHAR).
WITH dates AS (
    SELECT DISTINCT unnest(CAST($as_of_dates AS DATE[])) AS as_of
),
vals AS (
    SELECT account_id, max(TRY_CAST(trim(value) AS DOUBLE)) AS raw
    FROM account_attributes
    WHERE name = $attribute
    GROUP BY account_id
)
SELECT d.as_of, v.account_id, CAST(v.raw AS DOUBLE) AS raw
FROM vals v CROSS JOIN dates d
WHERE v.raw IS NOT NULL
