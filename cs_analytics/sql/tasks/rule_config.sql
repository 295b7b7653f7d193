-- The newest configuration row of every task rule that was ever configured.
SELECT rule, config, set_by, set_at
FROM task_rule_changes
QUALIFY row_number() OVER (PARTITION BY rule ORDER BY change_id DESC) = 1
