-- The report's data volume: conversations and turns per surface over [$from, $to] for the models in
-- scope ($models, an empty list = every model). Parameters: $from, $to, $models.
SELECT
    coalesce(c.surface, '(none)')               AS surface,
    count(DISTINCT c.conversation_id)::BIGINT   AS conversations,
    coalesce(sum(c.n_turns), 0)::BIGINT         AS turns
FROM conversations c
WHERE c.day BETWEEN $from AND $to
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], c.model))
GROUP BY ALL
ORDER BY surface
