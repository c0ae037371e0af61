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

Publishing again after an audit refreshes the previous snapshot instead of rebuilding it: a copy of
the published snapshot gets, from the audit database, the days written since it was published
(``day_writes``, the files ingested since, and any day whose row count differs), every smaller
table that has no days whole, and those days' rows of each read model. Re-running one day of a month
so rewrites one day of the snapshot. A first publish, a snapshot of another layout (its read
models' SQL changed) or a schema change rebuilds it whole; either way it holds the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import duckdb

from spec_audit.errors import UserError
from spec_audit.signals import ensure_signals_table
from spec_audit.store import connect, memory_limit

SQL_DIR = Path(__file__).resolve().parent / "sql"
#: Tables publish adds to the snapshot (and only to it), created empty by
#: ``sql/snapshot_read_models.sql`` and filled for some days by ``sql/<table>.sql``, in this order
#: (the search index a day at a time, before the word counts built from it).
READ_MODELS = (
    "snapshot_search_words",
    "snapshot_search_word_days",
    "snapshot_refusal_quadrant",
    "snapshot_refusal_harm",
    "snapshot_conversation_counts",
)
#: The snapshot's own record of the SQL it was built with (``layout``).
LAYOUT_TABLE = "snapshot_layout"
#: The column of the tables whose rows are refreshed by day (except ``day_writes``, a log copied
#: whole, like every table without it).
DAY_COLUMN = "day"
#: The alias of the audit database attached to the snapshot copy while it is refreshed.
AUDIT = "audit_db"
#: DuckDB's memory cap while the read models are built (bigger work spills to temporary files):
#: uncapped, building them for 1,000,000 conversations peaked at 4.05 GB, capped at 1.24 GB.
MEMORY_LIMIT = "1GB"


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def layout() -> str:
    """Return a fingerprint of the SQL the read models and the turns' order are built with."""
    digest = hashlib.sha256()
    for path in sorted([*SQL_DIR.glob("snapshot_*.sql"), SQL_DIR / "search_macro.sql"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


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
    order_turns(con)
    con.execute(_sql("snapshot_read_models"))
    con.execute(f"CREATE OR REPLACE TABLE {LAYOUT_TABLE} AS SELECT ? AS layout", [layout()])
    days = con.execute(
        "SELECT day FROM turns UNION SELECT day FROM conversations "
        "UNION SELECT day FROM signals UNION SELECT day FROM findings ORDER BY day"
    ).fetchall()
    refresh_read_models(con, [day for (day,) in days])


def refresh_read_models(con: duckdb.DuckDBPyConnection, days: Sequence[dt.date]) -> None:
    """Replace the rows of ``days`` in every table of ``READ_MODELS`` from the audit tables on ``con``."""
    with_search_macro(con)
    for table in READ_MODELS:
        _delete_days(con, table, days)
    for day in sorted(days):  # a day at a time: memory holds one day's words, not a month's
        con.execute(_sql("snapshot_search_words"), {"day": day})
    for table in READ_MODELS[1:]:
        con.execute(_sql(table), {"days": list(days)})


def _delete_days(con: duckdb.DuckDBPyConnection, table: str, days: Sequence[dt.date]) -> None:
    con.execute(f"DELETE FROM {table} WHERE day IN (SELECT unnest(?::DATE[]))", [list(days)])


def order_turns(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the ``turns`` table of ``con`` in day, conversation and turn order."""
    (ddl,) = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE table_name = 'turns' AND schema_name = 'main'"
    ).fetchall()[0]
    con.execute("ALTER TABLE turns RENAME TO turns_unordered")
    con.execute(ddl)  # the table's own definition: same columns, same primary key
    con.execute(_sql("snapshot_turns_in_order"))


def publish(db: Path) -> Path:
    """Return the snapshot path after replacing it atomically with a copy of ``db`` and its read
    models (refreshing the previous snapshot's changed days when it can, else built whole)."""
    if not db.exists():
        raise UserError(f"{db}: no audit database to publish; run `spec-audit run` first")
    con = connect(db)
    try:
        con.execute("CHECKPOINT")  # everything in the main file, nothing left in the WAL
    finally:
        con.close()
    target = snapshot_path(db)
    partial = target.with_name(f".{target.name}.partial")
    if not (target.exists() and _refreshed(target, partial, db)):
        _copy(db, partial)
        con = connect(partial)
        try:
            with memory_limit(con, MEMORY_LIMIT):
                build_read_models(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
    os.replace(partial, target)
    return target


def _copy(source: Path, partial: Path) -> None:
    # A WAL left by a killed publish belongs to an older copy and must not be replayed on this one.
    partial.with_name(f"{partial.name}.wal").unlink(missing_ok=True)
    shutil.copyfile(source, partial)


def _refreshed(target: Path, partial: Path, db: Path) -> bool:
    """Return whether ``partial``, a copy of the snapshot ``target``, now matches ``db``; False
    when the snapshot cannot be refreshed (another layout or schema) and must be built whole."""
    _copy(target, partial)
    con = duckdb.connect(str(partial))
    try:
        con.execute("SET TimeZone = 'UTC'")
        quoted = str(db).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {AUDIT} (READ_ONLY)")
        tables = _same_layout(con)
        days = _changed_days(con, tables) if tables is not None else None
        if days is None:
            return False
        _copy_rows(con, tables, days)
        if days:
            with memory_limit(con, MEMORY_LIMIT):
                refresh_read_models(con, days)
        con.execute(f"DETACH {AUDIT}")
        con.execute("CHECKPOINT")
        return True
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name, column_index",
        [database],
    ).fetchall()
    columns: dict[str, list[tuple]] = {}
    for table, column, kind in rows:
        columns.setdefault(table, []).append((column, kind))
    return columns


def _same_layout(con: duckdb.DuckDBPyConnection) -> dict[str, bool] | None:
    """Return table -> whether it is refreshed by day, when the snapshot on ``con`` has the
    audit database's tables and columns and this version's read models; else None."""
    (snapshot,) = con.execute("SELECT current_database()").fetchall()[0]
    ours = _columns(con, snapshot)
    theirs = _columns(con, AUDIT)
    if LAYOUT_TABLE not in ours:
        return None
    if con.execute(f"SELECT layout FROM {LAYOUT_TABLE}").fetchall() != [(layout(),)]:
        return None
    for table in (*READ_MODELS, LAYOUT_TABLE):
        ours.pop(table, None)
    if ours != theirs:
        return None
    return {
        table: table != "day_writes" and any(name == DAY_COLUMN for name, _ in columns)
        for table, columns in theirs.items()
    }


def _changed_days(con: duckdb.DuckDBPyConnection, tables: dict[str, bool]) -> list[dt.date] | None:
    """Return the days whose rows differ between the audit database and the snapshot on ``con``:
    days written since (``day_writes``), days of files ingested since, and days whose row count
    differs in a daily table (rows removed some other way). None when the snapshot holds a file
    the audit database does not (the database was replaced): then it is rebuilt whole."""
    gone = con.execute(
        f"SELECT count(*) FROM (SELECT source_sha256 FROM ingest_manifest "
        f"EXCEPT SELECT source_sha256 FROM {AUDIT}.ingest_manifest)"
    ).fetchall()[0][0]
    if gone:
        return None
    sources = (
        f"SELECT source_sha256 FROM {AUDIT}.ingest_manifest "
        "EXCEPT SELECT source_sha256 FROM ingest_manifest"
    )
    queries = [
        f"SELECT coalesce(a.day, s.day) FROM {AUDIT}.day_writes a FULL JOIN day_writes s "
        "ON a.table_name = s.table_name AND a.day = s.day AND a.scope = s.scope "
        "WHERE a.write_id IS DISTINCT FROM s.write_id",
        f"SELECT day FROM {AUDIT}.conversations WHERE source_sha256 IN ({sources})",
    ]
    for table, daily in tables.items():
        if daily:
            queries.append(
                f"SELECT coalesce(a.day, s.day) FROM "
                f"(SELECT day, count(*) AS n FROM {AUDIT}.{table} GROUP BY day) a FULL JOIN "
                f"(SELECT day, count(*) AS n FROM {table} GROUP BY day) s ON a.day = s.day "
                "WHERE a.n IS DISTINCT FROM s.n"
            )
    rows = con.execute(" UNION ".join(queries) + " ORDER BY 1").fetchall()
    return [day for (day,) in rows]


def _copy_rows(
    con: duckdb.DuckDBPyConnection, tables: dict[str, bool], days: Sequence[dt.date]
) -> None:
    """Copy ``days`` of each daily table, and every other table whole, from the audit database."""
    for table, daily in tables.items():
        if not daily:
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM {AUDIT}.{table}")
        elif days:
            # Turns in day, conversation and turn order, as a whole publish writes them.
            order = "ORDER BY day, conversation_id, turn_index" if table == "turns" else ""
            _delete_days(con, table, days)
            con.execute(
                f"INSERT INTO {table} SELECT * FROM {AUDIT}.{table} "
                f"WHERE day IN (SELECT unnest(?::DATE[])) {order}",
                [list(days)],
            )


def open_snapshot(db: Path) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the published snapshot of ``db``."""
    target = snapshot_path(db)
    if not target.exists():
        raise UserError(f"{target}: no published snapshot yet; run `spec-audit run` first")
    return connect(target, read_only=True)
