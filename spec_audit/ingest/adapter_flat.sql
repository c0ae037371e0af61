-- Flat prompt/response rows to the staged canonical columns: an optional system message, the
-- prompt as the user message and the response, when present, as the assistant reply. A row
-- without an id gets one from the file's hash and its line, so re-reading it gives the same id.
WITH src AS (
    SELECT line,
           json_extract(raw, ['$.id', '$.model', '$.surface', '$.timestamp', '$.prompt',
                              '$.response', '$.system', '$.context_documents',
                              '$.metadata']) AS f
    FROM _ingest_records
    WHERE is_object
),
nested AS (
    SELECT line, f,
           ingest_text(f[5]) AS prompt,
           ingest_text(f[6]) AS response,
           ingest_text(f[7]) AS system,
           ingest_nested(f[8]) AS documents_j,
           ingest_nested(f[9]) AS metadata_j
    FROM src
)
SELECT line,
       coalesce(ingest_text(f[1]), 'flat-' || left($sha256, 12) || '-' || line) AS conversation_id,
       ingest_text(f[2]) AS model,
       ingest_text(f[3]) AS surface,
       ingest_text(f[4]) AS started_at_text,
       ingest_time(f[4]) AS started_at,
       CASE WHEN prompt IS NOT NULL THEN 'ARRAY' END AS messages_type,
       list_concat(
           CASE WHEN system IS NOT NULL THEN [{'role': 'system', 'content': system}] ELSE [] END,
           [{'role': 'user', 'content': prompt}],
           CASE WHEN response IS NOT NULL THEN [{'role': 'assistant', 'content': response}]
                ELSE [] END
       ) AS messages,
       ingest_type(documents_j) AS context_documents_type,
       from_json(documents_j, '["VARCHAR"]') AS context_documents,
       ingest_type(metadata_j) AS metadata_type,
       metadata_j AS metadata,
       CASE
           WHEN ingest_nested_bad(f[8]) THEN 'malformed JSON in field context_documents'
           WHEN ingest_nested_bad(f[9]) THEN 'malformed JSON in field metadata'
       END AS adapter_reason
FROM nested
