-- Scorecards per segment and restored versions (issue 10). A version with segment NULL is the
-- default scorecard; a version with a segment scores that segment's accounts. Exactly one version
-- is active per segment value (NULL included). restored_from names the version a restore copied.
ALTER TABLE scorecards ADD COLUMN IF NOT EXISTS segment VARCHAR;
ALTER TABLE scorecards ADD COLUMN IF NOT EXISTS restored_from BIGINT;
