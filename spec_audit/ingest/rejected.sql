-- The file's unusable records, with the reason and the raw text as read.
INSERT INTO rejected_records (source_sha256, source_file, line, reason, raw_text)
SELECT $sha256, $source_file, c.line, c.reason, r.raw
FROM _ingest_checked c
JOIN _ingest_records r ON r.line = c.line
WHERE c.reason IS NOT NULL
ORDER BY c.line;
