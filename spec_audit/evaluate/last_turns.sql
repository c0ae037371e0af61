-- The signals of each conversation's last turn (highest turn_index): the turn a labelled record's
-- gold describes (the last user request and the reply to it).
SELECT s.*, t.turn_index
FROM signals s
JOIN turns t USING (turn_id)
QUALIFY row_number() OVER (PARTITION BY s.conversation_id ORDER BY t.turn_index DESC) = 1
