-- The refusal quadrant per refusal clause (kind over_refusal or under_refusal) over the filters:
-- of the scored turns each clause applied to, prompt intent × refused or complied. Sums the
-- snapshot's pre-aggregated snapshot_refusal_quadrant (spec_audit/sql/snapshot_refusal_quadrant.sql).
-- Parameters: $spec_id, $spec_version, $start, $end, $models, $surfaces (empty list = all).
SELECT
    clause_id,
    any_value(kind) AS kind,
    sum(benign_complied)::BIGINT AS benign_complied,
    sum(benign_refused)::BIGINT AS benign_refused,
    sum(harmful_complied)::BIGINT AS harmful_complied,
    sum(harmful_refused)::BIGINT AS harmful_refused,
    sum(ambiguous)::BIGINT AS ambiguous
FROM snapshot_refusal_quadrant
WHERE spec_id = $spec_id AND spec_version = $spec_version
  AND day BETWEEN $start AND $end
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
  AND (len($surfaces::VARCHAR[]) = 0
       OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
GROUP BY clause_id
ORDER BY clause_id
