-- Totals over every ingested file: files, records read, accepted and rejected.
SELECT count(*)::BIGINT AS files, coalesce(sum(rows_read), 0)::BIGINT AS rows_read,
       coalesce(sum(rows_accepted), 0)::BIGINT AS rows_accepted,
       coalesce(sum(rows_rejected), 0)::BIGINT AS rows_rejected
FROM ingest_manifest
