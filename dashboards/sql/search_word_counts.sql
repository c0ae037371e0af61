-- How many conversations of [$start, $end] hold each word of $words, summed from the snapshot's
-- per-day counts (snapshot_search_word_days), so a text search starts from its rarest word.
-- Parameters: $words, $start, $end.
SELECT word, sum(conversations)::BIGINT AS conversations
FROM snapshot_search_word_days
WHERE word IN (SELECT unnest($words::VARCHAR[])) AND day BETWEEN $start AND $end
GROUP BY word
