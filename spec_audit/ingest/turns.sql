-- One row per user message of each accepted record, built with list functions per conversation
-- (no sort of all messages). users holds the 1-based positions of the user messages; turn k's
-- user message is at p = users[k] and the next one at q (or past the end). The reply is the
-- first assistant message with content between them, so tool calls and tool results in between
-- are skipped; instructions and context are the system/developer and user/assistant messages
-- before p.
INSERT INTO turns
    (turn_id, conversation_id, turn_index, day, model, surface, started_at, system_text,
     user_text, reply_text, context_text, context_documents)
WITH numbered AS (
    SELECT c.line, s.conversation_id, s.model, s.surface, s.started_at, s.messages, c.users,
           coalesce(s.context_documents, []) AS context_documents,
           unnest(range(1, len(c.users) + 1)) AS k
    FROM _ingest_checked c
    JOIN _ingest_staged s ON s.line = c.line
    WHERE c.reason IS NULL
),
placed AS (
    SELECT *, users[k] AS p, coalesce(users[k + 1], len(messages) + 1) AS q FROM numbered
)
SELECT conversation_id || ':' || (k - 1),
       conversation_id,
       (k - 1)::INTEGER,
       timezone('UTC', started_at)::DATE,
       model,
       surface,
       started_at,
       nullif(array_to_string(list_transform(
           list_filter(messages[:p - 1], lambda m: m.role IN ('system', 'developer')),
           lambda m: m.content), chr(10) || chr(10)), ''),
       messages[p].content,
       -- Most replies are the next message: only the others need the search.
       CASE WHEN p + 1 < q AND messages[p + 1].role = 'assistant'
                 AND messages[p + 1].content IS NOT NULL
            THEN messages[p + 1].content
            ELSE list_filter(messages[p + 1:q - 1],
                             lambda m: m.role = 'assistant' AND m.content IS NOT NULL)[1].content
       END,
       nullif(array_to_string(list_transform(
           list_filter(messages[:p - 1], lambda m: m.role IN ('user', 'assistant')),
           lambda m: m.role || ': ' || m.content), chr(10)), ''),
       context_documents
FROM placed;
