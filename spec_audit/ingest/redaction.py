"""PII redaction inside ingest: the staged records and the rejected ones, before anything is stored.

Redaction is on unless ``SPEC_AUDIT_REDACT=0`` (or ``redact=False``); raw text is kept, in the
separate ``raw_messages`` table, only with ``SPEC_AUDIT_KEEP_RAW=1`` (or ``keep_raw=True``); both
settings are read in ``spec_audit.config``.
Each step reads one temporary table's texts into Polars, finds the PII in all of them with one
candidate pass (``spec_audit.pii``), replaces it in every text column and writes the changed
records back.
"""

from __future__ import annotations

import json
import re

import duckdb
import polars as pl

from spec_audit.pii import KINDS, Redaction, placeholder

_JSON_STRING = re.compile(r'("(?:[^"\\]|\\.)*")')
_PLACEHOLDER = "|".join(re.escape(placeholder(k)) for k in KINDS)
#: A JSON number with placeholders in it, outside any string: it becomes a JSON string.
_PLACED_NUMBER = re.compile(
    rf"(?:[-+.0-9eE]|{_PLACEHOLDER})*(?:{_PLACEHOLDER})(?:[-+.0-9eE]|{_PLACEHOLDER})*"
)


def redact_staged(con: duckdb.DuckDBPyConnection) -> Redaction:
    """Return the redaction applied after replacing the PII in every text of ``_ingest_staged``.

    Ids get placeholders carrying a short hash (``[EMAIL:3f9a1c0b2d]``), so ids that differ
    only in their PII stay different; every other text gets the plain placeholder, and
    metadata stays JSON (see ``_json_safe``). Only the text columns are read, and only the
    records holding a found text are replaced and updated: in logs most records hold no PII.
    """
    staged = con.sql(
        "SELECT line, conversation_id, model, surface, messages, context_documents, "
        "metadata::VARCHAR AS metadata FROM _ingest_staged"
    ).pl()
    texts = _texts_by_line(staged)
    redaction = Redaction.of(texts["text"])
    if not redaction.found:
        return redaction
    holding = texts.filter(pl.col("text").str.contains_any(list(redaction.found)))["line"]
    records = staged.filter(pl.col("line").is_in(holding.unique()))
    redacted = records.select(
        "line",
        redaction.id_expr(pl.col("conversation_id")),
        # started_at_text is only ever stored inside a reason, which is redacted with it.
        *(redaction.expr(pl.col(c)) for c in ("model", "surface")),
        redaction.messages_expr(pl.col("messages")),
        redaction.list_expr(pl.col("context_documents")),
        metadata=_json_safe(redaction, records["metadata"]),
    )
    con.register("_ingest_redacted_frame", redacted)
    try:
        con.execute(
            "UPDATE _ingest_staged s SET conversation_id = r.conversation_id, model = r.model, "
            "surface = r.surface, messages = r.messages, "
            "context_documents = r.context_documents, metadata = r.metadata "
            "FROM _ingest_redacted_frame r WHERE r.line = s.line"
        )
    finally:
        con.unregister("_ingest_redacted_frame")
    return redaction


def _texts_by_line(staged: pl.DataFrame) -> pl.DataFrame:
    """Return ``line, text``: every text of the staged records, one row per text."""
    messages = staged.select("line", "messages").explode("messages")
    documents = staged.select("line", "context_documents").explode("context_documents")
    return pl.concat(
        [
            *(
                staged.select("line", text=pl.col(c))
                for c in ("conversation_id", "model", "surface")
            ),
            messages.select("line", text=pl.col("messages").struct.field("role")),
            messages.select("line", text=pl.col("messages").struct.field("content")),
            documents.select("line", text=pl.col("context_documents")),
            staged.select("line", text=pl.col("metadata")),
        ]
    )


def _json_safe(redaction: Redaction, metadata: pl.Series) -> pl.Series:
    """Return the metadata JSON texts with their PII replaced, each still valid JSON.

    Placeholders replace PII inside JSON strings as in any text. PII written as a bare JSON
    number (``{"phone": 4155550123}``) would leave ``[PHONE]`` outside a string, which is not
    JSON: in those few records the number, placeholders and all, becomes a JSON string.
    """
    plain = metadata.to_frame().select(redaction.expr(pl.col(metadata.name))).to_series()
    broken = [
        i
        for i, (before, after) in enumerate(zip(metadata, plain, strict=True))
        if after is not None and after != before and not _is_json(after)
    ]
    if not broken:
        return plain
    fixed = plain.to_list()
    for i in broken:
        fixed[i] = _redact_json(redaction, metadata[i])
    return pl.Series(metadata.name, fixed, dtype=pl.String)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _redact_json(redaction: Redaction, text: str) -> str:
    """Return JSON ``text`` with PII in its strings replaced and PII numbers made strings."""
    parts = _JSON_STRING.split(text)  # odd positions: the strings, quotes included
    redacted = (
        pl.Series(parts, dtype=pl.String)
        .to_frame("part")
        .select(redaction.expr(pl.col("part")))["part"]
    )
    return "".join(
        part if i % 2 else _PLACED_NUMBER.sub(r'"\g<0>"', part) for i, part in enumerate(redacted)
    )


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
