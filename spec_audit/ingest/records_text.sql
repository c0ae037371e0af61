-- Loads the reader's frame of UTF-8 records (line, raw) into the table every later step reads.
-- A byte-order mark before the first record is not part of it.
CREATE OR REPLACE TEMP TABLE _ingest_records AS
SELECT line::BIGINT AS line,
       CASE WHEN line = 1 THEN ltrim(raw::VARCHAR, chr(65279)) ELSE raw::VARCHAR END AS raw,
       false AS invalid_utf8
FROM _ingest_frame
ORDER BY line;
