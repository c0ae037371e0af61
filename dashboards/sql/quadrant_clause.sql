-- The refusal quadrant per refusal clause (kind over_refusal or under_refusal) over the filters:
-- of the scored turns each clause applied to, prompt intent × refused or complied (findings joined
-- to signals on turn_id within the same days). Parameters: $spec_id, $spec_version, $start, $end,
-- $models, $surfaces (empty list = all).
WITH f AS (
    SELECT turn_id, day, clause_id, kind FROM findings
    WHERE spec_id = $spec_id AND spec_version = $spec_version
      AND kind IN ('over_refusal', 'under_refusal') AND verdict <> 'unscored'
      AND day BETWEEN $start AND $end
      AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
      AND (len($surfaces::VARCHAR[]) = 0
           OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
), s AS (
    SELECT turn_id, prompt_intent, refusal IN ('partial', 'full') AS refused FROM signals
    WHERE day BETWEEN $start AND $end
)
SELECT
    f.clause_id,
    any_value(f.kind) AS kind,
    count(*) FILTER (WHERE s.prompt_intent = 'benign' AND NOT s.refused)::BIGINT AS benign_complied,
    count(*) FILTER (WHERE s.prompt_intent = 'benign' AND s.refused)::BIGINT AS benign_refused,
    count(*) FILTER (WHERE s.prompt_intent = 'harmful' AND NOT s.refused)::BIGINT AS harmful_complied,
    count(*) FILTER (WHERE s.prompt_intent = 'harmful' AND s.refused)::BIGINT AS harmful_refused,
    count(*) FILTER (WHERE s.prompt_intent = 'ambiguous')::BIGINT AS ambiguous
FROM f JOIN s USING (turn_id)
GROUP BY f.clause_id
ORDER BY f.clause_id
