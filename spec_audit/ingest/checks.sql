-- Every record of the file with its verdict: reason IS NULL for an accepted conversation, else the
-- first problem found, in the order of DESIGN.md section 3's rules, then the limits of
-- limits.yaml, then duplicates. Field names in the reasons are the adapter's source fields
-- ($*_field), so a user can find them in their own file.
-- Duplicates are told apart by content_sha256 (the canonical content, before redaction): an
-- identical copy of a conversation already stored or earlier in the file is a duplicate
-- (duplicate = true; not an error, nothing is lost), a different one with the same id is a
-- conflicting duplicate. Either way the first one stays and the later one is not stored.
-- The verdicts are narrow (line, conversation_id, started_at, users, duplicate, reason): the
-- inserts read the records' other columns from _ingest_staged by line, so the messages are not
-- copied into one more table.
CREATE OR REPLACE TEMP TABLE _ingest_checked AS
WITH shaped AS (
    SELECT s.*,
           list_filter(range(1, len(messages) + 1), lambda i: messages[i].role = 'user') AS users,
           list_position(
               list_transform(messages, lambda m: m.role IS NULL
                   OR m.role NOT IN ('system', 'developer', 'user', 'assistant', 'tool')),
               true
           ) AS bad_role_at,
           list_position(
               list_transform(messages, lambda m: length(m.content) > $max_message_chars), true
           ) AS long_at
    FROM _ingest_staged s
),
-- Materialised: first_seen, stored and verdicts all read it, and inlined the long CASE below
-- would be evaluated once for each of them; only the columns they use.
problems AS MATERIALIZED (
    SELECT line, conversation_id, started_at, users, content_sha256,
        CASE
            WHEN adapter_reason IS NOT NULL THEN adapter_reason
            WHEN nullif(trim(conversation_id), '') IS NULL
                THEN 'missing required field ' || $id_field
            WHEN conversation_id_kind IS NOT NULL
                THEN $id_field || ' is ' || conversation_id_kind || ', not a string'
            WHEN nullif(trim(model), '') IS NULL THEN 'missing required field ' || $model_field
            WHEN model_kind IS NOT NULL
                THEN $model_field || ' is ' || model_kind || ', not a string'
            WHEN surface_kind IS NOT NULL THEN 'surface is ' || surface_kind || ', not a string'
            WHEN nullif(trim(started_at_text), '') IS NULL
                THEN 'missing required field ' || $time_field
            WHEN started_at IS NULL
                THEN 'unparseable ' || $time_field || ' ''' || left(started_at_text, 80) || ''''
            WHEN started_at < $earliest
                THEN $time_field || ' ''' || left(started_at_text, 80) || ''' is before '
                     || strftime($earliest, '%Y-%m-%d') || ' (distant past)'
            WHEN started_at > $latest
                THEN $time_field || ' ''' || left(started_at_text, 80)
                     || ''' is in the future (more than ' || $future_hours
                     || ' hours after the time of ingest)'
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
            WHEN long_at IS NOT NULL
                THEN 'messages[' || (long_at - 1) || '] is too long ('
                     || format('{:,}', length(messages[long_at].content))
                     || ' characters; the limit is ' || format('{:,}', $max_message_chars) || ')'
            WHEN coalesce(context_documents_type, 'NULL') NOT IN ('NULL', 'ARRAY')
                THEN 'context_documents is not a list'
            WHEN coalesce(metadata_type, 'NULL') NOT IN ('NULL', 'OBJECT')
                THEN 'metadata is not an object'
            WHEN metadata_type = 'OBJECT' AND length(metadata) > $max_metadata_chars
                THEN 'metadata is too large (' || format('{:,}', length(metadata))
                     || ' characters; the limit is ' || format('{:,}', $max_metadata_chars) || ')'
            WHEN metadata_type = 'OBJECT' AND ingest_open_brackets(metadata) > $max_metadata_depth
                 AND ingest_json_depth(metadata) > $max_metadata_depth
                THEN 'metadata is nested too deeply (' || ingest_json_depth(metadata)
                     || ' levels; the limit is ' || $max_metadata_depth || ')'
        END AS problem
    FROM shaped
),
first_seen AS (
    -- First occurrence wins among the file's otherwise acceptable records.
    SELECT conversation_id, min(line) AS first_line, arg_min(content_sha256, line) AS first_sha256
    FROM problems
    WHERE problem IS NULL
    GROUP BY conversation_id
),
stored AS (
    SELECT c.conversation_id, c.content_sha256, c.source_line, m.source_file
    FROM conversations c
    LEFT JOIN ingest_manifest m ON m.source_sha256 = c.source_sha256
    WHERE c.conversation_id IN (SELECT conversation_id FROM problems WHERE problem IS NULL)
),
verdicts AS (
    SELECT p.line, p.conversation_id, p.started_at, p.users,
           p.problem IS NULL AND (
               s.content_sha256 = p.content_sha256
               OR (s.conversation_id IS NULL AND p.line > f.first_line
                   AND p.content_sha256 = f.first_sha256)
           ) AS duplicate,
           CASE
               WHEN p.problem IS NOT NULL THEN p.problem
               WHEN s.conversation_id IS NOT NULL AND s.content_sha256 = p.content_sha256
                   THEN 'duplicate (identical content) of conversation_id '''
                        || left(p.conversation_id, 120) || ''' already ingested from '
                        || coalesce(s.source_file, '?') || ' line ' || s.source_line
               WHEN s.conversation_id IS NOT NULL
                   THEN 'conflicting duplicate conversation_id ''' || left(p.conversation_id, 120)
                        || ''': content differs from the one already ingested from '
                        || coalesce(s.source_file, '?') || ' line ' || s.source_line
                        || ', which is kept'
               WHEN p.line > f.first_line AND p.content_sha256 = f.first_sha256
                   THEN 'duplicate (identical content) of conversation_id '''
                        || left(p.conversation_id, 120) || ''' on line ' || f.first_line
               WHEN p.line > f.first_line
                   THEN 'conflicting duplicate conversation_id ''' || left(p.conversation_id, 120)
                        || ''': content differs from line ' || f.first_line || ', which is kept'
           END AS reason
    FROM problems p
    LEFT JOIN first_seen f ON f.conversation_id = p.conversation_id AND p.problem IS NULL
    LEFT JOIN stored s ON s.conversation_id = p.conversation_id AND p.problem IS NULL
),
malformed AS (
    SELECT r.line,
           false AS duplicate,
           CASE
               WHEN r.problem IS NOT NULL THEN r.problem
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
