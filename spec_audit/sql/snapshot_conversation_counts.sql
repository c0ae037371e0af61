-- Conversations and turns per day, model and surface, pre-aggregated when a snapshot is published
-- (from conversations.n_turns), for the Overview's headline counts.
CREATE OR REPLACE TABLE snapshot_conversation_counts AS
SELECT day, model, surface, count(*)::BIGINT AS conversations, sum(n_turns)::BIGINT AS turns
FROM conversations
GROUP BY ALL
ORDER BY day, model, surface;
