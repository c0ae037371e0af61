-- With keep-raw on: the accepted conversations' messages as they were before redaction, one row
-- per message, keyed like the stored (redacted) conversation.
INSERT INTO raw_messages (conversation_id, day, message_index, role, content, source_sha256)
SELECT c.conversation_id, timezone('UTC', c.started_at)::DATE, m.i - 1, r.messages[m.i].role,
       r.messages[m.i].content, $sha256
FROM _ingest_checked c
JOIN _ingest_raw r ON r.line = c.line,
     LATERAL (SELECT unnest(range(1, len(r.messages) + 1)) AS i) m
WHERE c.reason IS NULL
ORDER BY c.line, m.i;
