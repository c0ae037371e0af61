-- A stratified random sample of scored findings for review: per clause × labeller verdict
-- (violation, compliant), $per_stratum findings drawn by a seeded hash; each row carries its
-- stratum's size so reviews can be weighted back to the population. Parameters: $spec_id,
-- $spec_version, $start, $end, $models, $surfaces, $clause_id (null = all), $per_stratum, $seed.
SELECT turn_id, conversation_id, day, model, surface, clause_id, kind, verdict, evidence,
       count(*) OVER (PARTITION BY clause_id, verdict)::BIGINT AS stratum_size
FROM findings
WHERE spec_id = $spec_id AND spec_version = $spec_version AND verdict <> 'unscored'
  AND day BETWEEN $start AND $end
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
  AND (len($surfaces::VARCHAR[]) = 0
       OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
  AND ($clause_id IS NULL OR clause_id = $clause_id)
QUALIFY row_number() OVER (PARTITION BY clause_id, verdict ORDER BY hash(turn_id, $seed)) <= $per_stratum
ORDER BY clause_id, verdict DESC, turn_id
