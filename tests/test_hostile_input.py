"""Bad input as a careless or hostile user sends it: every record gets a verdict, the run goes on.

Every test checks the conservation identity too: per file, accepted + rejected == read, each
accepted record is one conversation and each rejected one is one rejected_records row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from spec_audit.ingest import ingest_paths, readers
from spec_audit.store import connect
from tests.corpus import generate

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "audit.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate.write(tmp_path_factory.mktemp("generated"))


def corpus(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(CORPUS / name, folder / name))


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def rejected(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple]:
    return rows(
        con,
        "SELECT line, reason FROM rejected_records WHERE source_file = ? ORDER BY line",
        [str(path)],
    )


def assert_conserved(con: duckdb.DuckDBPyConnection) -> None:
    """Assert the identities between ingest_manifest and the tables, for every file."""
    broken = rows(
        con,
        """
        SELECT m.source_file, m.rows_read, m.rows_accepted, m.rows_rejected, m.rows_duplicate,
               (SELECT count(*) FROM conversations c WHERE c.source_sha256 = m.source_sha256),
               (SELECT count(*) FROM rejected_records r WHERE r.source_sha256 = m.source_sha256),
               (SELECT count(*) FROM rejected_records r WHERE r.source_sha256 = m.source_sha256
                  AND r.reason LIKE 'duplicate (identical content)%')
        FROM ingest_manifest m
        """,
    )
    for file, read, accepted, rejected_n, duplicate, stored, rejects, copies in broken:
        assert accepted + rejected_n == read, file
        assert (stored, rejects, copies) == (accepted, rejected_n, duplicate), file


def test_every_malformed_record_gets_its_reason_and_the_good_ones_are_kept(con, tmp_path):
    path = corpus("malformed.jsonl", tmp_path)
    [result] = ingest_paths(con, [path])
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (16, 2, 14)
    assert rejected(con, path) == [
        (2, "malformed JSON: unterminated object (truncated line?)"),
        (3, "malformed JSON: not parseable as JSON"),
        (4, "malformed JSON: expected an object, got array"),
        (5, "missing required field conversation_id"),
        (6, "missing required field model"),
        (7, "model is a list, not a string"),
        (8, "unknown role 'wizard' in messages[0]"),
        (9, "messages is empty"),
        (10, "malformed JSON in field messages"),
        (12, "unparseable started_at 'next thursday'"),
        (
            13,
            "started_at '2999-01-01T00:00:00Z' is in the future (more than 24 hours after the "
            "time of ingest)",
        ),
        (14, "started_at '1970-01-02T00:00:00Z' is before 2000-01-01 (distant past)"),
        (15, "metadata is not an object"),
        (16, "no user message in messages"),
    ]
    # A conversation whose user got no reply is valid: its turn has no reply to judge.
    assert rows(con, "SELECT turn_id, user_text, reply_text FROM turns ORDER BY 1") == [
        ("no-reply:0", "anyone there?", None),
        ("ok-1:0", "hello", "hi there"),
    ]
    assert_conserved(con)


def test_overlapping_exports_are_deduplicated_by_content_and_conflicts_reported(con, tmp_path):
    first = corpus("export_a.jsonl", tmp_path)
    second = corpus("export_b.jsonl", tmp_path)
    results = ingest_paths(con, [first, second])
    assert [(r.rows_read, r.rows_accepted, r.rows_rejected, r.rows_duplicate) for r in results] == [
        (3, 3, 0, 0),
        (4, 1, 3, 2),
    ]
    assert rejected(con, second) == [
        (
            1,
            "duplicate (identical content) of conversation_id 'shared-same' already ingested "
            f"from {first} line 1",
        ),
        (
            2,
            "conflicting duplicate conversation_id 'shared-edited': content differs from the one "
            f"already ingested from {first} line 2, which is kept",
        ),
        (4, "duplicate (identical content) of conversation_id 'only-b' on line 3"),
    ]
    # The same instant in another zone is the same content; the first version of a conflict stays.
    assert rows(con, "SELECT turn_id, reply_text FROM turns ORDER BY 1") == [
        ("only-a:0", "You're welcome"),
        ("only-b:0", "Goodbye"),
        ("shared-edited:0", "7"),
        ("shared-same:0", "4"),
    ]
    assert_conserved(con)


def test_a_re_sent_file_with_other_bytes_adds_nothing(con, tmp_path):
    first = corpus("export_a.jsonl", tmp_path / "monday")
    resent = tmp_path / "tuesday" / "export_a_again.jsonl"
    resent.parent.mkdir()
    resent.write_bytes(first.read_bytes() + b"\n\n")  # other bytes, so another SHA-256
    results = ingest_paths(con, [first, resent])
    assert [(r.status, r.rows_accepted, r.rows_duplicate) for r in results] == [
        ("ingested", 3, 0),
        ("ingested", 0, 3),
    ]
    assert rows(con, "SELECT count(*) FROM conversations") == [(3,)]
    assert rows(con, "SELECT count(*) FROM turns") == [(3,)]
    assert_conserved(con)


def test_csv_cells_with_newlines_quotes_and_commas(con, tmp_path):
    path = corpus("embedded.csv", tmp_path)
    [result] = ingest_paths(con, [path])
    assert (result.adapter, result.rows_read, result.rows_accepted) == ("flat", 3, 2)
    assert rows(con, "SELECT turn_id, user_text, reply_text FROM turns ORDER BY 1") == [
        ("1:0", "Write a poem\nin two lines", 'Roses, "red"\nviolets, blue'),
        ("2:0", 'Say "hi"', "hi"),
    ]
    assert rejected(con, path) == [(4, "unparseable timestamp 'not-a-time'")]
    assert_conserved(con)


def test_truncated_and_corrupt_gzip_keep_what_can_be_read(con, generated):
    results = ingest_paths(con, [generated["truncated.jsonl.gz"], generated["garbage.jsonl.gz"]])
    [truncated, garbage] = results
    cut = "truncated or corrupt gzip stream: nothing from here on can be decompressed"
    assert truncated.status == "ingested"
    assert truncated.rows_accepted == truncated.rows_read - 1 > 100
    assert rejected(con, truncated.path) == [(truncated.rows_read, cut)]
    assert (garbage.rows_read, garbage.rows_rejected) == (1, 1)
    assert rejected(con, garbage.path) == [(1, cut)]
    assert_conserved(con)


def test_encodings_utf16_latin1_and_byte_order_marks(con, generated):
    names = ["utf16.jsonl", "latin1.jsonl", "latin1.csv", "bom.jsonl"]
    results = ingest_paths(con, [generated[name] for name in names])
    assert [(r.rows_read, r.rows_accepted, r.rows_rejected) for r in results] == [
        (2, 2, 0),
        (1, 0, 1),
        (2, 1, 1),
        (1, 1, 0),
    ]
    assert rejected(con, generated["latin1.jsonl"]) == [(1, "malformed JSON: invalid UTF-8 bytes")]
    assert rejected(con, generated["latin1.csv"]) == [(2, "malformed JSON: invalid UTF-8 bytes")]
    assert rows(con, "SELECT conversation_id, model FROM conversations ORDER BY 1") == [
        ("2", "m1"),
        ("bom-1", "m1"),
        ("u16-1", "m1"),
        ("u16-2", "modèle"),
    ]
    assert_conserved(con)


def test_a_10_mb_message_and_huge_or_deep_metadata_are_rejected_by_limit(con, generated):
    results = ingest_paths(con, [generated["long_message.jsonl"], generated["metadata.jsonl"]])
    assert [(r.rows_read, r.rows_accepted) for r in results] == [(2, 1), (2, 0)]
    assert rejected(con, generated["long_message.jsonl"]) == [
        (1, "messages[0] is too long (10,000,000 characters; the limit is 1,000,000)")
    ]
    assert rejected(con, generated["metadata.jsonl"]) == [
        (1, "metadata is too large (204,891 characters; the limit is 65,536)"),
        (2, "metadata is nested too deeply (5000 levels; the limit is 32)"),
    ]
    # The rejected 10 MB record keeps only the start of its raw text, and says so.
    [(length, tail)] = rows(
        con,
        "SELECT length(raw_text), right(raw_text, 30) FROM rejected_records "
        "WHERE reason LIKE 'messages%'",
    )
    assert (length, tail) == (100_030, "xx …[cut: 10,000,127 characters]"[-30:])
    assert_conserved(con)


def test_empty_files_other_schemas_and_unreadable_files(con, generated):
    names = ["empty.jsonl", "whitespace.jsonl", "other_schema.parquet", "not_parquet.parquet"]
    results = ingest_paths(con, [generated[name] for name in names])
    assert [(r.status, r.rows_read, r.rows_accepted, r.rows_rejected) for r in results] == [
        ("ingested", 0, 0, 0),
        ("ingested", 0, 0, 0),
        ("ingested", 2, 0, 2),
        ("unreadable", 1, 0, 1),
    ]
    assert rejected(con, generated["other_schema.parquet"]) == [
        (1, "missing required field conversation_id"),
        (2, "missing required field conversation_id"),
    ]
    [(line, reason)] = rejected(con, generated["not_parquet.parquet"])
    assert line == 0 and reason.startswith("cannot read as parquet (")
    assert_conserved(con)


def test_a_folder_of_everything_conserves_every_record(con, generated, tmp_path):
    folder = tmp_path / "landing"
    shutil.copytree(generated["empty.jsonl"].parent, folder)
    for name in ("malformed.jsonl", "export_a.jsonl", "export_b.jsonl", "embedded.csv"):
        corpus(name, folder / "corpus")
    results = ingest_paths(con, [folder])
    assert len(results) == len(generated) + 4
    assert {r.status for r in results} == {"ingested", "unreadable"}
    read = sum(r.rows_read for r in results)
    assert rows(con, "SELECT sum(rows_read) FROM ingest_manifest") == [(read,)]
    assert_conserved(con)


def test_a_file_changed_while_being_read_is_left_for_the_next_run(con, tmp_path, monkeypatch):
    path = corpus("export_a.jsonl", tmp_path)
    load = readers.load_records

    def load_then_append(connection, file, fmt):
        count = load(connection, file, fmt)
        with file.open("a", encoding="utf-8") as handle:  # the writer is still writing
            handle.write('{"conversation_id": "late"}\n')
        return count

    monkeypatch.setattr(readers, "load_records", load_then_append)
    [changed] = ingest_paths(con, [path])
    assert (changed.status, changed.rows_read) == ("changed", 0)
    assert changed.problem == (
        "changed while being read; not ingested (it is read again on the next ingest)"
    )
    for table in ("ingest_manifest", "conversations", "turns", "rejected_records"):
        assert rows(con, f"SELECT count(*) FROM {table}") == [(0,)]
    monkeypatch.setattr(readers, "load_records", load)
    [again] = ingest_paths(con, [path])
    assert (again.status, again.rows_read, again.rows_accepted, again.rows_rejected) == (
        "ingested",
        4,
        3,
        1,
    )
    assert_conserved(con)


def test_the_cli_reports_problems_and_duplicates_and_exits_0(cli, tmp_path, generated):
    folder = tmp_path / "in"
    corpus("export_a.jsonl", folder)
    corpus("export_b.jsonl", folder)
    shutil.copy(generated["not_parquet.parquet"], folder / "not_parquet.parquet")
    done = cli("ingest", str(folder), "--db", str(tmp_path / "audit.duckdb"))
    assert done.returncode == 0, done.stderr
    assert (
        "2 rejected records are identical copies of conversations already stored (duplicates, "
        "not errors)" in done.stdout
    )
    assert f"unreadable: {folder / 'not_parquet.parquet'}: cannot read as parquet (" in " ".join(
        done.stdout.split()
    )
