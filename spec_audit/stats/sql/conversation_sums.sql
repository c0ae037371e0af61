-- Per clause × model × day over [$from, $to] for one spec version, from findings: conversations
-- with an applicable turn, applicable turns and violations, and the sums over those conversations
-- of n², k² and k·n (n applicable turns, k violations of one conversation), from which
-- spec_audit.stats.clustering estimates design effects. Parameters: $spec_id, $spec_version, $from, $to.
WITH per_conversation AS (
    SELECT
        clause_id,
        model,
        day,
        count(*) FILTER (WHERE verdict <> 'unscored') AS n,
        count(*) FILTER (WHERE verdict = 'violation') AS k
    FROM findings
    WHERE spec_id = $spec_id AND spec_version = $spec_version AND day BETWEEN $from AND $to
    GROUP BY clause_id, model, day, conversation_id
)
SELECT
    clause_id,
    model,
    day,
    count(*) AS conversations,
    sum(n) AS applicable,
    sum(k) AS violations,
    sum(n * n) AS s_nn,
    sum(k * k) AS s_kk,
    sum(k * n) AS s_kn
FROM per_conversation
WHERE n > 0
GROUP BY clause_id, model, day
ORDER BY clause_id, model, day
