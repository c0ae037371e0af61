"""Adapters and turn construction: each record shape, detected and forced, mapped to turns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from spec_audit.errors import UserError
from spec_audit.ingest import ingest_paths
from spec_audit.store import connect

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

TURN_COLUMNS = "turn_id, turn_index, system_text, user_text, reply_text, context_text"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(tmp_path / "audit.duckdb")
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def write_jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "adapter"),
    [
        ("canonical.jsonl", "canonical"),
        ("openai_chat.jsonl", "openai_chat"),
        ("flat.jsonl", "flat"),
        ("canonical.csv", "canonical"),
        ("flat.csv", "flat"),
    ],
)
def test_the_adapter_is_detected_from_the_fields(con, name, adapter):
    [result] = ingest_paths(con, [FIXTURES / name])
    assert result.adapter == adapter
    assert rows(con, "SELECT adapter FROM ingest_manifest") == [(adapter,)]


def test_a_forced_adapter_gives_the_same_result_as_detection(tmp_path):
    detected, forced = connect(tmp_path / "a.duckdb"), connect(tmp_path / "b.duckdb")
    [a] = ingest_paths(detected, [FIXTURES / "openai_chat.jsonl"])
    [b] = ingest_paths(forced, [FIXTURES / "openai_chat.jsonl"], adapter="openai_chat")
    assert (a.adapter, a.rows_accepted) == (b.adapter, b.rows_accepted) == ("openai_chat", 2)
    everything = "SELECT * FROM turns ORDER BY turn_id"
    assert rows(detected, everything) == rows(forced, everything)


def test_a_forced_adapter_that_does_not_fit_rejects_with_its_own_field_names(con):
    [result] = ingest_paths(con, [FIXTURES / "canonical.jsonl"], adapter="flat")
    assert (result.adapter, result.rows_read, result.rows_accepted) == ("flat", 10, 0)
    reasons = rows(con, "SELECT reason, count(*) FROM rejected_records GROUP BY 1 ORDER BY 1")
    assert reasons == [
        ("malformed JSON: expected an object, got array", 1),
        ("malformed JSON: unterminated object (truncated line?)", 1),
        ("missing required field model", 1),
        ("missing required field timestamp", 7),
    ]


def test_an_unknown_adapter_is_a_user_error(con):
    with pytest.raises(UserError) as error:
        ingest_paths(con, [FIXTURES / "flat.jsonl"], adapter="xml")
    expected = "unknown adapter 'xml' (expected one of canonical, openai_chat, flat)"
    assert str(error.value) == expected


def test_turns_of_a_multi_turn_conversation(con):
    ingest_paths(con, [FIXTURES / "canonical.jsonl"])
    instructions = "Be concise.\n\nAnswer in English."
    assert rows(
        con, f"SELECT {TURN_COLUMNS} FROM turns WHERE conversation_id = 'conv-multi' ORDER BY 2"
    ) == [
        ("conv-multi:0", 0, instructions, "What is the capital of France?", "Paris.", None),
        (
            "conv-multi:1",
            1,
            instructions,
            "And its weather today?",
            # The tool call (null content) and the tool result are not the reply.
            "Sunny and 18C.",
            "user: What is the capital of France?\nassistant: Paris.",
        ),
        (
            "conv-multi:2",
            2,
            instructions,
            "Thanks, bye!",
            None,
            "user: What is the capital of France?\nassistant: Paris.\n"
            "user: And its weather today?\nassistant: Sunny and 18C.",
        ),
    ]
    assert rows(
        con,
        "SELECT model, surface, started_at, day, n_messages, n_turns, context_documents, "
        "metadata FROM conversations WHERE conversation_id = 'conv-multi'",
    ) == [
        (
            "assistant-v2",
            "chat",
            # 23:30 at UTC-2 is 01:30 UTC the next day, and the day follows UTC.
            datetime(2025, 3, 2, 1, 30, tzinfo=UTC),
            date(2025, 3, 2),
            9,
            3,
            ["Paris is the capital of France."],
            '{"locale":"en-GB","arm":"b"}',
        )
    ]
    distinct = "SELECT DISTINCT day, model FROM turns WHERE conversation_id = 'conv-multi'"
    assert rows(con, distinct) == [(date(2025, 3, 2), "assistant-v2")]


def test_instructions_apply_only_to_turns_after_them(con, tmp_path):
    path = write_jsonl(
        tmp_path / "late.jsonl",
        '{"conversation_id": "late", "model": "m", "started_at": "2025-05-05T05:05:05Z", '
        '"messages": [{"role": "user", "content": "first"}, '
        '{"role": "developer", "content": "From now on, answer in French."}, '
        '{"role": "assistant", "content": "ok"}, {"role": "user", "content": "second"}, '
        '{"role": "assistant", "content": "d\'accord"}]}',
    )
    ingest_paths(con, [path])
    assert rows(con, f"SELECT {TURN_COLUMNS} FROM turns ORDER BY 2") == [
        ("late:0", 0, None, "first", "ok", None),
        (
            "late:1",
            1,
            "From now on, answer in French.",
            "second",
            "d'accord",
            "user: first\nassistant: ok",
        ),
    ]


def test_canonical_content_parts_and_naive_timestamps(con, tmp_path):
    path = write_jsonl(
        tmp_path / "parts.jsonl",
        '{"conversation_id": "parts", "model": "m", "started_at": "2025-06-01 22:00:00", '
        '"messages": [{"role": "user", "content": [{"type": "text", "text": "look"}, '
        '{"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": "here"}]}, '
        '{"role": "assistant", "content": "[1] is a citation, not parts"}]}',
    )
    ingest_paths(con, [path])
    assert rows(con, "SELECT user_text, reply_text, started_at, day FROM turns") == [
        (
            "look\nhere",
            "[1] is a citation, not parts",
            datetime(2025, 6, 1, 22, tzinfo=UTC),
            date(2025, 6, 1),
        )
    ]


def test_openai_chat_pairs_map_request_and_response(con):
    [result] = ingest_paths(con, [FIXTURES / "openai_chat.jsonl"])
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert rows(
        con,
        "SELECT conversation_id, model, surface, started_at, n_messages, metadata "
        "FROM conversations ORDER BY 1",
    ) == [
        (
            "chatcmpl-001",
            "gpt-x-2025-01-01",
            "api",
            datetime(2025, 3, 1, tzinfo=UTC),
            3,
            '{"app":"demo"}',
        ),
        ("chatcmpl-002", "gpt-x-2025-01-01", None, datetime(2025, 3, 2, tzinfo=UTC), 1, None),
    ]
    assert rows(con, f"SELECT {TURN_COLUMNS} FROM turns ORDER BY 1") == [
        (
            "chatcmpl-001:0",
            0,
            "You are helpful.",
            "Describe this picture.",
            "A cat on a mat.",
            None,
        ),
        ("chatcmpl-002:0", 0, None, "Hello?", None, None),
    ]
    assert rows(con, "SELECT line, reason FROM rejected_records") == [
        (3, "missing required field response.model")
    ]


def test_flat_rows_get_messages_and_deterministic_ids(con):
    [result] = ingest_paths(con, [FIXTURES / "flat.jsonl"])
    made_up = f"flat-{result.sha256[:12]}-2"
    assert rows(
        con, "SELECT conversation_id, model, surface, started_at FROM conversations ORDER BY 1"
    ) == [
        ("flat-1", "cook-1", "voice", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        (made_up, "cook-1", None, datetime(2025, 3, 1, 12, tzinfo=UTC)),
    ]
    assert rows(con, f"SELECT {TURN_COLUMNS} FROM turns ORDER BY 1") == [
        (
            "flat-1:0",
            0,
            "You are a cooking assistant.",
            "How do I boil an egg?",
            "Simmer it for nine minutes.",
            None,
        ),
        (f"{made_up}:0", 0, None, "Unanswered question", None, None),
    ]
    assert rows(con, "SELECT line, reason FROM rejected_records") == [
        (3, "missing required field prompt")
    ]


def test_flat_csv_rows(con):
    [result] = ingest_paths(con, [FIXTURES / "flat.csv"])
    assert rows(con, "SELECT turn_id, user_text, reply_text, day FROM turns ORDER BY 1") == [
        (f"flat-{result.sha256[:12]}-3:0", "No id here", None, date(2025, 3, 1)),
        ("row-1:0", "Say hi", "Hi!", date(2025, 3, 1)),
    ]


@pytest.mark.parametrize(
    ("messages", "reason"),
    [
        ('"hello"', "malformed JSON in field messages"),
        ("{}", "messages is not a list"),
        ("null", "missing required field messages"),
        ('[{"content": "who am I"}]', "missing role in messages[0]"),
        ('[{"role": "user", "content": null}]', "missing content in messages[0]"),
        ('[{"role": "user", "content": "hi"}, "text"]', "missing role in messages[1]"),
    ],
)
def test_messages_problems_name_the_field_and_index(con, tmp_path, messages, reason):
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        '{"conversation_id": "x", "model": "m", "started_at": "2025-01-01T00:00:00Z", '
        f'"messages": {messages}}}',
    )
    [result] = ingest_paths(con, [path])
    assert (result.rows_accepted, result.rows_rejected) == (0, 1)
    assert rows(con, "SELECT line, reason FROM rejected_records") == [(1, reason)]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ('"context_documents": "one doc"', "malformed JSON in field context_documents"),
        ('"context_documents": {"a": 1}', "context_documents is not a list"),
        ('"metadata": [1, 2]', "metadata is not an object"),
        ('"started_at": "infinity"', "unparseable started_at 'infinity'"),
        ('"conversation_id": "  "', "missing required field conversation_id"),
    ],
)
def test_optional_field_problems_are_rejected(con, tmp_path, extra, reason):
    base = {
        "conversation_id": '"x"',
        "model": '"m"',
        "started_at": '"2025-01-01T00:00:00Z"',
        "messages": '[{"role": "user", "content": "hi"}]',
    }
    key = extra.split(":")[0].strip('"')
    fields = [f'"{k}": {v}' for k, v in base.items() if k != key] + [extra]
    path = write_jsonl(tmp_path / "bad.jsonl", "{" + ", ".join(fields) + "}")
    ingest_paths(con, [path])
    assert rows(con, "SELECT reason FROM rejected_records") == [(reason,)]
