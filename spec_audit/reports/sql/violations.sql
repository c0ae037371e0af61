-- Every violation finding of the report's scope, for findings.csv (compliant findings are counted
-- in the per-clause table instead of listed). Parameters: $spec_id, $spec_version, $from, $to, $models.
SELECT
    day, model, surface, conversation_id, turn_id, clause_id, kind, verdict, overlay_id,
    array_to_string(list_sort(evidence), ' ') AS evidence_signals
FROM findings
WHERE verdict = 'violation' AND spec_id = $spec_id AND spec_version = $spec_version
  AND day BETWEEN $from AND $to
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
ORDER BY day, model, turn_id, clause_id
