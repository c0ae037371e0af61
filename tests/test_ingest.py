"""Ingest end to end: formats, rejected records, the conservation identity, re-ingest, the store."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from spec_audit.errors import UserError
from spec_audit.ingest import FileResult, ingest_paths
from spec_audit.store import connect, transaction

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
TABLES = ("ingest_manifest", "rejected_records", "conversations", "turns")


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "db" / "audit.duckdb")
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {table: rows(con, f"SELECT * FROM {table} ORDER BY ALL") for table in TABLES}


def copy_fixture(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(FIXTURES / name, folder / name))


def test_jsonl_bad_lines_are_rejected_with_line_reason_and_raw_text(con, tmp_path):
    path = copy_fixture("canonical.jsonl", tmp_path / "in")
    [result] = ingest_paths(con, [path])
    assert (result.format, result.adapter, result.status) == ("jsonl", "canonical", "ingested")
    # 11 lines, one blank: 10 records.
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (10, 2, 8)
    assert rows(con, "SELECT line, reason FROM rejected_records ORDER BY line") == [
        (2, "unknown role 'robot' in messages[2]"),
        (
            4,
            "conflicting duplicate conversation_id 'conv-multi': content differs from line 1, "
            "which is kept",
        ),
        (5, "unparseable started_at 'last tuesday'"),
        (6, "missing required field model"),
        (8, "malformed JSON: unterminated object (truncated line?)"),
        (9, "malformed JSON: expected an object, got array"),
        (10, "no user message in messages"),
        (11, "messages is empty"),
    ]
    assert rows(con, "SELECT raw_text, source_file FROM rejected_records WHERE line = 8") == [
        (
            '{"conversation_id": "conv-cut", "model": "assistant-v2", "started_at": "2025-03-01T1',
            str(path),
        )
    ]
    assert rows(con, "SELECT conversation_id, source_line FROM conversations ORDER BY 2") == [
        ("conv-multi", 1),
        ("conv-naive", 7),
    ]


def test_every_file_conserves_records_and_the_manifest_matches_the_tables(con):
    results = ingest_paths(con, [FIXTURES])
    assert [r.path.name for r in results] == [
        "canonical.csv",
        "canonical.jsonl",
        "flat.csv",
        "flat.jsonl",
        "openai_chat.jsonl",
    ]
    for result in results:
        assert result.rows_accepted + result.rows_rejected == result.rows_read
    counted = rows(
        con,
        """
        SELECT m.source_file, m.rows_read, m.rows_accepted, m.rows_rejected,
               (SELECT count(*) FROM conversations c WHERE c.source_sha256 = m.source_sha256),
               (SELECT count(*) FROM rejected_records r WHERE r.source_sha256 = m.source_sha256)
        FROM ingest_manifest m ORDER BY 1
        """,
    )
    assert [row[1:] for row in counted] == [
        (3, 2, 1, 2, 1),
        (10, 2, 8, 2, 8),
        (2, 2, 0, 2, 0),
        (3, 2, 1, 2, 1),
        (3, 2, 1, 2, 1),
    ]


def test_reingesting_the_same_files_changes_no_table(con, tmp_path):
    folder = tmp_path / "landing"
    for name in ("canonical.jsonl", "canonical.csv", "openai_chat.jsonl", "flat.jsonl"):
        copy_fixture(name, folder)
    first = ingest_paths(con, [folder])
    before = snapshot(con)
    second = ingest_paths(con, [folder])
    assert [r.status for r in first] == ["ingested"] * 4
    assert [r.status for r in second] == ["skipped"] * 4
    assert [(r.rows_read, r.rows_accepted, r.rows_rejected) for r in second] == [(0, 0, 0)] * 4
    assert [r.adapter for r in second] == [r.adapter for r in first]
    assert snapshot(con) == before


def test_the_same_bytes_under_another_name_are_skipped(con, tmp_path):
    first = copy_fixture("flat.jsonl", tmp_path / "a")
    second = copy_fixture("flat.jsonl", tmp_path / "b")
    results = ingest_paths(con, [first, second])
    assert [r.status for r in results] == ["ingested", "skipped"]
    assert results[0].sha256 == results[1].sha256
    assert rows(con, "SELECT count(*) FROM ingest_manifest") == [(1,)]


def test_jsonl_gz_reads_like_jsonl(tmp_path):
    plain = copy_fixture("canonical.jsonl", tmp_path / "plain")
    packed = tmp_path / "packed" / "canonical.jsonl.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    plain_con = connect(tmp_path / "plain.duckdb")
    packed_con = connect(tmp_path / "packed.duckdb")
    [a] = ingest_paths(plain_con, [plain])
    [b] = ingest_paths(packed_con, [packed])
    assert (b.format, b.rows_read, b.rows_accepted, b.rows_rejected) == ("jsonl.gz", 10, 2, 8)
    assert (a.rows_read, a.rows_accepted) == (b.rows_read, b.rows_accepted)
    assert snapshot(plain_con)["turns"] == snapshot(packed_con)["turns"]
    reasons = "SELECT line, reason FROM rejected_records ORDER BY line"
    assert rows(plain_con, reasons) == rows(packed_con, reasons)


def test_csv_with_multiline_cells_numbers_rows_from_the_header(con):
    [result] = ingest_paths(con, [FIXTURES / "canonical.csv"])
    assert (result.format, result.rows_read, result.rows_accepted) == ("csv", 3, 2)
    assert rows(con, "SELECT line, reason FROM rejected_records") == [
        (3, "malformed JSON in field messages")
    ]
    assert rows(
        con,
        "SELECT conversation_id, source_line, surface, started_at, day, context_documents, "
        "metadata FROM conversations ORDER BY 1",
    ) == [
        (
            "csv-1",
            2,
            "chat",
            datetime(2025, 3, 1, 9, tzinfo=UTC),
            date(2025, 3, 1),
            ["doc one"],
            '{"locale":"de-DE"}',
        ),
        ("csv-3", 4, None, datetime(2025, 3, 1, 23, tzinfo=UTC), date(2025, 3, 1), [], None),
    ]
    assert rows(con, "SELECT turn_id, user_text, reply_text FROM turns ORDER BY 1") == [
        ("csv-1:0", "line one\nline two", "Got both lines."),
        ("csv-3:0", "Is this the third row?", None),
    ]


def test_parquet_with_nested_columns(con, tmp_path):
    path = tmp_path / "logs.parquet"
    pl.DataFrame(
        {
            "conversation_id": ["pq-1", "pq-2"],
            "model": ["assistant-v3", None],
            "started_at": [datetime(2025, 4, 2, 8, tzinfo=UTC), datetime(2025, 4, 2, tzinfo=UTC)],
            "messages": [
                [
                    {"role": "user", "content": "Bonjour, ça va ?"},
                    {"role": "assistant", "content": "Oui, merci."},
                ],
                [{"role": "user", "content": "hi"}],
            ],
            "context_documents": [["doc"], None],
        }
    ).write_parquet(path)
    [result] = ingest_paths(con, [path])
    assert (result.format, result.adapter, result.rows_read, result.rows_accepted) == (
        "parquet",
        "canonical",
        2,
        1,
    )
    assert rows(con, "SELECT line, reason FROM rejected_records") == [
        (2, "missing required field model")
    ]
    turns = "SELECT turn_id, user_text, reply_text, day, context_documents FROM turns"
    assert rows(con, turns) == [
        ("pq-1:0", "Bonjour, ça va ?", "Oui, merci.", date(2025, 4, 2), ["doc"])
    ]


def test_parquet_with_json_string_columns(con, tmp_path):
    path = tmp_path / "strings.parquet"
    pl.DataFrame(
        {
            "conversation_id": ["pq-json"],
            "model": ["assistant-v3"],
            "started_at": ["2025-04-02T08:00:00+02:00"],
            "messages": [
                '[{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]'
            ],
            "metadata": ['{"app": "web"}'],
        }
    ).write_parquet(path)
    [result] = ingest_paths(con, [path])
    assert (result.rows_read, result.rows_accepted) == (1, 1)
    assert rows(con, "SELECT started_at, metadata, n_messages FROM conversations") == [
        (datetime(2025, 4, 2, 6, tzinfo=UTC), '{"app":"web"}', 2)
    ]
    assert rows(con, "SELECT user_text, reply_text FROM turns") == [("Q?", "A.")]


def test_empty_files_ingest_with_zero_rows(con, tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header_only.csv").write_text("conversation_id,model\n", encoding="utf-8")
    names = ["empty.jsonl", "empty.csv", "header_only.csv"]
    results = ingest_paths(con, [tmp_path / name for name in names])
    # Both empty files have the same (empty) bytes, so the second one is already known.
    assert [(r.path.name, r.status, r.rows_read, r.rows_accepted) for r in results] == [
        ("empty.jsonl", "ingested", 0, 0),
        ("empty.csv", "skipped", 0, 0),
        ("header_only.csv", "ingested", 0, 0),
    ]
    assert rows(con, "SELECT format, adapter, rows_read FROM ingest_manifest ORDER BY 1") == [
        ("csv", "canonical", 0),
        ("jsonl", "canonical", 0),
    ]


def test_a_line_of_invalid_utf8_is_rejected_alone(con, tmp_path):
    good = (
        b'{"conversation_id": "u-%d", "model": "m", "started_at": "2025-01-01T00:00:00Z", '
        b'"messages": [{"role": "user", "content": "caf\xc3\xa9"}]}'
    )
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([good % 1, b'{"conversation_id": "\xff\xfe"}', good % 3]) + b"\n")
    [result] = ingest_paths(con, [path])
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert rows(con, "SELECT line, reason, raw_text FROM rejected_records") == [
        (2, "malformed JSON: invalid UTF-8 bytes", '{"conversation_id": "\\xFF\\xFE"}')
    ]
    assert rows(con, "SELECT turn_id, user_text FROM turns ORDER BY 1") == [
        ("u-1:0", "café"),
        ("u-3:0", "café"),
    ]


def test_conversation_ids_already_stored_with_other_content_are_conflicting(con, tmp_path):
    record = (
        '{{"conversation_id": "{id}", "model": "m", "started_at": "2025-01-0{day}T00:00:00Z", '
        '"messages": [{{"role": "user", "content": "hi"}}]}}\n'
    )
    first = tmp_path / "day1.jsonl"
    first.write_text(record.format(id="dup", day=1), encoding="utf-8")
    second = tmp_path / "day2.jsonl"
    second.write_text(record.format(id="dup", day=2) + record.format(id="new", day=2), "utf-8")
    results = ingest_paths(con, [first, second])
    assert [(r.rows_accepted, r.rows_rejected) for r in results] == [(1, 0), (1, 1)]
    assert rows(con, "SELECT source_file, line, reason FROM rejected_records") == [
        (
            str(second),
            1,
            f"conflicting duplicate conversation_id 'dup': content differs from the one already "
            f"ingested from {first} line 1, which is kept",
        )
    ]
    assert rows(con, "SELECT conversation_id, day FROM conversations ORDER BY 1") == [
        ("dup", date(2025, 1, 1)),
        ("new", date(2025, 1, 2)),
    ]


def test_folders_are_walked_and_other_files_skipped(con, tmp_path):
    copy_fixture("flat.jsonl", tmp_path / "landing" / "nested" / "deeper")
    (tmp_path / "landing" / "notes.txt").write_text("not a log", encoding="utf-8")
    (tmp_path / "landing" / "old.json.gz").write_bytes(b"")
    seen: list[FileResult] = []
    results = ingest_paths(con, [tmp_path / "landing"], on_file=seen.append)
    assert [r.path.name for r in results] == ["flat.jsonl"]
    assert seen == results


def test_named_files_that_cannot_be_read_are_user_errors(con, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    with pytest.raises(UserError) as unknown:
        ingest_paths(con, [notes])
    assert str(unknown.value) == (
        f"{notes}: unsupported file type (expected one of .jsonl.gz, .jsonl, .ndjson, "
        ".parquet, .csv)"
    )
    with pytest.raises(UserError) as missing:
        ingest_paths(con, [tmp_path / "gone.jsonl"])
    assert str(missing.value) == f"{tmp_path / 'gone.jsonl'}: no such file or folder"
    assert snapshot(con) == {table: [] for table in TABLES}


def test_a_file_that_cannot_be_read_is_one_rejected_record_and_the_run_goes_on(con, tmp_path):
    good = copy_fixture("flat.jsonl", tmp_path)
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"this is not parquet")
    results = ingest_paths(con, [bad, good])
    assert [(r.status, r.rows_read, r.rows_accepted, r.rows_rejected) for r in results] == [
        ("unreadable", 1, 0, 1),
        ("ingested", 3, 2, 1),
    ]
    assert results[0].problem.startswith("cannot read as parquet (")
    [(line, reason, raw)] = rows(
        con, f"SELECT line, reason, raw_text FROM rejected_records WHERE source_file = '{bad}'"
    )
    assert (line, raw, reason) == (0, None, results[0].problem)
    assert rows(con, "SELECT source_file, rows_read FROM ingest_manifest ORDER BY 1") == [
        (str(bad), 1),
        (str(good), 3),
    ]
    assert rows(con, "SELECT count(*) FROM conversations") == [(2,)]


def test_connect_creates_the_folder_and_every_table(tmp_path):
    path = tmp_path / "a" / "b" / "audit.duckdb"
    con = connect(path)
    names = {row[0] for row in rows(con, "SELECT table_name FROM duckdb_tables()")}
    assert set(TABLES) <= names
    assert rows(con, "SELECT current_setting('TimeZone')") == [("UTC",)]
    con.close()
    again = connect(path, read_only=True)
    assert rows(again, "SELECT count(*) FROM turns") == [(0,)]
    again.close()


def test_connect_rejects_a_file_that_is_not_duckdb(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("hello, not a database\n" * 50, encoding="utf-8")
    with pytest.raises(UserError) as error:
        connect(path)
    assert str(error.value) == f"{path}: not a DuckDB database file"


def test_connect_read_only_needs_an_existing_file(tmp_path):
    path = tmp_path / "missing.duckdb"
    with pytest.raises(UserError) as error:
        connect(path, read_only=True)
    assert str(error.value) == f"{path}: database does not exist (cannot open it read-only)"


def test_connect_reports_a_file_locked_by_another_process(tmp_path):
    path = tmp_path / "audit.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
            "sys.stdin.readline()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(UserError) as error:
            connect(path)
        message = str(error.value)
        assert message.startswith(f"{path}: database is locked by another process (")
        assert message.endswith("); close it and retry")
        assert "\n" not in message
    finally:
        holder.communicate("\n", timeout=30)


def test_transaction_commits_or_rolls_back(con):
    insert = (
        "INSERT INTO rejected_records VALUES ('sha', 'file.jsonl', ?, 'malformed JSON: x', '{')"
    )
    with transaction(con):
        con.execute(insert, [1])
    with pytest.raises(RuntimeError, match="boom"), transaction(con):
        con.execute(insert, [2])
        raise RuntimeError("boom")
    assert rows(con, "SELECT line FROM rejected_records") == [(1,)]
