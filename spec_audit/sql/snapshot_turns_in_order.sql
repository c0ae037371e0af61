-- The snapshot's turns rewritten in day, conversation and turn order (the table, renamed
-- turns_unordered, is first re-created empty from its own definition, keeping its primary key).
-- An audit appends turns as files arrive, so one day's turns are spread over every row group;
-- in order, the turns of a few conversations of a day (the conversation page, the text search's
-- phrase check) are read from that day's row group or two (zone maps on day).
INSERT INTO turns
SELECT * FROM turns_unordered ORDER BY day, conversation_id, turn_index;
DROP TABLE turns_unordered;
