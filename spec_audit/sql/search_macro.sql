-- The words of a text for full-text search, defined once for the index the snapshot builds and for
-- the queries that look words up in it: the text lower-cased and split at every character that is
-- not a letter or a digit (any script), each word once. Created as a temporary macro per connection.
CREATE OR REPLACE TEMP MACRO search_words(text) AS
    list_distinct(list_filter(regexp_split_to_array(lower(text), '[^\p{L}\p{N}]+'), lambda w: w <> ''));
