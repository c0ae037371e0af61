"""The published snapshot: a read-only copy of the audit database for dashboards and reports.

An audit writes ``audit.duckdb``; readers open ``audit.snapshot.duckdb`` beside it, which is
replaced atomically (copy to a temporary file, then rename) after each audit. A reader that has
the old snapshot open keeps reading it undisturbed, and a running audit never blocks a reader.

Before the rename, the copy's turns are put in day and conversation order
(``sql/snapshot_turns_in_order.sql``) and it gets the read models the dashboards need to answer in well under a
second on millions of conversations (``READ_MODELS``), built in SQL from the copied tables:

- ``snapshot_search_words``: the text-search index, one row per word × conversation. A word is a
  run of letters and digits (any script), lower-cased (macro ``search_words``, shared with the
  queries that look words up). A search matches the conversations holding every word of the query
  whose user or reply text also contains the whole query, case-insensitively. Building it is the
  bulk of publishing: a million conversations took 409 s in all (turns rewritten in order and
  every read model) on a 2-core machine at load average 10.
- ``snapshot_search_word_days``: how many conversations hold each word, per day (picks the rarest
  word of a query).
- ``snapshot_refusal_quadrant``: the refusal quadrant per clause, day, model and surface.
- ``snapshot_refusal_harm``: the refusal quadrant per harm category, day, model and surface.
- ``snapshot_conversation_counts``: conversations and turns per day, model and surface.
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

import duckdb

from spec_audit.errors import UserError
from spec_audit.signals import ensure_signals_table
from spec_audit.store import connect

SQL_DIR = Path(__file__).resolve().parent / "sql"
#: Tables publish adds to the snapshot (and only to it), each created by ``sql/<table>.sql``
#: in this order (the search index is filled a day at a time by ``sql/snapshot_search_words_day.sql``
#: before the tables that follow it are built from it).
READ_MODELS = (
    "snapshot_search_words",
    "snapshot_search_word_days",
    "snapshot_refusal_quadrant",
    "snapshot_refusal_harm",
    "snapshot_conversation_counts",
)


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def snapshot_path(db: Path) -> Path:
    """Return the snapshot file published for the database ``db``."""
    return db.with_name(f"{db.stem}.snapshot{db.suffix or '.duckdb'}")


def with_search_macro(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Return ``con`` after defining the ``search_words(text)`` macro (the index's tokenizer)."""
    con.execute(_sql("search_macro"))
    return con


def build_read_models(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) every table of ``READ_MODELS`` on ``con`` from its audit tables."""
    present = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "signals" not in present:  # nothing labelled yet: the quadrant is simply empty
        ensure_signals_table(con)
    with_search_macro(con)
    order_turns(con)
    for table in READ_MODELS:
        con.execute(_sql(table))
        if table == "snapshot_search_words":
            # Filled a day at a time: memory holds one day's words, not a month's.
            days = con.execute("SELECT DISTINCT day FROM turns ORDER BY day").fetchall()
            for (day,) in days:
                con.execute(_sql("snapshot_search_words_day"), {"day": day})


def order_turns(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the ``turns`` table of ``con`` in day, conversation and turn order."""
    (ddl,) = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE table_name = 'turns' AND schema_name = 'main'"
    ).fetchall()[0]
    con.execute("ALTER TABLE turns RENAME TO turns_unordered")
    con.execute(ddl)  # the table's own definition: same columns, same primary key
    con.execute(_sql("snapshot_turns_in_order"))


def publish(db: Path) -> Path:
    """Return the snapshot path after copying ``db`` over it atomically, with its read models."""
    if not db.exists():
        raise UserError(f"{db}: no audit database to publish; run `spec-audit run` first")
    con = connect(db)
    try:
        con.execute("CHECKPOINT")  # everything in the main file, nothing left in the WAL
    finally:
        con.close()
    target = snapshot_path(db)
    partial = target.with_name(f".{target.name}.partial")
    # A WAL left by a killed publish belongs to an older copy and must not be replayed on this one.
    partial.with_name(f"{partial.name}.wal").unlink(missing_ok=True)
    shutil.copyfile(db, partial)
    con = connect(partial)
    try:
        build_read_models(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(partial, target)
    return target


def open_snapshot(db: Path) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the published snapshot of ``db``."""
    target = snapshot_path(db)
    if not target.exists():
        raise UserError(f"{target}: no published snapshot yet; run `spec-audit run` first")
    return connect(target, read_only=True)
