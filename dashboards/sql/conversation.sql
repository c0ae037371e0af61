-- One conversation by id (primary-key lookup). Parameters: $conversation_id.
SELECT conversation_id, model, surface, started_at, day, n_messages, n_turns, metadata
FROM conversations WHERE conversation_id = $conversation_id
