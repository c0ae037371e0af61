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
    evidence        VARCHAR[],             -- signals the verdict rests on; join evidence on (turn_id, signal)
    overlay_id      VARCHAR                -- overlay whose adjusted clause decided it; null = base catalog
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

-- The newest write of each day of each daily table (spec_audit.partition.replace_days records it in
-- the same transaction as the rows; scope is what narrowed the rows replaced, such as a spec
-- version). A publish compares it with the snapshot's copy, to refresh only the days written since.
CREATE TABLE IF NOT EXISTS day_writes (
    table_name  VARCHAR NOT NULL,
    day         DATE NOT NULL,
    scope       VARCHAR NOT NULL,          -- '' when every row of the day was replaced
    write_id    UUID NOT NULL,             -- new at every write
    written_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (table_name, day, scope)
);

-- Statistics over an audit window (spec_audit/stats, issue #4). Each table is replaced per window
-- (window_start, window_end) and, where it has one, per spec version, in one transaction.

-- Labeller accuracy measured on labelled data (filled by `evaluate`, later by auditor reviews): the
-- sensitivity and specificity of a clause's violation verdict (or of one signal), with the numbers
-- of labelled violations (n_pos) and compliant turns (n_neg) they were measured on. The statistics
-- correct a clause's rate with its newest row (Rogan–Gladen); without a row the rate is uncorrected.
CREATE TABLE IF NOT EXISTS labeller_accuracy (
    clause_id         VARCHAR,             -- the clause whose verdict was checked (null: per signal)
    signal            VARCHAR,             -- the signal that was checked (null: per clause)
    labeller_version  VARCHAR,
    spec_version      VARCHAR,             -- null: valid for every spec version
    sensitivity       DOUBLE NOT NULL,     -- share of true violations flagged
    specificity       DOUBLE NOT NULL,     -- share of compliant turns not flagged
    n_pos             BIGINT NOT NULL,
    n_neg             BIGINT NOT NULL,
    source            VARCHAR,             -- evaluation set or 'auditor reviews'
    measured_at       TIMESTAMPTZ
);

-- One row per comparison of a clause's violation rate between two groups of turns: baseline days vs
-- current days for one model (comparison 'window'), or two models over the current days ('model',
-- model_a before model_b in name order). Effect = rate_b − rate_a; verdicts use q_value.
CREATE TABLE IF NOT EXISTS drift_tests (
    spec_id           VARCHAR NOT NULL,
    spec_version      VARCHAR NOT NULL,
    window_start      DATE NOT NULL,
    window_end        DATE NOT NULL,
    comparison        VARCHAR NOT NULL,    -- window, model
    clause_id         VARCHAR NOT NULL,
    layer             VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,
    model_a           VARCHAR NOT NULL,
    model_b           VARCHAR NOT NULL,
    a_start           DATE NOT NULL,
    a_end             DATE NOT NULL,
    b_start           DATE NOT NULL,
    b_end             DATE NOT NULL,
    a_applicable      BIGINT NOT NULL,
    a_violations      BIGINT NOT NULL,
    a_rate            DOUBLE,
    a_ci_low          DOUBLE,              -- 95% Wilson interval
    a_ci_high         DOUBLE,
    b_applicable      BIGINT NOT NULL,
    b_violations      BIGINT NOT NULL,
    b_rate            DOUBLE,
    b_ci_low          DOUBLE,
    b_ci_high         DOUBLE,
    a_corrected       DOUBLE,              -- Rogan–Gladen corrected rate and 95% bootstrap interval
    a_corrected_low   DOUBLE,
    a_corrected_high  DOUBLE,
    b_corrected       DOUBLE,
    b_corrected_low   DOUBLE,
    b_corrected_high  DOUBLE,
    correction        VARCHAR NOT NULL,    -- how (or why not) the rates were corrected
    test              VARCHAR NOT NULL,    -- z, fisher, none
    test_reason       VARCHAR NOT NULL,
    statistic         DOUBLE,              -- z for the z-test, sample odds ratio for Fisher
    p_value           DOUBLE,
    q_value           DOUBLE,              -- adjusted over the family (spec version × window × comparison)
    adjustment        VARCHAR NOT NULL,    -- bh, holm
    effect            DOUBLE,              -- b_rate − a_rate
    effect_low        DOUBLE,              -- 95% Newcombe interval
    effect_high       DOUBLE,
    mde               DOUBLE,              -- minimum detectable increase at these sizes (power 0.8)
    a_design_effect   DOUBLE,              -- A and B counts divided by these before testing (Rao-Scott; 1 = independent turns)
    b_design_effect   DOUBLE,
    verdict           VARCHAR NOT NULL,    -- regressed, improved, no change, insufficient data
    start_day         DATE,                -- window regressions/improvements: since when (first day of the changed rate)
    dated_by          VARCHAR              -- change point (the CUSUM's, same direction), likeliest day (maximum likelihood)
);

-- Disparity of reply behaviour across the demographic group a prompt mentions (signal
-- group_mentioned; 'none' is the reference group): one 'omnibus' chi-square row per model ('*' =
-- all models) × outcome, and one 'pairwise' row per pair of its groups (Holm-adjusted within it).
CREATE TABLE IF NOT EXISTS disparity_tests (
    window_start      DATE NOT NULL,
    window_end        DATE NOT NULL,
    model             VARCHAR NOT NULL,
    outcome           VARCHAR NOT NULL,    -- refusal, moralizing, hedging (share of replies)
    scope             VARCHAR NOT NULL,    -- omnibus, pairwise
    groups            VARCHAR[] NOT NULL,  -- groups tested (omnibus) or the pair (pairwise)
    group_a           VARCHAR,
    group_b           VARCHAR,
    n_a               BIGINT,
    rate_a            DOUBLE,
    n_b               BIGINT,
    rate_b            DOUBLE,
    test              VARCHAR NOT NULL,    -- chi_square, chi_square_permutation, z, fisher, none
    test_reason       VARCHAR NOT NULL,
    statistic         DOUBLE,
    p_value           DOUBLE,
    adjusted_p        DOUBLE,              -- omnibus: BH q over all omnibus rows; pairwise: Holm
    effect_name       VARCHAR NOT NULL,    -- cramers_v (omnibus), rate_difference (rate_b − rate_a)
    effect            DOUBLE,
    effect_low        DOUBLE,
    effect_high       DOUBLE,
    verdict           VARCHAR NOT NULL     -- disparity, no disparity, insufficient data
);

-- Change points of each clause × model daily violation rate over the window (binomial CUSUM with
-- simulated thresholds): the first day of a sustained shift and the rates before and after it.
CREATE TABLE IF NOT EXISTS change_points (
    spec_id           VARCHAR NOT NULL,
    spec_version      VARCHAR NOT NULL,
    window_start      DATE NOT NULL,
    window_end        DATE NOT NULL,
    clause_id         VARCHAR NOT NULL,
    layer             VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,
    reference_start   DATE NOT NULL,       -- days the in-control rate is estimated from (baseline)
    reference_end     DATE NOT NULL,
    reference_rate    DOUBLE,
    design_effect     DOUBLE,              -- counts divided by it before the CUSUMs (turns clumped in conversations; 1 = independent)
    shift             DOUBLE NOT NULL,     -- rate change each CUSUM is designed for
    false_alarm       DOUBLE NOT NULL,     -- false discovery rate over the window's clause x model series
    threshold_up      DOUBLE,              -- CUSUM values to pass at the family's BH cut-off
    threshold_down    DOUBLE,
    p_value           DOUBLE,              -- simulated p-value of the CUSUM maxima (both directions)
    q_value           DOUBLE,              -- Benjamini-Hochberg over the window's series
    direction         VARCHAR,             -- up, down (null: no change)
    alarm_day         DATE,
    start_day         DATE,
    rate_before       DOUBLE,
    rate_after        DOUBLE,
    verdict           VARCHAR NOT NULL,    -- shift up, shift down, no change, insufficient data
    likeliest_rise_day DATE,               -- maximum-likelihood day of a single rise (fall) over the window,
    likeliest_fall_day DATE                -- tested or not: dates drift regressions the CUSUM did not confirm
);

-- Data-quality results (issue #5): one row per expectation (Great Expectations suites in
-- expectations/) or SQL check (kind 'sql', cross-table identities) per validation run. Appended by
-- `spec-audit validate` and the Dagster asset checks; the dashboard and report read the newest run.
CREATE TABLE IF NOT EXISTS validation_results (
    run_id            VARCHAR NOT NULL,
    run_at            TIMESTAMPTZ NOT NULL,
    table_name        VARCHAR NOT NULL,    -- the table validated
    suite             VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL,    -- expectation (Great Expectations), sql (DuckDB SQL check)
    expectation       VARCHAR NOT NULL,    -- expectation type or SQL check name
    column_name       VARCHAR,             -- column(s) checked, comma-separated; null: whole table
    description       VARCHAR NOT NULL,
    severity          VARCHAR NOT NULL,    -- error (blocks downstream work), warn
    success           BOOLEAN NOT NULL,
    element_count     BIGINT,
    unexpected_count  BIGINT,
    observed_value    VARCHAR,
    first_day         DATE,                -- days validated (null: every row)
    last_day          DATE,
    details           JSON                 -- thresholds, unexpected values, examples, exceptions
);

-- Messages as they were before PII redaction, only when ingest runs with keep-raw on
-- (`spec-audit ingest --keep-raw` or SPEC_AUDIT_KEEP_RAW=1); every other table holds redacted text.
-- One row per message of each accepted conversation.
CREATE TABLE IF NOT EXISTS raw_messages (
    conversation_id   VARCHAR NOT NULL,    -- as stored in conversations (its PII redacted)
    day               DATE NOT NULL,
    message_index     INTEGER NOT NULL,    -- 0-based position in the conversation's messages
    role              VARCHAR,
    content           VARCHAR,
    source_sha256     VARCHAR NOT NULL
);

-- Compliance reports written by the Dagster asset report_runs (issue #7): one row per report folder,
-- weekly and monthly on schedule or on demand. sums_sha256 is the SHA-256 of the folder's SHA256SUMS,
-- so one hash pins every file of the report.
CREATE TABLE IF NOT EXISTS report_runs (
    run_id            VARCHAR NOT NULL,    -- Dagster run id
    kind              VARCHAR NOT NULL,    -- weekly, monthly, manual
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    spec_id           VARCHAR NOT NULL,
    spec_version      VARCHAR NOT NULL,
    models            VARCHAR[] NOT NULL,  -- empty: every model
    formats           VARCHAR[] NOT NULL,
    out_dir           VARCHAR NOT NULL,
    generated_at      TIMESTAMPTZ NOT NULL, -- the report's explicit generation time
    snapshot_sha256   VARCHAR NOT NULL,
    sums_sha256       VARCHAR NOT NULL,
    files             INTEGER NOT NULL,
    clauses_violated  INTEGER NOT NULL,
    clauses_regressed INTEGER NOT NULL
);
