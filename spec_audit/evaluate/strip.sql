-- Splits the records of one labelled file (loaded into _ingest_records by the ingest reader) into
-- what a production log carries and what the labellers must never see. Parameters: $dataset (the
-- file's name, used where a record has no `dataset` field).
--   stripped: the record without gold, dataset and metadata, its conversation_id replaced by an
--             opaque hash (evaluation ids name their data set) spelt in letters only, so that PII
--             redaction never mistakes digits of it for a number; text that is not a JSON object is
--             passed through unchanged so that the real ingest rejects it as it would in production
--   gold:     the record's gold object (null when absent), kept aside keyed by conversation_id
-- Every JSON access sits inside CASE WHEN is_object: DuckDB evaluates a CASE branch only for the
-- rows that take it, while a WHERE filter may be applied after the extraction.
WITH parsed AS (
    -- Valid JSON text that starts with a brace is an object (json_type would parse invalid text).
    SELECT line, raw, coalesce(json_valid(raw) AND starts_with(ltrim(raw), '{'), false) AS is_object
    FROM _ingest_records
),
keyed AS (
    SELECT line, raw, is_object,
           CASE WHEN is_object THEN raw->>'conversation_id' END AS conversation_id,
           CASE WHEN is_object THEN raw->>'dataset' END AS dataset,
           CASE WHEN is_object AND json_type(raw->'gold') = 'OBJECT' THEN raw->'gold' END AS gold
    FROM parsed
),
opaque AS (
    SELECT *, 'eval-' || translate(left(sha256(conversation_id), 24), '0123456789', 'ghijklmnop')
              AS opaque_id
    FROM keyed
)
SELECT line,
       conversation_id,
       opaque_id,
       coalesce(dataset, $dataset) AS dataset,
       gold::VARCHAR AS gold,
       CASE WHEN is_object
            THEN json_merge_patch(raw, json_object('gold', NULL, 'dataset', NULL, 'metadata', NULL,
                                                   'conversation_id', opaque_id))::VARCHAR
            ELSE raw END AS stripped
FROM opaque
ORDER BY line
