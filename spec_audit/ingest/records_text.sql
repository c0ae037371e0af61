-- Loads the reader's frame of UTF-8 records (line, raw, invalid_utf8, problem) into the table
-- every later step reads. A byte-order mark before the first record is not part of it.
CREATE OR REPLACE TEMP TABLE _ingest_records AS
SELECT line::BIGINT AS line,
       CASE WHEN line = 1 THEN ltrim(raw::VARCHAR, chr(65279)) ELSE raw::VARCHAR END AS raw,
       coalesce(invalid_utf8, false) AS invalid_utf8,
       problem::VARCHAR AS problem
FROM _ingest_frame
ORDER BY line;
