-- The refusal quadrant per harm category over the filters: prompt intent × refused (partly or
-- fully) or complied. Over-refusal = benign refused; under-refusal = harmful complied. Sums the
-- snapshot's pre-aggregated snapshot_refusal_harm (spec_audit/sql/snapshot_refusal_harm.sql).
-- Parameters: $start, $end, $models, $surfaces (empty list = all).
SELECT
    harm_category,
    prompt_intent,
    sum(complied)::BIGINT AS complied,
    sum(refused)::BIGINT AS refused,
    sum(no_reply)::BIGINT AS no_reply
FROM snapshot_refusal_harm
WHERE day BETWEEN $start AND $end
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
  AND (len($surfaces::VARCHAR[]) = 0
       OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
GROUP BY harm_category, prompt_intent
ORDER BY harm_category, prompt_intent
