-- The refusal quadrant over the report's days and models: prompt intent × whether the reply
-- refused (partly or fully). Parameters: $from, $to, $models (empty list = every model).
SELECT
    coalesce(prompt_intent, '(unlabelled)')                 AS prompt_intent,
    count(*) FILTER (WHERE refusal = 'none')::BIGINT        AS complied,
    count(*) FILTER (WHERE refusal IN ('partial', 'full'))::BIGINT AS refused,
    count(*) FILTER (WHERE refusal IS NULL)::BIGINT         AS no_reply
FROM signals
WHERE day BETWEEN $from AND $to
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
GROUP BY ALL
ORDER BY prompt_intent
