-- Daily violation counts per clause × model over the days [$from, $to] (all surfaces) for one spec
-- version: the series the change-point CUSUM runs on. Parameters: $spec_id, $spec_version, $from, $to.
SELECT
    clause_id,
    model,
    day,
    sum(applicable)::BIGINT AS applicable,
    sum(violations)::BIGINT AS violations
FROM clause_metrics
WHERE spec_id = $spec_id AND spec_version = $spec_version AND day BETWEEN $from AND $to
GROUP BY clause_id, model, day
ORDER BY clause_id, model, day
