-- Conversation explorer: conversations with a finding matching every filter, newest first, and
-- their matching findings counted. A text search takes the newest $batch conversations holding
-- the query's rarest word from the snapshot's index (snapshot_search_words), keeps those holding
-- every other word too, and, unless the query is one bare word, those whose user or reply text
-- contains the whole query (ILIKE on those few conversations' turns only).
-- Only the newest days that can hold the conversations shown are read (no sort or grouping of
-- every finding), and only the conversations shown are then counted. The CTEs are not
-- materialised unless marked: each use is planned with its own filters, so no copy of the
-- findings is made; only the (small) sets of candidate and matching conversations are.
-- Parameters: $spec_id, $spec_version, $start, $end, $models, $surfaces, $clause_id, $verdict,
-- $kind (null = any), $search (false = no text search), $words (search_words of the query),
-- $rare (its rarest word), $batch (conversations checked, null = all), $verify (check the whole
-- query too), $pattern ('%query%' with \ escaping % and _), $limit.
WITH f AS NOT MATERIALIZED (
    SELECT conversation_id, turn_id, day, model, surface, clause_id, verdict FROM findings
    WHERE spec_id = $spec_id AND spec_version = $spec_version
      AND day BETWEEN $start AND $end
      AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
      AND (len($surfaces::VARCHAR[]) = 0
           OR list_contains($surfaces::VARCHAR[], coalesce(surface, '(none)')))
      AND ($clause_id IS NULL OR clause_id = $clause_id)
      AND ($verdict IS NULL OR verdict = $verdict)
      AND ($kind IS NULL OR kind = $kind)
), rare AS MATERIALIZED (
    -- The newest $batch conversations holding the rarest word, in the page's order.
    SELECT conversation_id, day FROM snapshot_search_words
    WHERE $search AND word = $rare AND day BETWEEN $start AND $end
    ORDER BY day DESC, conversation_id
    LIMIT $batch
), candidates AS MATERIALIZED (
    -- Each candidate carries the query's pattern for the check below (see hits).
    SELECT conversation_id, day, $pattern AS pattern FROM rare WHERE len($words::VARCHAR[]) = 1
    UNION ALL
    SELECT conversation_id, day, $pattern AS pattern FROM snapshot_search_words
    WHERE $search AND len($words::VARCHAR[]) > 1
      AND day BETWEEN (SELECT min(day) FROM rare) AND (SELECT max(day) FROM rare)
      AND word IN (SELECT unnest($words::VARCHAR[]))
      AND conversation_id IN (SELECT conversation_id FROM rare)
    GROUP BY conversation_id, day
    HAVING count(*) = len($words::VARCHAR[])  -- every word (each is listed once per conversation)
), hits AS MATERIALIZED (
    SELECT conversation_id FROM candidates WHERE NOT $verify
    UNION ALL
    -- Matching the candidate's pattern, not the parameter, keeps the (costly) ILIKE after the
    -- join: it runs on the candidates' turns only, not on every turn of their days.
    SELECT DISTINCT t.conversation_id FROM turns AS t JOIN candidates AS c USING (conversation_id)
    WHERE $verify
      AND t.day BETWEEN (SELECT min(day) FROM candidates) AND (SELECT max(day) FROM candidates)
      AND (t.user_text ILIKE c.pattern ESCAPE '\' OR t.reply_text ILIKE c.pattern ESCAPE '\')
), found AS MATERIALIZED (
    -- A search's matching findings, read once: only the candidates' days, only the hits.
    SELECT conversation_id, day, model, surface, clause_id, verdict FROM f
    WHERE $search
      AND day BETWEEN (SELECT min(day) FROM candidates) AND (SELECT max(day) FROM candidates)
      AND conversation_id IN (SELECT conversation_id FROM hits)
), matching AS NOT MATERIALIZED (
    SELECT conversation_id, day, model, surface, clause_id, verdict FROM f WHERE NOT $search
    UNION ALL
    SELECT * FROM found
), cutoff AS (
    -- The day of the (60 × limit)th newest matching finding: a top-N on day alone, which lets
    -- the scan skip older row groups; a conversation has at most a few dozen findings.
    SELECT day FROM matching ORDER BY day DESC LIMIT 1 OFFSET 60 * $limit - 1
), shown AS (
    SELECT DISTINCT conversation_id, day FROM matching
    WHERE day >= coalesce((SELECT day FROM cutoff), $start)
    ORDER BY day DESC, conversation_id
    LIMIT $limit
)
SELECT f.conversation_id, any_value(f.day) AS day, any_value(f.model) AS model,
       any_value(f.surface) AS surface, count(*)::BIGINT AS findings,
       count(*) FILTER (WHERE f.verdict = 'violation')::BIGINT AS violations,
       list(DISTINCT f.clause_id ORDER BY f.clause_id) FILTER (WHERE f.verdict = 'violation')
           AS violated_clauses
FROM matching AS f JOIN shown USING (conversation_id, day)
-- Explicit bounds let the scan skip every other day's row groups (zone maps on day).
WHERE f.day BETWEEN (SELECT min(day) FROM shown) AND (SELECT max(day) FROM shown)
GROUP BY f.conversation_id
ORDER BY day DESC, f.conversation_id
