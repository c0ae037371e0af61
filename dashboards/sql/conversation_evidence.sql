-- Evidence spans of one conversation's turns (UTF-8 byte offsets into the user, reply, system or
-- context text). Parameters: $turn_ids, $day.
SELECT turn_id, signal, source, start, "end", text
FROM evidence
WHERE day = $day AND list_contains($turn_ids::VARCHAR[], turn_id)
ORDER BY turn_id, source, start
