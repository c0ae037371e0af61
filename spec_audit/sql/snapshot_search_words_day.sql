-- One day of the text-search index: each word of the day's conversations once per conversation,
-- sorted by word, so a lookup reads about one row group of the day per word (zone maps).
-- Parameters: $day.
INSERT INTO snapshot_search_words
SELECT DISTINCT word, day, conversation_id
FROM (
    SELECT day, conversation_id,
           unnest(search_words(coalesce(user_text, '') || ' ' || coalesce(reply_text, ''))) AS word
    FROM turns
    WHERE day = $day
)
ORDER BY word, conversation_id;
