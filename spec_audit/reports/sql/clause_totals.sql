-- Per-clause totals over the report's days and models for one spec version, from clause_metrics.
-- Parameters: $spec_id, $spec_version, $from, $to, $models (empty list = every model).
SELECT
    clause_id,
    sum(applicable)::BIGINT AS applicable,
    sum(violations)::BIGINT AS violations,
    sum(unscored)::BIGINT   AS unscored
FROM clause_metrics
WHERE spec_id = $spec_id AND spec_version = $spec_version AND day BETWEEN $from AND $to
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
GROUP BY clause_id
ORDER BY clause_id
