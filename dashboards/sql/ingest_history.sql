-- Ingested files, newest first: rows read, accepted and rejected per file.
SELECT ingested_at, source_file, format, adapter, rows_read, rows_accepted, rows_rejected,
       source_sha256
FROM ingest_manifest
ORDER BY ingested_at DESC, source_file
LIMIT 500
