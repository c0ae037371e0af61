-- Input files that contributed conversations to the report's scope, with their ingest counts and
-- the rejected records of those files by reason. Parameters: $from, $to, $models.
SELECT
    m.source_file, m.source_sha256, m.format, m.adapter,
    m.rows_read::BIGINT AS rows_read, m.rows_accepted::BIGINT AS rows_accepted,
    m.rows_rejected::BIGINT AS rows_rejected,
    count(*)::BIGINT AS conversations_in_scope
FROM ingest_manifest m
JOIN conversations c ON c.source_sha256 = m.source_sha256
WHERE c.day BETWEEN $from AND $to
  AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], c.model))
GROUP BY ALL
ORDER BY m.source_file, m.source_sha256
