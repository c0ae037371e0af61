"""PII redaction inside ingest: the staged records and the rejected ones, before anything is stored.

Redaction is on unless ``SPEC_AUDIT_REDACT=0`` (or ``redact=False``); raw text is kept, in the
separate ``raw_messages`` table, only with ``SPEC_AUDIT_KEEP_RAW=1`` (or ``keep_raw=True``); both
settings are read in ``spec_audit.config``.
Each step reads one temporary table into Polars, finds the PII in all its texts with one
candidate pass (``spec_audit.pii``), replaces it in every text column and writes the table back.
"""

from __future__ import annotations

import duckdb
import polars as pl

from spec_audit.pii import Redaction


def redact_staged(con: duckdb.DuckDBPyConnection) -> Redaction:
    """Return the redaction applied after replacing the PII in every text of ``_ingest_staged``.

    Ids get placeholders carrying a short hash (``[EMAIL:3f9a1c0b2d]``), so ids that differ
    only in their PII stay different; every other text gets the plain placeholder.
    """
    staged = con.sql("SELECT * FROM _ingest_staged").pl()
    texts = pl.concat(
        [
            staged["conversation_id"],
            staged["model"],
            staged["surface"],
            staged["messages"].explode().struct.field("role"),
            staged["messages"].explode().struct.field("content"),
            staged["context_documents"].explode(),
            staged["metadata"].cast(pl.String),
        ]
    )
    redaction = Redaction.of(texts)
    if redaction.found:
        staged = staged.with_columns(
            redaction.id_expr(pl.col("conversation_id")),
            # started_at_text is only ever stored inside a reason, which is redacted with it.
            *(redaction.expr(pl.col(c)) for c in ("model", "surface")),
            redaction.messages_expr(pl.col("messages")),
            redaction.list_expr(pl.col("context_documents")),
            redaction.expr(pl.col("metadata").cast(pl.String)),
        )
        _replace(con, "_ingest_staged", staged)
    return redaction


def rejected(con: duckdb.DuckDBPyConnection, *, redact: bool) -> None:
    """Write ``_ingest_rejected(line, reason, raw_text, duplicate)``: the rejected records, redacted.

    ``rejected.sql`` cuts long raw texts only after this, so no PII is cut in half and left
    partly readable.
    """
    frame = con.sql(
        "SELECT c.line, c.reason, r.raw AS raw_text, c.duplicate FROM _ingest_checked c "
        "JOIN _ingest_records r ON r.line = c.line WHERE c.reason IS NOT NULL ORDER BY c.line"
    ).pl()
    if redact and frame.height:
        redaction = Redaction.of(pl.concat([frame["reason"], frame["raw_text"]]))
        frame = frame.with_columns(
            redaction.expr(pl.col("reason")), redaction.expr(pl.col("raw_text"))
        )
    _replace(con, "_ingest_rejected", frame)


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace the temporary ``table`` with ``frame``."""
    con.register("_ingest_redacted_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _ingest_redacted_frame")
    finally:
        con.unregister("_ingest_redacted_frame")
