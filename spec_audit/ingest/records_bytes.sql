-- Loads the lines of a JSONL file holding invalid UTF-8 (line, raw_bytes, problem), decoding each line on
-- its own so one bad line does not sink the file. An undecodable line keeps its bytes as raw text:
-- DuckDB's BLOB text escapes bytes outside printable ASCII as \xNN, and also the quotes and the
-- backslash, which are put back (backslash last, so the escapes it introduces are not re-read).
CREATE OR REPLACE TEMP TABLE _ingest_records AS
WITH decoded AS (
    SELECT line, try(decode(raw_bytes)) AS text, raw_bytes, problem FROM _ingest_frame
)
SELECT line::BIGINT AS line,
       coalesce(
           rtrim(text, chr(13)),
           replace(replace(replace(raw_bytes::VARCHAR, '\x22', '"'), '\x27', ''''), '\x5C', '\')
       ) AS raw,
       text IS NULL AS invalid_utf8,
       problem::VARCHAR AS problem,
       -- as in records_text.sql
       text IS NOT NULL AND problem IS NULL AND json_valid(rtrim(text, chr(13)))
           AND starts_with(ltrim(text), '{') AS is_object
FROM decoded
WHERE text IS NULL OR trim(text, chr(32) || chr(9) || chr(13)) <> '' OR problem IS NOT NULL
ORDER BY line;
