-- The findings of one conversation (read from its day only) with the signals each verdict rests on.
-- Parameters: $conversation_id, $day, $spec_id, $spec_version.
SELECT turn_id, clause_id, kind, verdict, evidence, overlay_id
FROM findings
WHERE day = $day AND conversation_id = $conversation_id
  AND spec_id = $spec_id AND spec_version = $spec_version
ORDER BY turn_id, verdict DESC, clause_id
