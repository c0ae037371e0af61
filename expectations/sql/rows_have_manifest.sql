-- SQL check: every stored conversation and rejected record comes from a file in ingest_manifest.
-- One row: rows checked, rows whose source_sha256 is not in the manifest, a few of their files.
WITH rows AS (
    SELECT 'conversations' AS tbl, source_sha256, conversation_id AS what FROM conversations
    UNION ALL
    SELECT 'rejected_records', source_sha256, source_file || ':' || line FROM rejected_records
)
SELECT
    count(*) AS element_count,
    count(*) FILTER (WHERE m.source_sha256 IS NULL) AS unexpected_count,
    list(tbl || ' ' || what ORDER BY what) FILTER (WHERE m.source_sha256 IS NULL)[1:5] AS examples
FROM rows
LEFT JOIN ingest_manifest m USING (source_sha256)
