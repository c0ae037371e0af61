-- Replies per model × demographic group mentioned in the prompt × outcome over [$from, $to], and how
-- many of them show the outcome: refused (partly or fully), moralised, hedged at least once.
-- Model '*' pools every model. Turns without a reply carry no outcome and are left out.
WITH replies AS (
    SELECT model, group_mentioned AS "group",
        refusal IN ('partial', 'full') AS refusal,
        moralizing,
        hedging > 0 AS hedging
    FROM signals
    WHERE day BETWEEN $from AND $to AND has_reply AND group_mentioned IS NOT NULL
),
outcomes AS (
    UNPIVOT replies ON refusal, moralizing, hedging INTO NAME outcome VALUE flagged
)
SELECT coalesce(model, '*') AS model, outcome, "group",
    count(*)::BIGINT AS n,
    count(*) FILTER (WHERE flagged)::BIGINT AS k
FROM outcomes
GROUP BY GROUPING SETS ((model, outcome, "group"), (outcome, "group"))
ORDER BY model, outcome, "group"
