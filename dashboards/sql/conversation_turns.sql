-- The turns of one conversation with their signals (turn ids are conversation_id:turn_index, so
-- the primary-key index finds them; signals are read only from the conversation's day).
-- Parameters: $turn_ids, $day.
SELECT t.turn_index, t.turn_id, t.system_text, t.user_text, t.reply_text, s.* EXCLUDE (turn_id, conversation_id, day, model, surface)
FROM turns t
LEFT JOIN (SELECT * FROM signals WHERE day = $day AND list_contains($turn_ids::VARCHAR[], turn_id)) s
    USING (turn_id)
WHERE t.turn_id IN (SELECT unnest($turn_ids::VARCHAR[]))
ORDER BY t.turn_index
