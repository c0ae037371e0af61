-- The fingerprint of each staged record's canonical content (before redaction), which tells an
-- identical re-sent conversation from a conflicting one with the same id. The start time is
-- compared as an instant, so the same moment written in two zones is the same content.
-- Also notes which scalar fields hold a list or an object, before redaction's placeholders
-- (which start with a bracket) could be mistaken for one.
-- It wraps the adapter's query (adapter_<name>.sql, put in by adapters.stage), so the staged
-- records are written once.
CREATE OR REPLACE TEMP TABLE _ingest_staged AS
SELECT *,
       ingest_not_text(conversation_id) AS conversation_id_kind,
       ingest_not_text(model) AS model_kind,
       ingest_not_text(surface) AS surface_kind,
       sha256(to_json({
           'model': model,
           'surface': surface,
           'started_at': strftime(timezone('UTC', started_at), '%Y-%m-%dT%H:%M:%S.%f'),
           'messages': messages,
           'context_documents': context_documents,
           'metadata': metadata
       })::VARCHAR) AS content_sha256
FROM ({adapter}) AS adapted;
