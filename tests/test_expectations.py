"""Data-quality suites: they pass on a good audit database and catch deliberate corruption.

One audited database (the shared ``audited`` fixture, so these tests are marked slow) is copied per
test that corrupts it; Great Expectations is imported once per process, so each validation costs
well under a second.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from expectations import ingest, turns
from expectations.runner import load_thresholds, run_suite
from spec_audit import store, validation
from spec_audit.errors import UserError
from spec_audit.validation import TABLES, validate


@pytest.fixture(scope="module")
def good(audited: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Validate a copy of the audited database once; share its results."""
    db = tmp_path_factory.mktemp("validated") / "audit.duckdb"
    shutil.copyfile(audited["db"], db)
    con = store.connect(db)
    try:
        con.execute("DELETE FROM validation_results")  # `spec-audit run` validated it already
        results = validate(con, run_id="good-run")
        rows = con.execute(
            "SELECT count(*), count(DISTINCT run_id), min(run_id), count(*) FILTER (WHERE success) "
            "FROM validation_results"
        ).fetchall()[0]
    finally:
        con.close()
    return {"db": db, "results": results, "rows": rows}


@pytest.fixture()
def corrupt(audited: dict[str, object], tmp_path: Path):
    """Return a function that applies SQL to a fresh copy of the audited database and validates."""

    def apply(sql: str, tables: list[str]):
        db = tmp_path / "corrupt.duckdb"
        shutil.copyfile(audited["db"], db)
        con = store.connect(db)
        try:
            con.execute(sql)
            return validate(con, tables)
        finally:
            con.close()

    return apply


@pytest.mark.slow
def test_every_suite_passes_on_a_good_database(good: dict[str, object]) -> None:
    results = good["results"]
    failed = [
        (r.table, r.expectation, r.column, r.observed_value) for r in results if not r.success
    ]
    assert failed == []
    assert {r.table for r in results} == set(TABLES)
    assert {r.kind for r in results} == {"expectation", "sql"}
    # Every result is stored once under the run id, all of them passed.
    assert good["rows"] == (len(results), 1, "good-run", len(results))
    by_name = {(r.table, r.expectation): r for r in results if r.kind == "sql"}
    assert by_name[("signals", "signals_match_turns")].unexpected_count == 0
    assert by_name[("signals", "signals_match_turns")].element_count > 0


@pytest.mark.slow
def test_results_carry_counts_thresholds_and_details(good: dict[str, object]) -> None:
    [empty] = [r for r in good["results"] if r.table == "turns" and r.column == "reply_present"]
    assert empty.severity == "warn"
    assert empty.details["mostly"] == pytest.approx(0.95)
    assert empty.element_count > 0 and 0 <= empty.unexpected_count < empty.element_count
    con = store.connect(good["db"], read_only=True)
    try:
        details = con.execute(
            "SELECT details FROM validation_results WHERE table_name = 'turns' "
            "AND column_name = 'reply_present'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert json.loads(details)["mostly"] == pytest.approx(0.95)


CORRUPTIONS = {
    "future start": (
        "UPDATE turns SET started_at = TIMESTAMPTZ '2099-01-01 00:00:00+00' "
        "WHERE turn_id IN (SELECT turn_id FROM turns ORDER BY turn_id LIMIT 2)",
        "turns", "expect_column_values_to_be_between", "started_at", 2,
    ),
    "turn lost": (
        "DELETE FROM turns WHERE turn_id = (SELECT min(turn_id) FROM turns)",
        "turns", "turns_match_conversations", None, 1,
    ),
    "unknown refusal value": (
        "UPDATE signals SET refusal = 'maybe' "
        "WHERE turn_id IN (SELECT turn_id FROM signals WHERE has_reply ORDER BY turn_id LIMIT 3)",
        "signals", "expect_column_values_to_be_in_set", "refusal", 3,
    ),
    "signals rows missing": (
        "DELETE FROM signals WHERE turn_id IN (SELECT turn_id FROM signals ORDER BY turn_id LIMIT 2)",
        "signals", "signals_match_turns", None, 2,
    ),
    "unknown verdict": (
        "UPDATE findings SET verdict = 'maybe' WHERE rowid IN (SELECT rowid FROM findings ORDER BY rowid LIMIT 4)",
        "findings", "expect_column_values_to_be_in_set", "verdict", 4,
    ),
    "duplicated finding": (
        "INSERT INTO findings SELECT * FROM findings WHERE rowid = (SELECT min(rowid) FROM findings)",
        "findings", "expect_compound_columns_to_be_unique",
        "turn_id,spec_id,spec_version,clause_id", 2,
    ),
    "finding for a lost turn": (
        "UPDATE findings SET turn_id = 'nowhere:0' WHERE rowid IN (SELECT rowid FROM findings ORDER BY rowid LIMIT 3)",
        "findings", "findings_have_turns", None, 3,
    ),
    "interval misses its rate": (
        "UPDATE clause_metrics SET ci_low = rate + 0.1 WHERE rowid IN (SELECT rowid FROM clause_metrics ORDER BY rowid LIMIT 2)",
        "clause_metrics", "expect_column_values_to_be_between", "rate_minus_ci_low", 2,
    ),
    "rate above one": (
        "UPDATE clause_metrics SET rate = 1.5 WHERE rowid = (SELECT min(rowid) FROM clause_metrics)",
        "clause_metrics", "expect_column_values_to_be_between", "rate", 1,
    ),
    "metrics disagree with findings": (
        "UPDATE clause_metrics SET violations = violations + 1 WHERE rowid IN (SELECT rowid FROM clause_metrics ORDER BY rowid LIMIT 3)",
        "clause_metrics", "clause_metrics_match_findings", None, 3,
    ),
    "manifest does not add up": (
        "UPDATE ingest_manifest SET rows_read = rows_read + 1 WHERE rowid = 0",
        "ingest_manifest", "expect_column_pair_values_to_be_equal", "rows_read,rows_accounted", 1,
    ),
    "manifest disagrees with stored rows": (
        "UPDATE ingest_manifest SET rows_accepted = rows_accepted - 1, "
        "rows_rejected = rows_rejected + 1 WHERE rowid < 2",
        "ingest_manifest", "manifest_matches_stored_rows", None, 2,
    ),
    "rejected line zero": (
        "UPDATE rejected_records SET line = 0 WHERE rowid = 0",
        "rejected_records", "expect_column_values_to_be_between", "line", 1,
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corruption_fails_the_right_expectation(corrupt, name: str) -> None:
    sql, table, expectation, column, unexpected = CORRUPTIONS[name]
    results = corrupt(sql, [table])
    failed = [(r.expectation, r.column, r.unexpected_count) for r in results if not r.success]
    assert (expectation, column, unexpected) in failed
    [result] = [r for r in results if (r.expectation, r.column) == (expectation, column)]
    assert result.severity == "error" and result.blocking


@pytest.mark.slow
def test_missing_and_retyped_columns_fail_the_schema_check(corrupt) -> None:
    results = corrupt(
        "ALTER TABLE clause_metrics DROP COLUMN unscored; "
        "ALTER TABLE clause_metrics ALTER COLUMN rate TYPE VARCHAR; "
        "ALTER TABLE clause_metrics ADD COLUMN note VARCHAR",
        ["clause_metrics"],
    )
    by_name = {r.expectation: r for r in results if r.kind == "sql"}
    schema = by_name["declared_columns_and_types"]
    assert (schema.success, schema.unexpected_count) == (False, 2)
    assert schema.details["problems"] == ["unscored: missing", "rate: VARCHAR, want DOUBLE"]
    extra = by_name["no_undeclared_columns"]
    assert (extra.success, extra.severity, extra.observed_value) == (False, "warn", "note")


@pytest.mark.slow
def test_thresholds_and_clock_are_parameters(audited: dict[str, object], tmp_path: Path) -> None:
    db = tmp_path / "audit.duckdb"
    shutil.copyfile(audited["db"], db)
    thresholds = load_thresholds()
    thresholds["turns"] = {**thresholds["turns"], "max_empty_reply_share": 0.0}
    con = store.connect(db)
    try:
        no_reply = con.execute(
            "SELECT count(*) FROM turns WHERE nullif(trim(reply_text), '') IS NULL"
        ).fetchall()[0][0]
        last = con.execute("SELECT max(started_at) FROM turns").fetchall()[0][0]
        # The data's last day seen from the day before it: those turns are in the future.
        early = last - dt.timedelta(days=2)
        in_future = con.execute(
            "SELECT count(*) FROM turns WHERE started_at > $t", {"t": early + dt.timedelta(days=1)}
        ).fetchall()[0][0]
        results = validate(con, ["turns"], thresholds=thresholds, now=early)
    finally:
        con.close()
    by_column = {r.column: r for r in results if not r.success}
    assert no_reply > 0
    assert (by_column["reply_present"].unexpected_count, by_column["reply_present"].severity) == (
        no_reply,
        "warn",
    )
    assert not by_column["reply_present"].blocking
    assert by_column["started_at"].unexpected_count == in_future > 0


def test_a_frame_is_validated_like_a_table() -> None:
    frame = pl.DataFrame(
        {
            "turn_id": ["c1:0", "c1:1", "c2:0"],
            "conversation_id": ["c1", "c1", "c2"],
            "turn_index": pl.Series([0, 1, 0], dtype=pl.Int32),
            "day": [dt.date(2026, 10, 1)] * 3,
            "model": ["m", "m", "m"],
            "surface": [None, None, "chat"],
            "started_at": [dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)] * 3,
            "system_text": [None, None, None],
            "user_text": ["hello", None, "ça va ?"],
            "reply_text": ["hi", "", "oui"],
            "context_text": [None, "user: hello", None],
            "context_documents": [[], [], ["doc"]],
        },
        schema_overrides={"system_text": pl.String, "context_text": pl.String},
    )
    suite = turns.suite(load_thresholds(), now=dt.datetime(2026, 10, 2, tzinfo=dt.UTC))
    results = run_suite(suite, frame)
    failed = {(r.expectation, r.column): r.unexpected_count for r in results if not r.success}
    # One missing user message; one blank reply in three is over the 5% allowed.
    assert failed == {
        ("expect_column_values_to_not_be_null", "user_text"): 1,
        ("expect_column_values_to_not_be_null", "reply_present"): 1,
    }
    assert run_suite(suite, frame.to_pandas())[2:] == results[2:]


def test_unknown_table_and_missing_threshold_are_user_errors(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "empty.duckdb")
    try:
        with pytest.raises(UserError, match=r"^--table 'evidence': no suite for it \(tables: "):
            validate(con, ["evidence"])
        with pytest.raises(
            UserError, match=r"^thresholds: missing setting turns.max_user_text_chars$"
        ):
            validate(
                con,
                ["turns"],
                thresholds={**load_thresholds(), "turns": {"max_empty_reply_share": 0.1}},
            )
    finally:
        con.close()


SPREAD = {
    "findings": (
        # Two copies of one finding and four unknown verdicts, on four different days.
        "INSERT INTO findings SELECT * FROM findings WHERE rowid = (SELECT max(rowid) FROM findings); "
        "UPDATE findings SET verdict = 'maybe' WHERE rowid IN "
        "(SELECT min(rowid) FROM findings GROUP BY day ORDER BY day LIMIT 4)",
        {
            ("expect_column_values_to_be_in_set", "verdict"): "verdict = 'maybe'",
            ("expect_compound_columns_to_be_unique", "turn_id,spec_id,spec_version,clause_id"):
                "(turn_id, spec_id, spec_version, clause_id) IN (SELECT (turn_id, spec_id, "
                "spec_version, clause_id) FROM findings GROUP BY ALL HAVING count(*) > 1)",
        },
    ),
    "turns": (
        "UPDATE turns SET reply_text = ' ' WHERE rowid IN (SELECT rowid FROM turns ORDER BY turn_id LIMIT 9); "
        "UPDATE turns SET started_at = TIMESTAMPTZ '2099-01-01 00:00:00+00' "
        "WHERE rowid IN (SELECT max(rowid) FROM turns GROUP BY day ORDER BY day LIMIT 3)",
        {
            ("expect_column_values_to_not_be_null", "reply_present"): "trim(reply_text) = '' OR reply_text IS NULL",
            ("expect_column_values_to_be_between", "started_at"): "year(started_at) = 2099",
            ("expect_column_pair_values_to_be_equal", "day,start_day"): "year(started_at) = 2099",
        },
    ),
    "signals": (
        "UPDATE signals SET refusal = 'maybe' WHERE rowid IN "
        "(SELECT min(rowid) FROM signals WHERE has_reply GROUP BY day ORDER BY day LIMIT 5)",
        {("expect_column_values_to_be_in_set", "refusal"): "refusal = 'maybe'"},
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("table", list(SPREAD))
def test_counts_are_those_of_the_rows_of_the_days_asked_for(
    audited: dict[str, object], tmp_path: Path, table: str
) -> None:
    """Counted in SQL by Great Expectations, a check counts every row of its days, and only those."""
    db = tmp_path / "spread.duckdb"
    shutil.copyfile(audited["db"], db)
    corruption, unexpected = SPREAD[table]
    thresholds = load_thresholds()
    thresholds["turns"] = {**thresholds["turns"], "max_empty_reply_share": 0.001}
    con = store.connect(db)
    try:
        con.execute(corruption)
        days = [
            row[0]
            for row in con.execute(f"SELECT DISTINCT day FROM {table} ORDER BY day").fetchall()
        ]
        one_day = [days[0]]  # a rerun of the first day, which every corruption touches
        for chosen in (days, one_day):
            results = validate(con, [table], days=chosen, thresholds=thresholds)
            rows = con.execute(
                f"SELECT count(*) FROM {table} WHERE day IN (SELECT unnest($days))",
                {"days": chosen},
            ).fetchall()[0][0]
            by_check = {(r.expectation, r.column): r for r in results if r.kind == "expectation"}
            assert {r.element_count for r in by_check.values()} == {rows}
            for check, where in unexpected.items():
                expected = con.execute(
                    f"SELECT count(*) FROM {table} WHERE ({where}) AND day IN (SELECT unnest($days))",
                    {"days": chosen},
                ).fetchall()[0][0]
                assert (check, by_check[check].unexpected_count) == (check, expected)
                # Examples of the unexpected values exactly when there are some.
                values = [v["value"] for v in by_check[check].details.get("unexpected_values", [])]
                assert bool(values) == (expected > 0)
                assert "maybe" in values or "maybe" not in where or not expected
                assert expected > 0 or chosen == one_day
            assert all(r.success for c, r in by_check.items() if c not in unexpected)
    finally:
        con.close()


def test_validation_caps_duckdb_memory_and_restores_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = "SELECT current_setting('memory_limit')"
    seen: list[str] = []
    run = validation.run_suite

    def capped(suite, con, *, days):
        seen.append(con.execute(limit).fetchall()[0][0])
        return run(suite, con, days=days)

    monkeypatch.setattr(validation, "run_suite", capped)
    con = store.connect(tmp_path / "empty.duckdb")
    try:
        default = con.execute(limit).fetchall()[0][0]
        validate(con, ["ingest_manifest"])
        assert (seen, con.execute(limit).fetchall()[0][0]) == (["953.6 MiB"], default)
        con.execute("SET memory_limit = '2GiB'")  # printed exactly, so restored exactly
        validate(con, ["ingest_manifest"])
        assert (seen[1:], con.execute(limit).fetchall()[0][0]) == (["953.6 MiB"], "2.0 GiB")
    finally:
        con.close()


def test_great_expectations_reads_through_the_callers_transaction(tmp_path: Path) -> None:
    """The suite sees the caller's uncommitted rows, and leaves the transaction to the caller."""
    con = store.connect(tmp_path / "audit.duckdb")
    try:
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO rejected_records VALUES "
            "('ab', 'day1.jsonl', 0, 'not JSON', '{'), ('ab', 'day1.jsonl', 0, 'not JSON', '{')"
        )
        results = run_suite(ingest.rejected_suite(load_thresholds()), con)
        failed = {(r.expectation, r.column): r.unexpected_count for r in results if not r.success}
        assert failed == {
            ("expect_column_values_to_be_between", "line"): 2,
            ("expect_compound_columns_to_be_unique", "source_sha256,line"): 2,
        }
        con.execute("ROLLBACK")  # fails if Great Expectations ended the transaction
        assert con.execute("SELECT count(*) FROM rejected_records").fetchall() == [(0,)]
    finally:
        con.close()
