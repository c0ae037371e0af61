-- Picks the adapter for a file: the shape most of its first parseable records have (canonical
-- when none is recognised, so the records are rejected with the canonical field names).
SELECT coalesce(
    (
        SELECT shape
        FROM (
            SELECT CASE
                       WHEN json_exists(raw, '$.messages') THEN 'canonical'
                       WHEN json_exists(raw, '$.request') AND json_exists(raw, '$.response')
                           THEN 'openai_chat'
                       WHEN json_exists(raw, '$.prompt') THEN 'flat'
                   END AS shape
            FROM (
                SELECT raw FROM _ingest_records
                WHERE is_object
                ORDER BY line
                LIMIT 1000
            )
        )
        WHERE shape IS NOT NULL
        GROUP BY shape
        ORDER BY count(*) DESC, shape
        LIMIT 1
    ),
    'canonical'
) AS adapter;
