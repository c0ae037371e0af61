-- The verdict of every clause that applied to a conversation's last turn, under one spec version.
-- Parameters: $spec_id, $spec_version.
WITH last AS (
    SELECT turn_id
    FROM turns
    QUALIFY row_number() OVER (PARTITION BY conversation_id ORDER BY turn_index DESC) = 1
)
SELECT f.conversation_id, f.clause_id, f.verdict
FROM findings f
JOIN last USING (turn_id)
WHERE f.spec_id = $spec_id AND f.spec_version = $spec_version
