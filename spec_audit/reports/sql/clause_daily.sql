-- Daily applicable turns and violations per clause (models in scope pooled), for the trend charts.
-- Parameters: $spec_id, $spec_version, $from, $to, $models (empty list = every model).
SELECT
    clause_id,
    day,
    sum(applicable)::BIGINT AS applicable,
    sum(violations)::BIGINT AS violations
FROM clause_metrics
WHERE spec_id = $spec_id AND spec_version = $spec_version AND day BETWEEN $from AND $to
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
GROUP BY clause_id, day
ORDER BY clause_id, day
