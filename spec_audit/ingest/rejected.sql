-- The file's unusable records, with the reason and the raw text as read (redacted already by
-- redaction.rejected, which wrote _ingest_rejected), cut to $max_chars characters.
INSERT INTO rejected_records (source_sha256, source_file, line, reason, raw_text)
SELECT $sha256, $source_file, line, reason,
       CASE WHEN length(raw_text) > $max_chars
            THEN left(raw_text, $max_chars) || ' …[cut: ' || format('{:,}', length(raw_text))
                 || ' characters]'
            ELSE raw_text END
FROM _ingest_rejected
ORDER BY line;
