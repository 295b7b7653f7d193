-- Each account's value of the attribute $name (the smallest when it has several): its group.
SELECT account_id, min(value) AS g FROM account_attributes WHERE name = $name GROUP BY account_id
