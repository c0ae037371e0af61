-- The read models of a published snapshot, created empty (a whole publish) before they are filled
-- a few days at a time by snapshot_<table>.sql: the same statements fill every day of a new
-- snapshot and refresh the days an audit rewrote since the last publish.
CREATE OR REPLACE TABLE snapshot_search_words (
    word VARCHAR NOT NULL,
    day DATE NOT NULL,
    conversation_id VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE snapshot_search_word_days (
    word VARCHAR NOT NULL,
    day DATE NOT NULL,
    conversations BIGINT NOT NULL
);
CREATE OR REPLACE TABLE snapshot_refusal_quadrant (
    spec_id VARCHAR,
    spec_version VARCHAR,
    day DATE,
    model VARCHAR,
    surface VARCHAR,
    clause_id VARCHAR,
    kind VARCHAR,
    benign_complied BIGINT,
    benign_refused BIGINT,
    harmful_complied BIGINT,
    harmful_refused BIGINT,
    ambiguous BIGINT
);
CREATE OR REPLACE TABLE snapshot_refusal_harm (
    day DATE,
    model VARCHAR,
    surface VARCHAR,
    harm_category VARCHAR,
    prompt_intent VARCHAR,
    complied BIGINT,
    refused BIGINT,
    no_reply BIGINT
);
CREATE OR REPLACE TABLE snapshot_conversation_counts (
    day DATE,
    model VARCHAR,
    surface VARCHAR,
    conversations BIGINT,
    turns BIGINT
);
