-- Findings as interchange records (schemas/findings.schema.json): one spec version over a window,
-- each with the evidence spans its verdict rests on. Parameters: $spec_id, $spec_version,
-- $start, $end (null = unbounded).
WITH chosen AS (
    SELECT *
    FROM findings f
    WHERE f.spec_id = $spec_id AND f.spec_version = $spec_version
      AND ($start IS NULL OR f.day >= $start) AND ($end IS NULL OR f.day <= $end)
),
spans AS (
    SELECT
        c.turn_id,
        c.clause_id,
        list(
            struct_pack(signal := e.signal, source := e.source, start := e.start,
                        "end" := e."end", text := e.text)
            ORDER BY e.signal, e.start
        ) AS evidence
    FROM chosen c
    JOIN evidence e ON e.turn_id = c.turn_id AND e.day = c.day AND list_contains(c.evidence, e.signal)
    GROUP BY c.turn_id, c.clause_id
)
SELECT
    f.turn_id,
    f.conversation_id,
    strftime(f.day, '%Y-%m-%d') AS day,
    f.model,
    f.surface,
    f.spec_id,
    f.spec_version,
    f.overlay_id,
    f.clause_id,
    f.kind,
    f.verdict,
    coalesce(f.evidence, []::VARCHAR[]) AS signals,
    coalesce(
        s.evidence,
        []::STRUCT(signal VARCHAR, source VARCHAR, start INTEGER, "end" INTEGER, text VARCHAR)[]
    ) AS evidence
FROM chosen f
LEFT JOIN spans s USING (turn_id, clause_id)
ORDER BY f.day, f.turn_id, f.clause_id
