-- Rejected input records grouped by reason, most frequent first, with the files they came from.
SELECT reason, count(*)::BIGINT AS records, count(DISTINCT source_file)::BIGINT AS files,
       min(source_file || ':' || line) AS example
FROM rejected_records
GROUP BY reason
ORDER BY records DESC, reason
LIMIT 200
