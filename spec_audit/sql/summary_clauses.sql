-- Per-clause totals over a window for one spec version, with the Wilson interval of the summed
-- counts. Parameters: $z, $spec_id, $spec_version, $start, $end (null = unbounded).
SELECT
    clause_id,
    sum(applicable)                      AS applicable,
    sum(violations)                      AS violations,
    sum(unscored)                        AS unscored,
    CASE WHEN sum(applicable) > 0 THEN sum(violations) / sum(applicable) END AS rate,
    wilson_low(sum(violations), sum(applicable), $z)  AS ci_low,
    wilson_high(sum(violations), sum(applicable), $z) AS ci_high
FROM clause_metrics
WHERE spec_id = $spec_id AND spec_version = $spec_version
  AND ($start IS NULL OR day >= $start) AND ($end IS NULL OR day <= $end)
GROUP BY clause_id
