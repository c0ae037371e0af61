-- Every record of the file with its verdict: reason IS NULL for an accepted conversation, else the
-- first problem found, in the order of DESIGN.md section 3's rules. Field names in the reasons are
-- the adapter's source fields ($*_field), so a user can find them in their own file.
CREATE OR REPLACE TEMP TABLE _ingest_checked AS
WITH shaped AS (
    SELECT s.*,
           list_filter(range(1, len(messages) + 1), lambda i: messages[i].role = 'user') AS users,
           list_position(
               list_transform(messages, lambda m: m.role IS NULL
                   OR m.role NOT IN ('system', 'developer', 'user', 'assistant', 'tool')),
               true
           ) AS bad_role_at
    FROM _ingest_staged s
),
problems AS (
    SELECT *,
        CASE
            WHEN adapter_reason IS NOT NULL THEN adapter_reason
            WHEN nullif(trim(conversation_id), '') IS NULL
                THEN 'missing required field ' || $id_field
            WHEN nullif(trim(model), '') IS NULL THEN 'missing required field ' || $model_field
            WHEN nullif(trim(started_at_text), '') IS NULL
                THEN 'missing required field ' || $time_field
            WHEN started_at IS NULL
                THEN 'unparseable ' || $time_field || ' ''' || left(started_at_text, 80) || ''''
            WHEN coalesce(messages_type, 'NULL') = 'NULL'
                THEN 'missing required field ' || $messages_field
            WHEN messages_type <> 'ARRAY' THEN $messages_field || ' is not a list'
            WHEN len(messages) = 0 THEN $messages_field || ' is empty'
            WHEN bad_role_at IS NOT NULL AND messages[bad_role_at].role IS NULL
                THEN 'missing role in messages[' || (bad_role_at - 1) || ']'
            WHEN bad_role_at IS NOT NULL
                THEN 'unknown role ''' || left(messages[bad_role_at].role, 40)
                     || ''' in messages[' || (bad_role_at - 1) || ']'
            WHEN len(users) = 0 THEN 'no user message in ' || $messages_field
            WHEN list_bool_or(list_transform(users, lambda i: messages[i].content IS NULL))
                THEN 'missing content in messages['
                     || (list_filter(users, lambda i: messages[i].content IS NULL)[1] - 1) || ']'
            WHEN coalesce(context_documents_type, 'NULL') NOT IN ('NULL', 'ARRAY')
                THEN 'context_documents is not a list'
            WHEN coalesce(metadata_type, 'NULL') NOT IN ('NULL', 'OBJECT')
                THEN 'metadata is not an object'
        END AS problem
    FROM shaped
),
first_seen AS (
    -- First occurrence wins among the file's otherwise acceptable records.
    SELECT conversation_id, min(line) AS first_line
    FROM problems
    WHERE problem IS NULL
    GROUP BY conversation_id
),
verdicts AS (
    SELECT p.line, p.conversation_id, p.model, p.surface, p.started_at, p.messages, p.users,
           coalesce(p.context_documents, []) AS context_documents,
           CASE WHEN p.metadata_type = 'OBJECT' THEN p.metadata END AS metadata,
           CASE
               WHEN p.problem IS NOT NULL THEN p.problem
               WHEN c.conversation_id IS NOT NULL
                   THEN 'duplicate conversation_id ''' || left(p.conversation_id, 120)
                        || ''' (already ingested)'
               WHEN p.line > f.first_line
                   THEN 'duplicate conversation_id ''' || left(p.conversation_id, 120)
                        || ''' (first seen on line ' || f.first_line || ')'
           END AS reason
    FROM problems p
    LEFT JOIN first_seen f ON f.conversation_id = p.conversation_id AND p.problem IS NULL
    LEFT JOIN conversations c ON c.conversation_id = p.conversation_id AND p.problem IS NULL
),
malformed AS (
    SELECT r.line,
           CASE
               WHEN r.invalid_utf8 THEN 'malformed JSON: invalid UTF-8 bytes'
               WHEN json_valid(r.raw)
                   THEN 'malformed JSON: expected an object, got ' || lower(json_type(r.raw))
               WHEN starts_with(ltrim(r.raw), '{') AND NOT ends_with(rtrim(r.raw), '}')
                   THEN 'malformed JSON: unterminated object (truncated line?)'
               ELSE 'malformed JSON: not parseable as JSON'
           END AS reason
    FROM _ingest_records r
    ANTI JOIN _ingest_staged s ON s.line = r.line
)
SELECT * FROM verdicts
UNION ALL BY NAME
SELECT * FROM malformed;
