-- Headline counts over the filters: conversations and turns, summed from the snapshot's
-- pre-aggregated snapshot_conversation_counts (spec_audit/sql/snapshot_conversation_counts.sql).
-- Parameters: $start, $end, $models, $surfaces (empty list = all).
SELECT coalesce(sum(conversations), 0)::BIGINT AS conversations,
       coalesce(sum(turns), 0)::BIGINT AS turns
FROM snapshot_conversation_counts
WHERE day BETWEEN $start AND $end
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
  AND (len($surfaces::VARCHAR[]) = 0
       OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
