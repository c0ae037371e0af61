-- The refusal quadrant per refusal clause, pre-aggregated when a snapshot is published: of the
-- scored turns each over- or under-refusal clause applied to, prompt intent × refused or complied,
-- per spec version, day, model, surface and clause (findings joined to their turn's signals). The
-- Refusals page sums it over the filters instead of joining every finding to its signals.
-- Parameters: $days.
INSERT INTO snapshot_refusal_quadrant
WITH s AS (
    SELECT turn_id, prompt_intent, refusal IN ('partial', 'full') AS refused
    FROM signals
    WHERE day IN (SELECT unnest($days::DATE[]))
)
SELECT
    f.spec_id, f.spec_version, f.day, f.model, f.surface, f.clause_id,
    any_value(f.kind) AS kind,
    count(*) FILTER (WHERE s.prompt_intent = 'benign' AND NOT s.refused)::BIGINT AS benign_complied,
    count(*) FILTER (WHERE s.prompt_intent = 'benign' AND s.refused)::BIGINT AS benign_refused,
    count(*) FILTER (WHERE s.prompt_intent = 'harmful' AND NOT s.refused)::BIGINT AS harmful_complied,
    count(*) FILTER (WHERE s.prompt_intent = 'harmful' AND s.refused)::BIGINT AS harmful_refused,
    count(*) FILTER (WHERE s.prompt_intent = 'ambiguous')::BIGINT AS ambiguous
FROM findings AS f JOIN s USING (turn_id)
WHERE f.kind IN ('over_refusal', 'under_refusal') AND f.verdict <> 'unscored'
    AND f.day IN (SELECT unnest($days::DATE[]))
GROUP BY ALL
ORDER BY f.spec_id, f.spec_version, f.day, f.clause_id;
