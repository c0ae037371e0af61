-- One row per accepted record; day is the UTC calendar day of started_at.
INSERT INTO conversations
    (conversation_id, model, surface, started_at, day, n_messages, n_turns, context_documents,
     metadata, source_sha256, source_line, content_sha256)
SELECT s.conversation_id, s.model, s.surface, s.started_at, timezone('UTC', s.started_at)::DATE,
       len(s.messages), len(c.users), coalesce(s.context_documents, []),
       CASE WHEN s.metadata_type = 'OBJECT' THEN s.metadata END, $sha256, c.line, s.content_sha256
FROM _ingest_checked c
JOIN _ingest_staged s ON s.line = c.line
WHERE c.reason IS NULL
ORDER BY c.line;
