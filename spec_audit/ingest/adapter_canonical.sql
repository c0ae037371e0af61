-- Canonical records (DESIGN.md section 3) to the staged canonical columns.
-- One typed parse reads most records whole. It leaves messages NULL when they are not a list
-- (absent, JSON text in a CSV cell, another type) and turns content parts into text starting
-- with '['; only those records are read again, field by field.
WITH src AS (
    SELECT line, raw,
           from_json(raw, '{"conversation_id": "VARCHAR", "model": "VARCHAR",
                            "surface": "VARCHAR", "started_at": "JSON",
                            "messages": [{"role": "VARCHAR", "content": "VARCHAR"}],
                            "context_documents": "JSON", "metadata": "JSON"}') AS s
    FROM _ingest_records
    WHERE is_object
),
reread AS (
    SELECT line, s,
           CASE WHEN s.messages IS NULL OR ingest_has_parts(s.messages)
                THEN json_extract(raw, '$.messages') END AS messages_src
    FROM src
),
nested AS (
    SELECT *,
           ingest_nested(messages_src) AS messages_j,
           ingest_nested(s.context_documents) AS documents_j,
           ingest_nested(s.metadata) AS metadata_j
    FROM reread
)
SELECT line,
       s.conversation_id AS conversation_id,
       s.model AS model,
       s.surface AS surface,
       ingest_text(s.started_at) AS started_at_text,
       ingest_time(s.started_at) AS started_at,
       CASE WHEN messages_src IS NULL AND s.messages IS NOT NULL THEN 'ARRAY'
            ELSE ingest_type(messages_j) END AS messages_type,
       CASE WHEN messages_src IS NULL THEN s.messages
            ELSE ingest_messages_parts(messages_j) END AS messages,
       ingest_type(documents_j) AS context_documents_type,
       from_json(documents_j, '["VARCHAR"]') AS context_documents,
       ingest_type(metadata_j) AS metadata_type,
       metadata_j AS metadata,
       CASE
           WHEN ingest_nested_bad(messages_src) THEN 'malformed JSON in field messages'
           WHEN ingest_nested_bad(s.context_documents)
               THEN 'malformed JSON in field context_documents'
           WHEN ingest_nested_bad(s.metadata) THEN 'malformed JSON in field metadata'
       END AS adapter_reason
FROM nested
