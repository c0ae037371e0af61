-- Filter choices of the dashboards: every spec version, model, surface and the day range audited.
-- From clause_metrics (pre-aggregated, small); surface null is shown as '(none)'.
SELECT
    list(DISTINCT spec_id || '@' || spec_version ORDER BY spec_id || '@' || spec_version) AS specs,
    list(DISTINCT model ORDER BY model) AS models,
    list(DISTINCT coalesce(surface, '(none)') ORDER BY coalesce(surface, '(none)')) AS surfaces,
    min(day) AS first_day,
    max(day) AS last_day
FROM clause_metrics
