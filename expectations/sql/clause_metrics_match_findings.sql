-- SQL check: clause_metrics counts equal the findings they summarise, per day, model, surface,
-- spec version and clause (applicable = scored findings). Parameter $days: DATE[] or NULL.
-- One row: metric rows checked, groups that differ or exist on one side only, a few of them.
WITH counted AS (
    SELECT day, model, surface, spec_id, spec_version, clause_id,
           count(*) FILTER (WHERE verdict <> 'unscored') AS applicable,
           count(*) FILTER (WHERE verdict = 'violation') AS violations,
           count(*) FILTER (WHERE verdict = 'unscored') AS unscored
    FROM findings
    WHERE $days IS NULL OR list_contains($days::DATE[], day)
    GROUP BY ALL
),
measured AS (
    SELECT day, model, surface, spec_id, spec_version, clause_id, applicable, violations, unscored
    FROM clause_metrics
    WHERE $days IS NULL OR list_contains($days::DATE[], day)
),
joined AS (
    SELECT coalesce(m.day, c.day) AS day, coalesce(m.model, c.model) AS model,
           coalesce(m.spec_version, c.spec_version) AS spec_version,
           coalesce(m.clause_id, c.clause_id) AS clause_id,
           m.day IS NOT NULL AS in_metrics,
           (m.applicable, m.violations, m.unscored) IS NOT DISTINCT FROM
               (c.applicable, c.violations, c.unscored) AS agrees
    FROM measured m
    FULL OUTER JOIN counted c
        ON m.day = c.day AND m.model = c.model AND m.surface IS NOT DISTINCT FROM c.surface
       AND m.spec_id = c.spec_id AND m.spec_version = c.spec_version AND m.clause_id = c.clause_id
)
SELECT
    count(*) FILTER (WHERE in_metrics) AS element_count,
    count(*) FILTER (WHERE NOT agrees) AS unexpected_count,
    list(day || ' ' || model || ' ' || spec_version || ' ' || clause_id ORDER BY day, model, clause_id)
        FILTER (WHERE NOT agrees)[1:5] AS examples
FROM joined
