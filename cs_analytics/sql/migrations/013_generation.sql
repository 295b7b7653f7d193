-- The workspace generation: every committed write increases it (db.Workspace.transaction), so a
-- cache keyed on it never serves data older than the last write, in any process.
INSERT INTO workspace_info (key, value)
SELECT 'generation', '0' WHERE NOT EXISTS (SELECT 1 FROM workspace_info WHERE key = 'generation');
