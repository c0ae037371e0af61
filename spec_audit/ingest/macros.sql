-- Small SQL functions the adapters share to turn parsed JSON values into canonical columns.
-- Temporary to the connection; recreated before each file is ingested. They read the JSON type
-- of a value from its first character: json_extract returns minified JSON, and a full json_type
-- would parse every nested value once more.

CREATE OR REPLACE TEMP MACRO ingest_type(j) AS
    CASE
        WHEN j IS NULL THEN NULL
        WHEN left(j, 1) = '[' THEN 'ARRAY'
        WHEN left(j, 1) = '{' THEN 'OBJECT'
        WHEN left(j, 1) = '"' THEN 'VARCHAR'
        WHEN j = 'null' THEN 'NULL'
        WHEN j IN ('true', 'false') THEN 'BOOLEAN'
        ELSE 'NUMBER'
    END;

-- The text of a JSON scalar (strings unquoted, numbers as written); NULL for absent or null.
CREATE OR REPLACE TEMP MACRO ingest_text(j) AS
    CASE WHEN j IS NULL OR j = 'null' THEN NULL ELSE j ->> '$' END;

-- CSV cells and Parquet string columns carry nested fields as JSON text: parse such a string.
CREATE OR REPLACE TEMP MACRO ingest_nested(j) AS
    CASE WHEN left(j, 1) = '"' AND json_valid(j ->> '$') THEN json(j ->> '$') ELSE j END;

-- True when a field that should be nested is a string that is not valid JSON.
CREATE OR REPLACE TEMP MACRO ingest_nested_bad(j) AS
    coalesce(left(j, 1) = '"' AND NOT json_valid(j ->> '$'), false);

-- A timestamp from ISO 8601 text (naive means UTC: the session zone is UTC) or unix seconds;
-- NULL when unparseable or infinite.
CREATE OR REPLACE TEMP MACRO ingest_time_of(ts) AS CASE WHEN isfinite(ts) THEN ts END;
CREATE OR REPLACE TEMP MACRO ingest_time(j) AS ingest_time_of(
    CASE
        WHEN ingest_type(j) = 'NUMBER' THEN try(to_timestamp(j::DOUBLE))
        WHEN regexp_full_match(j ->> '$', '\s*\d{9,12}(\.\d+)?\s*')
            THEN try(to_timestamp(trim(j ->> '$')::DOUBLE))
        WHEN ingest_type(j) = 'VARCHAR' THEN try_cast(j ->> '$' AS TIMESTAMPTZ)
    END
);

-- Messages as LIST(STRUCT(role, content)), content as text. The fast form reads content as
-- text directly, which is right for strings, numbers and objects; a content that is a list of
-- parts (the chat-completions shape) comes out as JSON text starting with '[', and only such
-- records are read again with ingest_messages_parts.
CREATE OR REPLACE TEMP MACRO ingest_messages_fast(j) AS
    from_json(j, '[{"role": "VARCHAR", "content": "VARCHAR"}]');

CREATE OR REPLACE TEMP MACRO ingest_has_parts(messages) AS
    coalesce(list_bool_or(list_transform(messages, lambda m: starts_with(m.content, '['))), false);

-- Content parts joined by newlines: their text, skipping parts without one (images...).
CREATE OR REPLACE TEMP MACRO ingest_content(c) AS
    CASE ingest_type(c)
        WHEN 'VARCHAR' THEN c ->> '$'
        WHEN 'NULL' THEN NULL
        WHEN 'ARRAY' THEN array_to_string(json_extract_string(c, '$[*].text'), chr(10))
        ELSE c::VARCHAR
    END;

CREATE OR REPLACE TEMP MACRO ingest_messages_parts(j) AS
    list_transform(
        from_json(j, '[{"role": "VARCHAR", "content": "JSON"}]'),
        lambda m: {'role': m.role, 'content': ingest_content(m.content)}
    );

-- The nesting depth of JSON text: brackets outside strings counted as +1 / -1, the deepest sum.
CREATE OR REPLACE TEMP MACRO ingest_json_depth(j) AS list_reduce(
    list_transform(
        string_split(
            regexp_replace(regexp_replace(j, '"(?:[^"\\]|\\.)*"', '', 'g'), '[^\[\]{}]', '', 'g'),
            ''
        ),
        lambda c: CASE WHEN c IN ('[', '{') THEN 1 ELSE -1 END
    ),
    lambda acc, x: {'cur': acc.cur + x, 'max': greatest(acc.max, acc.cur + x)},
    {'cur': 0, 'max': 0}
).max;

-- The number of opening brackets in JSON text, an upper bound of its nesting depth that costs two
-- replaces: the exact depth above (a regex pass and a fold per character) is only worth
-- computing for the texts this bound does not already clear.
CREATE OR REPLACE TEMP MACRO ingest_open_brackets(j) AS
    length(j) - length(replace(replace(j, '[', ''), '{', ''));

-- The JSON kind of a scalar field read as text: a list or an object where text was expected.
CREATE OR REPLACE TEMP MACRO ingest_not_text(v) AS
    CASE left(v, 1) WHEN '[' THEN 'a list' WHEN '{' THEN 'an object' END;
