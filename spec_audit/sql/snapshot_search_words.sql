-- The text-search index of a published snapshot: one row per word × conversation (the words of
-- every user message and reply, by the search_words macro), sorted by word then day so a lookup
-- reads only the row groups of its words (zone maps). Built on the snapshot copy, never the audit DB.
CREATE OR REPLACE TABLE snapshot_search_words AS
SELECT DISTINCT word, day, conversation_id
FROM (
    SELECT day, conversation_id,
           unnest(search_words(coalesce(user_text, '') || ' ' || coalesce(reply_text, ''))) AS word
    FROM turns
)
ORDER BY word, day, conversation_id;
