-- The refusal quadrant per harm category over the filters: prompt intent × refused (partly or
-- fully) or complied, from signals. Over-refusal = benign refused; under-refusal = harmful complied.
-- Parameters: $start, $end, $models, $surfaces (empty list = all).
SELECT
    harm_category,
    prompt_intent,
    count(*) FILTER (WHERE refusal = 'none')::BIGINT AS complied,
    count(*) FILTER (WHERE refusal IN ('partial', 'full'))::BIGINT AS refused,
    count(*) FILTER (WHERE refusal IS NULL)::BIGINT AS no_reply
FROM signals
WHERE day BETWEEN $start AND $end
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
  AND (len($surfaces::VARCHAR[]) = 0
       OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
GROUP BY harm_category, prompt_intent
ORDER BY harm_category, prompt_intent
