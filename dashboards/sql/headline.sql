-- Headline counts over the filters: conversations and turns (from conversations.n_turns).
-- Parameters: $start, $end, $models, $surfaces (empty list = all).
SELECT count(*)::BIGINT AS conversations, coalesce(sum(n_turns), 0)::BIGINT AS turns
FROM conversations
WHERE day BETWEEN $start AND $end
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
  AND (len($surfaces::VARCHAR[]) = 0
       OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
