-- SQL check: every finding is about a stored turn, on that turn's day and model.
-- Parameter $days: DATE[] or NULL. One row: findings checked, findings without such a turn, a few.
SELECT
    count(*) AS element_count,
    count(*) FILTER (WHERE t.turn_id IS NULL OR t.day <> f.day OR t.model <> f.model) AS unexpected_count,
    list(f.turn_id || ' ' || f.clause_id ORDER BY f.turn_id, f.clause_id)
        FILTER (WHERE t.turn_id IS NULL OR t.day <> f.day OR t.model <> f.model)[1:5] AS examples
FROM findings f
LEFT JOIN turns t ON t.turn_id = f.turn_id
WHERE $days IS NULL OR list_contains($days::DATE[], f.day)
