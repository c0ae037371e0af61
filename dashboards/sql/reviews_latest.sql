-- The newest review of each finding (turn × clause) of one spec version.
-- Parameters: $spec_id, $spec_version.
SELECT * FROM reviews
WHERE spec_id = $spec_id AND spec_version = $spec_version
QUALIFY row_number() OVER (PARTITION BY turn_id, clause_id ORDER BY reviewed_at DESC) = 1
ORDER BY reviewed_at DESC
