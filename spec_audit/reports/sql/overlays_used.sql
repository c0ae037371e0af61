-- Findings decided by an overlay in the report's scope, per overlay (null = base catalog is left
-- out). Parameters: $spec_id, $spec_version, $from, $to, $models.
SELECT overlay_id, count(*)::BIGINT AS findings
FROM findings
WHERE overlay_id IS NOT NULL AND spec_id = $spec_id AND spec_version = $spec_version
  AND day BETWEEN $from AND $to
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
GROUP BY overlay_id
ORDER BY overlay_id
