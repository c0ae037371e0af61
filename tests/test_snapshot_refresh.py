"""Publishing again refreshes only the days that changed, and gives the snapshot a whole publish gives."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from spec_audit import audit, config, store
from spec_audit.ingest import ingest_paths
from spec_audit.snapshot import LAYOUT_TABLE, publish, snapshot_path
from spec_audit.spec.catalog import load_catalog
from tests.conftest import generated_database

DAYS = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(4)]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database of four generated days, ingested and audited, not yet published."""
    return generated_database(
        tmp_path_factory.mktemp("refresh"), conversations=160, days=4, seed=5, audit_days=DAYS
    )


@pytest.fixture
def db(audited: Path, tmp_path: Path) -> Path:
    """Return a private copy of the audited database, published once (a whole publish)."""
    copy = tmp_path / "audit.duckdb"
    shutil.copyfile(audited, copy)
    publish(copy)
    return copy


def dump(path: Path) -> dict[str, list[tuple]]:
    """Return every table of the DuckDB file at ``path``, its rows sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        con.close()


def published_from_scratch(db: Path) -> dict[str, list[tuple]]:
    """Return the tables of a snapshot published whole from a copy of ``db``."""
    scratch = db.with_name("scratch.duckdb")
    shutil.copyfile(db, scratch)
    snapshot_path(scratch).unlink(missing_ok=True)
    return dump(publish(scratch))


def reaudit(db: Path, days: list[dt.date]) -> None:
    con = store.connect(db)
    try:
        audit.audit(con, days, load_catalog(config.spec_path()))
    finally:
        con.close()


def sql(path: Path, statement: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(statement, params).fetchall()
    finally:
        con.close()


def conversation(conversation_id: str, started_at: str, user: str, reply: str) -> dict:
    return {
        "conversation_id": conversation_id,
        "model": "assistant-2026-10",
        "surface": "chat",
        "started_at": started_at,
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}],
    }


def test_refreshed_snapshot_equals_one_published_from_scratch(db: Path, tmp_path: Path) -> None:
    # A late file adds two conversations to the third day; that day is ingested and audited again.
    late = tmp_path / "late" / "late.jsonl"
    late.parent.mkdir()
    rows = [
        conversation("late-1", "2026-10-03T09:30:00Z", "How do tides work?", "The moon pulls."),
        conversation("late-2", "2026-10-03T23:59:00Z", "Write a haiku about rain", "Soft rain."),
    ]
    late.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    con = store.connect(db)
    try:
        ingest_paths(con, [late.parent])
    finally:
        con.close()
    reaudit(db, [DAYS[2]])
    publish(db)
    snapshot = dump(snapshot_path(db))
    assert snapshot == published_from_scratch(db)
    assert sum(1 for row in snapshot["conversations"] if row[0].startswith("late-")) == 2
    assert any(row[1] == DAYS[2] for row in snapshot["snapshot_search_words"] if row[0] == "tides")

    # One day audited again (same turns, new writes), then a publish with nothing changed.
    reaudit(db, [DAYS[0]])
    publish(db)
    assert dump(snapshot_path(db)) == published_from_scratch(db)
    publish(db)
    assert dump(snapshot_path(db)) == published_from_scratch(db)


def test_publish_rewrites_only_the_days_written_since(db: Path) -> None:
    # Mark one finding of every day in the published snapshot: a day that is copied again from
    # the audit database loses the mark, a day left alone keeps it.
    target = snapshot_path(db)
    mark = "UPDATE findings SET verdict = 'marked' WHERE rowid IN (SELECT min(rowid) FROM findings GROUP BY day)"
    marked = "SELECT DISTINCT day FROM findings WHERE verdict = 'marked' ORDER BY day"
    sql(target, mark)
    reaudit(db, [DAYS[1]])
    publish(db)
    assert [row[0] for row in sql(target, marked)] == [DAYS[0], DAYS[2], DAYS[3]]

    # Rows deleted without a logged write (here by hand) still change their day's row count.
    sql(
        db,
        "DELETE FROM findings WHERE rowid IN (SELECT min(rowid) FROM findings WHERE day = ?)",
        [DAYS[3]],
    )
    publish(db)
    assert [row[0] for row in sql(target, marked)] == [DAYS[0], DAYS[2]]
    findings = "SELECT count(*) FROM findings"
    assert sql(target, findings) == sql(db, findings)


def test_a_snapshot_of_another_layout_is_published_whole(db: Path) -> None:
    target = snapshot_path(db)
    sql(target, "UPDATE findings SET verdict = 'marked' WHERE rowid = 0")
    sql(target, f"UPDATE {LAYOUT_TABLE} SET layout = 'read models of an older release'")
    publish(db)
    assert sql(target, "SELECT count(*) FROM findings WHERE verdict = 'marked'") == [(0,)]
    assert dump(target) == published_from_scratch(db)


def test_a_schema_change_publishes_the_snapshot_whole(db: Path) -> None:
    target = snapshot_path(db)
    sql(target, "UPDATE findings SET verdict = 'marked' WHERE rowid = 0")
    sql(db, "ALTER TABLE clause_metrics ADD COLUMN note VARCHAR")
    publish(db)
    assert sql(target, "SELECT count(*) FROM findings WHERE verdict = 'marked'") == [(0,)]
    assert dump(target) == published_from_scratch(db)


def test_stale_windows_are_the_catalogs_stored_windows_holding_a_rerun_day(tmp_path: Path) -> None:
    catalog = load_catalog(config.spec_path())
    con = store.connect(tmp_path / "windows.duckdb")
    try:
        stored = [
            (catalog.version, "2026-09-03", "2026-09-30"),
            (catalog.version, "2026-09-10", "2026-10-07"),
            ("an older version", "2026-09-20", "2026-10-17"),
        ]
        for version, start, end in stored:
            con.execute(
                "INSERT INTO change_points (spec_id, spec_version, window_start, window_end, "
                "clause_id, layer, kind, model, reference_start, reference_end, shift, "
                "false_alarm, verdict) VALUES (?, ?, ?, ?, 'avoid_errors', 'default', "
                "'hallucination', 'm', ?, ?, 0.01, 0.05, 'insufficient data')",
                [catalog.spec_id, version, start, end, start, start],
            )
        stale = audit.stale_windows
        assert stale(con, [dt.date(2026, 10, 1)], catalog) == [
            (dt.date(2026, 9, 10), dt.date(2026, 10, 7))
        ]
        assert stale(con, [dt.date(2026, 9, 10)], catalog) == [
            (dt.date(2026, 9, 3), dt.date(2026, 9, 30)),
            (dt.date(2026, 9, 10), dt.date(2026, 10, 7)),
        ]
        assert stale(con, [dt.date(2026, 10, 8), dt.date(2026, 9, 1)], catalog) == []
    finally:
        con.close()
