-- Evidence examples: up to $n violation findings per clause in $clauses, chosen by the MD5 of the
-- turn id (deterministic, spread over the period, not the first or the worst), with the stored
-- (redacted) texts. Parameters: $spec_id, $spec_version, $from, $to, $models, $clauses, $n.
WITH chosen AS (
    SELECT
        clause_id, turn_id, conversation_id, day, model, surface, overlay_id, evidence,
        row_number() OVER (PARTITION BY clause_id ORDER BY md5(turn_id), turn_id) AS rank
    FROM findings
    WHERE verdict = 'violation' AND spec_id = $spec_id AND spec_version = $spec_version
      AND day BETWEEN $from AND $to
      AND (len($models::VARCHAR[]) = 0 OR list_contains($models::VARCHAR[], model))
      AND list_contains($clauses::VARCHAR[], clause_id)
    QUALIFY rank <= $n
)
SELECT
    c.clause_id, c.rank, c.turn_id, c.conversation_id, c.day, c.model, c.surface, c.overlay_id,
    c.evidence AS signals, t.user_text, t.reply_text
FROM chosen c
JOIN turns t ON t.turn_id = c.turn_id
ORDER BY c.clause_id, c.rank
