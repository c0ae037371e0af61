-- Loads the reader's frame of UTF-8 records (line, raw, invalid_utf8, problem) into the table
-- every later step reads. A byte-order mark before the first record is not part of it.
-- is_object (the record parses as a JSON object) is decided here once for adapter detection, the
-- adapters and the checks.
CREATE OR REPLACE TEMP TABLE _ingest_records AS
WITH loaded AS (
    SELECT line::BIGINT AS line,
           CASE WHEN line = 1 THEN ltrim(raw::VARCHAR, chr(65279)) ELSE raw::VARCHAR END AS raw,
           coalesce(invalid_utf8, false) AS invalid_utf8,
           problem::VARCHAR AS problem
    FROM _ingest_frame
)
SELECT *,
       NOT invalid_utf8 AND problem IS NULL AND json_valid(raw)
           AND starts_with(ltrim(raw), '{') AS is_object
FROM loaded
ORDER BY line;
