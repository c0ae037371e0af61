-- The auditor reviews file (<audit db stem>.reviews.duckdb beside the audit database): one row per
-- review of one finding. Kept out of the audit database so recording a review never waits for a
-- running audit, and an audit never waits for a reviewer.
CREATE TABLE IF NOT EXISTS reviews (
    reviewed_at       TIMESTAMPTZ NOT NULL,
    reviewer          VARCHAR NOT NULL,
    turn_id           VARCHAR NOT NULL,
    conversation_id   VARCHAR NOT NULL,
    day               DATE NOT NULL,
    model             VARCHAR NOT NULL,
    surface           VARCHAR,
    spec_id           VARCHAR NOT NULL,
    spec_version      VARCHAR NOT NULL,
    clause_id         VARCHAR NOT NULL,
    labeller_verdict  VARCHAR NOT NULL,   -- the finding's verdict: violation or compliant
    auditor_verdict   VARCHAR NOT NULL,   -- the reviewer's: violation or compliant
    stratum_size      BIGINT NOT NULL,    -- findings of this clause × labeller verdict when sampled
    note              VARCHAR
);
