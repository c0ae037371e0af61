-- The gold labels of labelled conversations, one row per (conversation, key) and, under `clauses`,
-- one row per (conversation, clause). `detail` is the source's other fields: never scored.
-- Reads the registered frame _gold (conversation_id, dataset, gold as JSON text).
WITH gold AS (
    SELECT conversation_id, dataset, gold::JSON AS gold FROM _gold WHERE gold IS NOT NULL
),
scalar AS (
    SELECT conversation_id, dataset, unnest(json_keys(gold)) AS key, gold FROM gold
),
clauses AS (
    SELECT conversation_id, dataset, unnest(json_keys(gold->'clauses')) AS clause_id, gold
    FROM gold
    WHERE json_type(gold->'clauses') = 'OBJECT'
)
SELECT conversation_id, dataset, key, NULL::VARCHAR AS clause_id, gold->>key AS value
FROM scalar
WHERE key NOT IN ('detail', 'clauses')
UNION ALL
SELECT conversation_id, dataset, 'clauses', clause_id, gold->'clauses'->>clause_id
FROM clauses
