-- SQL check: on every audited day (a day with signals rows) signals has exactly one row per turn:
-- the turn_ids of turns and of signals are the same set. Parameter $days: DATE[] or NULL.
-- One row: turns of the audited days, turn_ids on one side only, a few of them.
WITH audited AS (
    SELECT DISTINCT day FROM signals WHERE $days IS NULL OR list_contains($days::DATE[], day)
),
t AS (SELECT turn_id FROM turns WHERE day IN (SELECT day FROM audited)),
s AS (SELECT turn_id FROM signals WHERE day IN (SELECT day FROM audited)),
joined AS (
    SELECT coalesce(t.turn_id, s.turn_id) AS turn_id, t.turn_id IS NOT NULL AS in_turns,
           s.turn_id IS NOT NULL AS in_signals
    FROM t FULL OUTER JOIN s ON t.turn_id = s.turn_id
)
SELECT
    count(*) FILTER (WHERE in_turns) AS element_count,
    count(*) FILTER (WHERE NOT (in_turns AND in_signals)) AS unexpected_count,
    list(turn_id || CASE WHEN in_turns THEN ': no signals row' ELSE ': not a stored turn' END ORDER BY turn_id)
        FILTER (WHERE NOT (in_turns AND in_signals))[1:5] AS examples
FROM joined
