"""Audit batches: whole days up to BATCH_TURNS turns, a larger day split into parts by turn id,
and the same rows whatever the batch size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from spec_audit import audit, config, findings, signals, store
from spec_audit.spec.catalog import load_catalog
from tests.conftest import generated_database

DAYS = [dt.date(2026, 10, d) for d in (1, 2, 3, 4)]
AUDIT_TABLES = ("signals", "evidence", "findings", "clause_metrics")


def turns_per_day(con, counts: dict[dt.date, int]) -> None:
    """Insert ``counts[day]`` turns on each day, ids ``<day>-<n>`` (n zero-padded, so in order)."""
    con.executemany(
        "INSERT INTO turns (turn_id, conversation_id, turn_index, day, model, started_at, "
        "user_text) VALUES (?, ?, 0, ?, 'm1', ?::TIMESTAMPTZ, 'hello')",
        [
            (f"{day}-{n:02d}", f"{day}-{n:02d}", day, f"{day} 12:00:00+00")
            for day, count in counts.items()
            for n in range(count)
        ],
    )


def test_days_are_grouped_up_to_the_bound_and_a_larger_day_is_split(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "audit.duckdb")
    turns_per_day(con, dict(zip(DAYS, (3, 2, 7, 1), strict=True)))
    got = list(audit.batches(con, DAYS, max_turns=5))
    d1, d2, d3, d4 = DAYS
    assert [b.days for b in got] == [[d1, d2], [d3], [d4]]
    assert got[0].parts == got[2].parts == ((None, None),)
    # 7 turns, at most 5 a part: two parts of 4 and 3 turns, split at the 4th turn id.
    assert got[1].parts == ((None, f"{d3}-03"), (f"{d3}-03", None))
    sizes = [signals.read_turns(con, [d3], part).height for part in got[1].parts]
    assert sizes == [4, 3]
    # The default bound is read when batching, so changing it takes effect.
    assert [b.days for b in audit.batches(con, DAYS)] == [DAYS]


def test_a_day_of_exactly_the_bound_is_not_split(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "audit.duckdb")
    turns_per_day(con, {DAYS[0]: 4, DAYS[1]: 9})
    got = list(audit.batches(con, DAYS[:2], max_turns=4))
    assert [(b.days, len(b.parts)) for b in got] == [([DAYS[0]], 1), ([DAYS[1]], 3)]
    parts = got[1].parts
    assert [signals.read_turns(con, [DAYS[1]], p).height for p in parts] == [3, 3, 3]


def table_rows(db: Path) -> dict[str, list[tuple]]:
    """Return every row of the audit tables, sorted (a multiset: duplicates kept)."""
    con = store.connect(db, read_only=True)
    try:
        return {
            t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in AUDIT_TABLES
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_database(
        tmp_path_factory.mktemp("batches"), conversations=120, days=3, seed=13
    )


def audited_copy(ingested: Path, name: str) -> Path:
    db = ingested.with_name(f"{name}.duckdb")
    db.write_bytes(ingested.read_bytes())
    con = store.connect(db)
    try:
        days = audit.days_with_turns(con)
        audit.audit(con, days, load_catalog(config.spec_path()))
    finally:
        con.close()
    return db


def test_tiny_batches_and_judge_chunks_give_the_same_tables(
    ingested: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = table_rows(audited_copy(ingested, "whole"))
    assert len(whole["signals"]) > 200 and len(whole["findings"]) > 2000
    # Every day (60-80 turns) split into parts of at most 23 turns, judged 11 at a time.
    monkeypatch.setattr(audit, "BATCH_TURNS", 23)
    monkeypatch.setattr(findings, "JUDGE_TURNS", 11)
    con = store.connect(ingested, read_only=True)
    try:
        split = [b for b in audit.batches(con, audit.days_with_turns(con)) if len(b.parts) > 1]
    finally:
        con.close()
    assert len(split) == 3 and all(len(b.parts) >= 3 for b in split)
    assert table_rows(audited_copy(ingested, "tiny")) == whole


def test_a_day_in_parts_is_replaced_in_one_transaction(
    ingested: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = audited_copy(ingested, "failing")
    before = table_rows(db)
    monkeypatch.setattr(audit, "BATCH_TURNS", 25)
    labelled = signals.label
    calls = []

    def fail_on_third_part(turns):
        calls.append(turns.height)
        if len(calls) == 3:
            raise RuntimeError("killed mid-day")
        return labelled(turns)

    monkeypatch.setattr(signals, "label", fail_on_third_part)
    con = store.connect(db)
    try:
        day = audit.days_with_turns(con)[0]
        with pytest.raises(RuntimeError, match="killed mid-day"):
            audit.label(con, [day])
    finally:
        con.close()
    # The day's delete and the two parts written before the failure were rolled back together.
    assert len(calls) == 3 and sum(calls[:2]) < len([r for r in before["signals"] if r[2] == day])
    assert table_rows(db) == before


def test_auditing_caps_duckdb_memory_and_restores_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = "SELECT current_setting('memory_limit')"
    seen: list[str] = []

    def label_days(con, days, parts):
        seen.append(con.execute(limit).fetchall()[0][0])
        return {"signals": len(days)}

    monkeypatch.setattr(audit, "label_days", label_days)
    con = store.connect(tmp_path / "audit.duckdb")
    turns_per_day(con, {DAYS[0]: 2, DAYS[1]: 2})
    con.execute("SET memory_limit = '2GiB'")
    assert audit.label(con, DAYS[:2]) == 2
    assert (seen, con.execute(limit).fetchall()[0][0]) == (["953.6 MiB"], "2.0 GiB")
