-- clause_metrics for some days and one spec version: counts per model × surface × clause, with the
-- violation rate and its Wilson score interval. Parameters: $z (normal quantile), $days (a DATE list), $spec_id,
-- $spec_version. Unscored findings are counted but kept out of the rate's denominator.
WITH counts AS (
    SELECT
        day, model, surface, spec_id, spec_version, clause_id, kind,
        count(*) FILTER (WHERE verdict <> 'unscored') AS applicable,
        count(*) FILTER (WHERE verdict = 'violation') AS violations,
        count(*) FILTER (WHERE verdict = 'unscored')  AS unscored
    FROM findings
    WHERE day IN (SELECT unnest($days::DATE[])) AND spec_id = $spec_id AND spec_version = $spec_version
    GROUP BY ALL
)
SELECT
    day, model, surface, spec_id, spec_version, clause_id, kind,
    applicable, violations, unscored,
    CASE WHEN applicable > 0 THEN violations / applicable END AS rate,
    wilson_low(violations, applicable, $z) AS ci_low,
    wilson_high(violations, applicable, $z) AS ci_high
FROM counts
ORDER BY day, model, surface, clause_id
