-- Overview scorecard: per clause over the filters, applicable turns, violations, rate with a 95%
-- Wilson interval, and the daily rates in day order (the sparkline). From clause_metrics.
-- Parameters: $spec_id, $spec_version, $start, $end, $models, $surfaces (empty list = all), $z.
WITH filtered AS (
    SELECT * FROM clause_metrics
    WHERE spec_id = $spec_id AND spec_version = $spec_version
      AND day BETWEEN $start AND $end
      AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
      AND (len($surfaces::VARCHAR[]) = 0
           OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
),
daily AS (
    SELECT clause_id, day, sum(violations) / nullif(sum(applicable), 0) AS rate
    FROM filtered GROUP BY clause_id, day
)
SELECT
    f.clause_id,
    any_value(f.kind) AS kind,
    sum(f.applicable)::BIGINT AS applicable,
    sum(f.violations)::BIGINT AS violations,
    sum(f.unscored)::BIGINT AS unscored,
    sum(f.violations) / nullif(sum(f.applicable), 0) AS rate,
    wilson_low(sum(f.violations), sum(f.applicable), $z) AS ci_low,
    wilson_high(sum(f.violations), sum(f.applicable), $z) AS ci_high,
    (SELECT list(coalesce(d.rate, 0) ORDER BY d.day) FROM daily d WHERE d.clause_id = f.clause_id)
        AS trend
FROM filtered f
GROUP BY f.clause_id
ORDER BY rate DESC NULLS LAST, clause_id
