-- The text-search index of a published snapshot: one row per word × conversation (the words of
-- every user message and reply, by the search_words macro), filled one day at a time (memory holds
-- one day's words), each day sorted by word so a lookup reads about one row group of the day per
-- word (zone maps). Built on the snapshot copy, never the audit DB. Parameters: $day.
INSERT INTO snapshot_search_words
SELECT DISTINCT word, day, conversation_id
FROM (
    SELECT day, conversation_id,
           unnest(search_words(coalesce(user_text, '') || ' ' || coalesce(reply_text, ''))) AS word
    FROM turns
    WHERE day = $day
)
ORDER BY word, conversation_id;
