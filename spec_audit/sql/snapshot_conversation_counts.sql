-- Conversations and turns per day, model and surface, pre-aggregated when a snapshot is published
-- (from conversations.n_turns), for the Overview's headline counts. Parameters: $days.
INSERT INTO snapshot_conversation_counts
SELECT day, model, surface, count(*)::BIGINT AS conversations, sum(n_turns)::BIGINT AS turns
FROM conversations
WHERE day IN (SELECT unnest($days::DATE[]))
GROUP BY ALL
ORDER BY day, model, surface;
