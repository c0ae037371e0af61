-- Violation counts per clause × model summed over the days [$from, $to] (all surfaces) for one
-- spec version, from clause_metrics. Parameters: $spec_id, $spec_version, $from, $to.
SELECT
    clause_id,
    model,
    sum(applicable)::BIGINT AS applicable,
    sum(violations)::BIGINT AS violations
FROM clause_metrics
WHERE spec_id = $spec_id AND spec_version = $spec_version AND day BETWEEN $from AND $to
GROUP BY clause_id, model
ORDER BY clause_id, model
