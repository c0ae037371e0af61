-- The words of a text for full-text search, defined once for the index the snapshot builds and for
-- the queries that look words up in it: every run of letters and digits (any script), lower-cased,
-- in order and repeated as in the text. Created as a temporary macro per connection.
CREATE OR REPLACE TEMP MACRO search_words(text) AS
    regexp_extract_all(lower(text), '[\p{L}\p{N}]+');
