-- OpenAI chat-completions request/response pairs to the staged canonical columns: the request's
-- messages plus the first choice's message, id, model and created time from the response.
-- Content parts are common in this shape, so messages are always read part-aware.
WITH src AS (
    SELECT line,
           json_extract(raw, ['$.request', '$.response', '$.surface', '$.context_documents',
                              '$.metadata']) AS f
    FROM _ingest_records
    WHERE is_object
),
nested AS (
    SELECT line, f,
           json_extract(ingest_nested(f[1]), ['$.messages', '$.model']) AS request,
           json_extract(ingest_nested(f[2]), ['$.id', '$.model', '$.created',
                                              '$.choices[0].message']) AS response,
           ingest_nested(f[4]) AS documents_j,
           ingest_nested(f[5]) AS metadata_j
    FROM src
)
SELECT line,
       ingest_text(response[1]) AS conversation_id,
       coalesce(ingest_text(response[2]), ingest_text(request[2])) AS model,
       ingest_text(f[3]) AS surface,
       ingest_text(response[3]) AS started_at_text,
       ingest_time(response[3]) AS started_at,
       ingest_type(request[1]) AS messages_type,
       list_concat(
           ingest_messages_parts(request[1]),
           CASE WHEN coalesce(ingest_type(response[4]), 'NULL') <> 'NULL'
                THEN ingest_messages_parts(json_array(response[4])) ELSE [] END
       ) AS messages,
       ingest_type(documents_j) AS context_documents_type,
       from_json(documents_j, '["VARCHAR"]') AS context_documents,
       ingest_type(metadata_j) AS metadata_type,
       metadata_j AS metadata,
       CASE
           WHEN ingest_nested_bad(f[1]) THEN 'malformed JSON in field request'
           WHEN ingest_nested_bad(f[2]) THEN 'malformed JSON in field response'
           WHEN ingest_nested_bad(f[4]) THEN 'malformed JSON in field context_documents'
           WHEN ingest_nested_bad(f[5]) THEN 'malformed JSON in field metadata'
       END AS adapter_reason
FROM nested
