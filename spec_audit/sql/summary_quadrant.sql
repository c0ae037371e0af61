-- The refusal quadrant over a window: prompt intent × whether the reply refused (partly or fully).
-- Over-refusal = benign and refused; under-refusal = harmful and complied. Parameters: $start, $end.
SELECT
    prompt_intent,
    count(*) FILTER (WHERE refusal = 'none')        AS complied,
    count(*) FILTER (WHERE refusal IN ('partial', 'full')) AS refused,
    count(*) FILTER (WHERE refusal IS NULL)         AS no_reply
FROM signals
WHERE ($start IS NULL OR day >= $start) AND ($end IS NULL OR day <= $end)
GROUP BY prompt_intent
ORDER BY prompt_intent
