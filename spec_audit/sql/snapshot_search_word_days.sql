-- How many conversations hold each word of the text-search index, per day (from the filled
-- snapshot_search_words): a text search sums it over the filtered days to pick the query's rarest
-- word without counting the index's rows. Parameters: $days.
INSERT INTO snapshot_search_word_days
SELECT word, day, count(*)::BIGINT AS conversations
FROM snapshot_search_words
WHERE day IN (SELECT unnest($days::DATE[]))
GROUP BY word, day
ORDER BY word, day;
