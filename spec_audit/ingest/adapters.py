"""Adapters: the record shapes spec-audit reads, each mapped onto the canonical conversation.

An adapter is one SQL file (``adapter_<name>.sql``): a query over ``_ingest_records`` giving
one row per record that parses as a JSON object, with the canonical columns
(conversation_id, model, surface, started_at and its text, messages, context_documents, metadata),
the JSON type of each nested field as found, and ``adapter_reason`` for problems only that shape
can have; ``stage`` writes its rows to ``_ingest_staged`` with their content fingerprint
(``content.sql``). ``FIELDS`` names, per adapter, the source field behind each required
canonical field, so a rejected record's reason points at the field in the user's own file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from spec_audit.errors import UserError

SQL_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Fields:
    """The source field each required canonical field comes from, as named in reject reasons."""

    id_field: str
    model_field: str
    time_field: str
    messages_field: str


FIELDS: dict[str, Fields] = {
    "canonical": Fields("conversation_id", "model", "started_at", "messages"),
    "openai_chat": Fields("response.id", "response.model", "response.created", "request.messages"),
    "flat": Fields("id", "model", "timestamp", "prompt"),
}

ADAPTERS: tuple[str, ...] = tuple(FIELDS)


def sql(name: str) -> str:
    """Return the text of ``<name>.sql`` beside this module."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def check_name(adapter: str | None) -> None:
    """Raise ``UserError`` unless ``adapter`` is None or a known adapter name."""
    if adapter is not None and adapter not in FIELDS:
        raise UserError(f"unknown adapter {adapter!r} (expected one of {', '.join(ADAPTERS)})")


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Create the connection's temporary SQL macros the adapters use."""
    con.execute(sql("macros"))


def detect(con: duckdb.DuckDBPyConnection) -> str:
    """Return the adapter fitting most of the first parseable records in ``_ingest_records``.

    A file with no recognisable record (empty, or nothing but malformed lines) is canonical.
    """
    return con.execute(sql("detect")).fetchall()[0][0]


def stage(con: duckdb.DuckDBPyConnection, adapter: str, *, sha256: str) -> Fields:
    """Return the adapter's field names after writing ``_ingest_staged`` from ``_ingest_records``.

    The staged records carry the adapter's columns and those of ``content.sql`` (the content
    fingerprint, before redaction). ``sha256`` is the file's hash, from which the flat adapter
    derives ids for rows without one.
    """
    check_name(adapter)
    params = {"sha256": sha256} if adapter == "flat" else {}
    # The adapter's query is put inside content.sql's, so the records are written once; both
    # texts are this package's files, never input.
    con.execute(sql("content").replace("{adapter}", sql(f"adapter_{adapter}")), params)
    return FIELDS[adapter]
