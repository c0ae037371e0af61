-- SQL check: each conversation of the validated days has exactly n_turns turns, and every turn
-- belongs to a stored conversation. Parameter $days: DATE[] or NULL for every day.
-- One row: conversations checked, conversations that disagree (or are missing), a few of them.
WITH counted AS (
    SELECT conversation_id, count(*) AS turns
    FROM turns
    WHERE $days IS NULL OR list_contains($days::DATE[], day)
    GROUP BY conversation_id
),
declared AS (
    SELECT conversation_id, n_turns
    FROM conversations
    WHERE $days IS NULL OR list_contains($days::DATE[], day)
),
joined AS (
    SELECT conversation_id, coalesce(d.n_turns, 0) AS n_turns, coalesce(c.turns, 0) AS turns
    FROM declared d FULL OUTER JOIN counted c USING (conversation_id)
)
SELECT
    count(*) AS element_count,
    count(*) FILTER (WHERE n_turns <> turns) AS unexpected_count,
    list(conversation_id || ': n_turns ' || n_turns || ', turns stored ' || turns ORDER BY conversation_id)
        FILTER (WHERE n_turns <> turns)[1:5] AS examples
FROM joined
