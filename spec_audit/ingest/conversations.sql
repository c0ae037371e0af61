-- One row per accepted record; day is the UTC calendar day of started_at.
INSERT INTO conversations
    (conversation_id, model, surface, started_at, day, n_messages, n_turns, context_documents,
     metadata, source_sha256, source_line, content_sha256)
SELECT conversation_id, model, surface, started_at, timezone('UTC', started_at)::DATE,
       len(messages), len(users), context_documents, metadata, $sha256, line, content_sha256
FROM _ingest_checked
WHERE reason IS NULL
ORDER BY line;
