-- The evidence spans of the chosen example turns: only the signals each verdict rests on.
-- Parameters: $pairs, a list of {turn_id, signal} structs.
WITH wanted AS (
    SELECT DISTINCT p.turn_id, p.signal FROM (SELECT unnest($pairs, recursive := true)) AS p
)
SELECT e.turn_id, e.signal, e.source, e.start, e."end", e.text
FROM evidence e
JOIN wanted w ON w.turn_id = e.turn_id AND w.signal = e.signal
WHERE e.start IS NOT NULL AND e."end" IS NOT NULL
ORDER BY e.turn_id, e.source, e.start, e."end", e.signal
