"""The published snapshot: readers keep working while the audit database changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_audit import store
from spec_audit.errors import UserError
from spec_audit.snapshot import open_snapshot, publish, snapshot_path


def test_publish_copies_and_replaces_atomically(tmp_path: Path) -> None:
    db = tmp_path / "audit.duckdb"
    con = store.connect(db)
    con.execute("INSERT INTO rejected_records VALUES ('h', 'f.jsonl', 1, 'bad', '{')")
    con.close()
    assert publish(db) == tmp_path / "audit.snapshot.duckdb"

    reader = open_snapshot(db)
    con = store.connect(db)  # the audit writes on while the reader is open
    con.execute("INSERT INTO rejected_records VALUES ('h', 'f.jsonl', 2, 'bad', '{')")
    con.close()
    publish(db)
    # The open reader still sees the snapshot it opened; a new reader sees the new one.
    assert reader.execute("SELECT count(*) FROM rejected_records").fetchall() == [(1,)]
    reader.close()
    fresh = open_snapshot(db)
    assert fresh.execute("SELECT count(*) FROM rejected_records").fetchall() == [(2,)]
    fresh.close()
    assert not list(tmp_path.glob(".*partial"))


def test_missing_database_and_snapshot_are_user_errors(tmp_path: Path) -> None:
    db = tmp_path / "none.duckdb"
    with pytest.raises(UserError, match="no audit database to publish"):
        publish(db)
    with pytest.raises(UserError, match="no published snapshot yet"):
        open_snapshot(db)
    assert snapshot_path(Path("data/audit.duckdb")) == Path("data/audit.snapshot.duckdb")


def test_publish_puts_the_snapshot_turns_in_day_and_conversation_order(tmp_path: Path) -> None:
    db = tmp_path / "audit.duckdb"
    con = store.connect(db)
    arrived = [("b", 0, "2026-10-02"), ("a", 1, "2026-10-01"), ("c", 0, "2026-10-01"),
               ("a", 0, "2026-10-01"), ("b", 1, "2026-10-02")]  # fmt: skip
    for conversation, index, day in arrived:
        con.execute(
            "INSERT INTO turns (turn_id, conversation_id, turn_index, day, model, started_at, "
            "user_text) VALUES (?, ?, ?, ?, 'm', TIMESTAMPTZ '2026-10-01 00:00:00+00', 'hi')",
            [f"{conversation}:{index}", conversation, index, day],
        )
    con.close()
    publish(db)
    reader = open_snapshot(db)
    in_storage = reader.execute("SELECT turn_id FROM turns ORDER BY rowid").fetchall()
    assert [row[0] for row in in_storage] == ["a:0", "a:1", "c:0", "b:0", "b:1"]
    keys = reader.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = 'turns' AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    assert keys == [(["turn_id"],)]
    reader.close()
    # The audit database itself is left in arrival order.
    con = store.connect(db)
    assert con.execute("SELECT turn_id FROM turns ORDER BY rowid LIMIT 1").fetchall() == [("b:0",)]
    con.close()
