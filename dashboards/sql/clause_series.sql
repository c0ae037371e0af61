-- One clause's daily violation rate per model over the filters, with a 95% Wilson interval per day.
-- Parameters: $spec_id, $spec_version, $clause_id, $start, $end, $models, $surfaces, $z.
SELECT
    day, model,
    sum(applicable)::BIGINT AS applicable,
    sum(violations)::BIGINT AS violations,
    sum(violations) / nullif(sum(applicable), 0) AS rate,
    wilson_low(sum(violations), sum(applicable), $z) AS ci_low,
    wilson_high(sum(violations), sum(applicable), $z) AS ci_high
FROM clause_metrics
WHERE spec_id = $spec_id AND spec_version = $spec_version AND clause_id = $clause_id
  AND day BETWEEN $start AND $end
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
  AND (len($surfaces::VARCHAR[]) = 0
       OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
GROUP BY day, model
ORDER BY model, day
