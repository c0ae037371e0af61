-- SQL check: every file's manifest counts equal the rows stored from it (accepted = conversations,
-- rejected = rejected_records). One row: files checked, files that disagree, a few of them.
WITH stored AS (
    SELECT m.source_file, m.rows_accepted, m.rows_rejected,
           (SELECT count(*) FROM conversations c WHERE c.source_sha256 = m.source_sha256) AS conversations,
           (SELECT count(*) FROM rejected_records r WHERE r.source_sha256 = m.source_sha256) AS rejected
    FROM ingest_manifest m
)
SELECT
    count(*) AS element_count,
    count(*) FILTER (WHERE rows_accepted <> conversations OR rows_rejected <> rejected) AS unexpected_count,
    list(source_file || ': accepted ' || rows_accepted || ' vs ' || conversations || ' stored, rejected '
         || rows_rejected || ' vs ' || rejected || ' stored' ORDER BY source_file)
        FILTER (WHERE rows_accepted <> conversations OR rows_rejected <> rejected)[1:5] AS examples
FROM stored
