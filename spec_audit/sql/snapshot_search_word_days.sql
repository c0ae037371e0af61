-- How many conversations hold each word of the text-search index, per day (built from the filled
-- snapshot_search_words): a text search sums it over the filtered days to pick the query's rarest
-- word without counting the index's rows.
CREATE OR REPLACE TABLE snapshot_search_word_days AS
SELECT word, day, count(*)::BIGINT AS conversations
FROM snapshot_search_words
GROUP BY word, day
ORDER BY word, day;
