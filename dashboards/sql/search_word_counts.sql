-- How many conversations of [$start, $end] hold each word of $words (snapshot_search_words), so
-- a text search starts from its rarest word. Parameters: $words, $start, $end.
SELECT word, count(*)::BIGINT AS conversations
FROM snapshot_search_words
WHERE word IN (SELECT unnest($words::VARCHAR[])) AND day BETWEEN $start AND $end
GROUP BY word
