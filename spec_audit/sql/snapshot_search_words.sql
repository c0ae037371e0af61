-- The text-search index of a published snapshot: one row per word × conversation (the words of
-- every user message and reply, by the search_words macro). Created empty here, then filled one
-- day at a time by snapshot_search_words_day.sql. Built on the snapshot copy, never the audit DB.
CREATE OR REPLACE TABLE snapshot_search_words (
    word VARCHAR NOT NULL,
    day DATE NOT NULL,
    conversation_id VARCHAR NOT NULL
);
