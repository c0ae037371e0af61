-- The audit database: every table spec-audit writes. Created idempotently on every connect.
-- Days are UTC calendar days of a conversation's started_at; each daily table is replaced per day.

CREATE TABLE IF NOT EXISTS ingest_manifest (
    source_sha256   VARCHAR PRIMARY KEY,   -- content hash: the same bytes are never ingested twice
    source_file     VARCHAR NOT NULL,
    format          VARCHAR NOT NULL,      -- jsonl, jsonl.gz, parquet, csv
    adapter         VARCHAR NOT NULL,      -- canonical, openai_chat, flat
    rows_read       BIGINT NOT NULL,
    rows_accepted   BIGINT NOT NULL,
    rows_rejected   BIGINT NOT NULL,
    ingested_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS rejected_records (
    source_sha256   VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    line            BIGINT NOT NULL,       -- 1-based line (JSONL, CSV data row) or row number (Parquet)
    reason          VARCHAR NOT NULL,
    raw_text        VARCHAR
);

CREATE TABLE IF NOT EXISTS conversations (
    conversation_id   VARCHAR PRIMARY KEY,
    model             VARCHAR NOT NULL,
    surface           VARCHAR,
    started_at        TIMESTAMPTZ NOT NULL,
    day               DATE NOT NULL,
    n_messages        INTEGER NOT NULL,
    n_turns           INTEGER NOT NULL,
    context_documents VARCHAR[],
    metadata          JSON,
    source_sha256     VARCHAR NOT NULL,
    source_line       BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS turns (
    turn_id           VARCHAR PRIMARY KEY, -- conversation_id || ':' || turn_index
    conversation_id   VARCHAR NOT NULL,
    turn_index        INTEGER NOT NULL,    -- 0-based position of the user message among user messages
    day               DATE NOT NULL,
    model             VARCHAR NOT NULL,
    surface           VARCHAR,
    started_at        TIMESTAMPTZ NOT NULL,
    system_text       VARCHAR,             -- system and developer instructions in force, joined
    user_text         VARCHAR NOT NULL,
    reply_text        VARCHAR,             -- null when the user message got no assistant reply
    context_text      VARCHAR,             -- earlier turns, as "role: content" lines
    context_documents VARCHAR[]
);

CREATE TABLE IF NOT EXISTS evidence (
    turn_id   VARCHAR NOT NULL,
    day       DATE NOT NULL,
    signal    VARCHAR NOT NULL,
    source    VARCHAR NOT NULL,            -- user, reply, system or context
    start     INTEGER,                     -- UTF-8 byte offsets of the span in that text
    "end"     INTEGER,
    text      VARCHAR
);

CREATE TABLE IF NOT EXISTS findings (
    turn_id         VARCHAR NOT NULL,
    conversation_id VARCHAR NOT NULL,
    day             DATE NOT NULL,
    model           VARCHAR NOT NULL,
    surface         VARCHAR,
    spec_id         VARCHAR NOT NULL,
    spec_version    VARCHAR NOT NULL,
    clause_id       VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    verdict         VARCHAR NOT NULL,      -- compliant, violation, unscored
    evidence        VARCHAR[]              -- signals the verdict rests on; join evidence on (turn_id, signal)
);

CREATE TABLE IF NOT EXISTS clause_metrics (
    day           DATE NOT NULL,
    model         VARCHAR NOT NULL,
    surface       VARCHAR,
    spec_id       VARCHAR NOT NULL,
    spec_version  VARCHAR NOT NULL,
    clause_id     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    applicable    BIGINT NOT NULL,         -- scored turns the clause applied to
    violations    BIGINT NOT NULL,
    unscored      BIGINT NOT NULL,
    rate          DOUBLE,                  -- violations / applicable, null when applicable = 0
    ci_low        DOUBLE,                  -- 95% Wilson interval
    ci_high       DOUBLE
);
