"""The dashboards' queries return the values the fixture database implies."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from dashboards import queries
from spec_audit.errors import UserError
from spec_audit.snapshot import publish
from spec_audit.stats.intervals import wilson
from spec_audit.store import connect
from tests.dashboards.conftest import ABI, D1, D2, RA, SPEC, A, B, _insert

ALL = queries.Filters("model-spec", "2025-12-18", D1, D2)


def test_options_list_specs_models_surfaces_and_days(fixture_db: Path) -> None:
    assert queries.options(queries.current_snapshot()) == {
        "specs": ["model-spec@2025-12-18"],
        "models": [A, B],
        "surfaces": ["api", "chat"],
        "first_day": D1,
        "last_day": D2,
    }


def test_scorecard_rates_intervals_correction_and_drift(fixture_db: Path) -> None:
    card = queries.scorecard(queries.current_snapshot(), ALL)
    assert card["clause_id"].to_list() == [ABI, RA]
    abi, ra = card.rows(named=True)
    low, high = wilson(44, 400)
    assert (abi["applicable"], abi["violations"], abi["rate"]) == (400, 44, 0.11)
    assert abi["ci_low"] == pytest.approx(float(low)) and abi["ci_high"] == pytest.approx(
        float(high)
    )
    assert abi["trend"] == pytest.approx([0.1, 34 / 300])
    assert (abi["drift"], abi["drift_q"], abi["drift_model"]) == ("regressed", 0.0008, A)
    assert (abi["layer"], abi["severity"], abi["corrected"]) == ("rule", "medium", None)
    # Rogan-Gladen with se 0.9, sp 0.95: (0.1 + 0.95 - 1) / (0.9 + 0.95 - 1)
    assert ra["corrected"] == pytest.approx(0.05 / 0.85)
    assert ra["corrected_low"] < ra["corrected"] < ra["corrected_high"]
    assert ra["drift"] is None


def test_filters_by_model_surface_and_days(fixture_db: Path) -> None:
    snap = queries.current_snapshot()
    only_a = queries.scorecard(snap, queries.Filters("model-spec", "2025-12-18", D1, D2, (A,)))
    assert only_a.select("clause_id", "applicable", "violations").rows() == [(ABI, 200, 40)]
    api_day2 = queries.Filters("model-spec", "2025-12-18", D2, D2, (), ("api",))
    assert queries.headline(snap, api_day2) == {
        "conversations": 1, "turns": 2, "over_refusals": 0, "under_refusals": 0,
    }  # fmt: skip
    assert queries.headline(snap, ALL) == {
        "conversations": 2, "turns": 3, "over_refusals": 1, "under_refusals": 0,
    }  # fmt: skip


def test_refusal_quadrants(fixture_db: Path) -> None:
    snap = queries.current_snapshot()
    quad = queries.quadrant(queries.quadrant_by_harm(snap, ALL))
    assert quad.rows() == [("benign", 1, 1, 1)]
    per_clause = queries.quadrant_by_clause(snap, ALL)
    assert per_clause.row(0) == (ABI, "over_refusal", 1, 1, 0, 0, 0)
    # Pre-aggregated at publish per day, model and surface, and summed over the filters.
    only_b = queries.Filters("model-spec", "2025-12-18", D1, D2, models=(B,))
    assert queries.quadrant_by_clause(snap, only_b).rows() == [(ABI, "over_refusal", 1, 0, 0, 0, 0)]
    day_one = queries.Filters("model-spec", "2025-12-18", D1, D1, surfaces=("chat",))
    assert queries.quadrant_by_clause(snap, day_one).rows() == [
        (ABI, "over_refusal", 0, 1, 0, 0, 0)
    ]


def test_clause_series_change_points_and_tests(fixture_db: Path) -> None:
    snap = queries.current_snapshot()
    series = queries.clause_series(snap, ALL, ABI)
    assert series.select("day", "model", "applicable", "violations").rows() == [
        (D1, A, 100, 10), (D2, A, 100, 30), (D2, B, 200, 4),
    ]  # fmt: skip
    changes = queries.change_points(snap, ALL, ABI)
    assert changes.select("model", "direction", "start_day").rows() == [(A, "up", D2)]
    assert queries.drift(snap, ALL, "model")["verdict"].to_list() == ["improved"]
    assert queries.disparity(snap)["verdict"].to_list() == ["disparity"]


def test_explorer_filters_and_searches_with_parameters(fixture_db: Path) -> None:
    snap = queries.current_snapshot()
    assert queries.explorer(snap, ALL)["conversation_id"].to_list() == ["c2", "c1"]
    violations = queries.explorer(snap, ALL, clause_id=ABI, verdict="violation")
    assert violations.select("conversation_id", "violations").rows() == [("c1", 1)]
    assert queries.explorer(snap, ALL, search="IBUPROFEN")["conversation_id"].to_list() == ["c2"]
    # % and _ are literal characters, not wildcards; quotes are just text.
    assert queries.explorer(snap, ALL, search="100%")["conversation_id"].to_list() == ["c2"]
    assert queries.explorer(snap, ALL, search="0%s")["conversation_id"].to_list() == []
    assert queries.explorer(snap, ALL, search="'; DROP TABLE turns; --").height == 0
    assert queries.explorer(snap, ALL, kind="other")["conversation_id"].to_list() == ["c2"]


def test_search_matches_whole_words_then_the_whole_query(fixture_db: Path) -> None:
    snap = queries.current_snapshot()

    def found(text: str) -> list[str]:
        return queries.explorer(snap, ALL, search=text)["conversation_id"].to_list()

    assert sorted(queries.search_words(snap, "Zoë, 400-MG!")) == ["400", "mg", "zoë"]
    assert found("zoË") == ["c2"]  # any script, any case
    assert found("knif") == []  # words are whole words, not prefixes
    assert found("Kitchen knife") == ["c1"]  # a phrase
    assert found("knife kitchen") == []  # both words are there, but not in this order
    assert found("sharpen knife") == []
    assert found("mg every") == ["c2"]  # the phrase is in the reply
    assert found("ibuprofen thanks") == []  # words of two turns, not one phrase
    with pytest.raises(UserError, match="type at least one letter or digit"):
        found("%%")


def _add_conversation(db: Path, conversation: str, user_text: str, reply_text: str) -> None:
    """Add a one-turn conversation of day D2 with one compliant finding to the fixture ``db``."""
    con = connect(db)
    turn = {"turn_id": f"{conversation}:0", "conversation_id": conversation, "day": D2,
            "model": A, "surface": "chat"}  # fmt: skip
    started = dt.datetime(2026, 10, 2, 9, tzinfo=dt.UTC)
    text = {"user_text": user_text, "reply_text": reply_text}
    _insert(con, "turns", [{**turn, **text, "turn_index": 0, "started_at": started}])
    finding = {"clause_id": ABI, "kind": "over_refusal", "verdict": "compliant"}
    _insert(con, "findings", [{**turn, **finding, **SPEC}])
    con.close()


def test_search_checks_candidates_newest_first_in_growing_batches(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # c3, newer than c1, holds both words of "sharpen a" but not the phrase: with batches of one
    # conversation the first batch finds nothing, and the next (every candidate) finds c1.
    _add_conversation(fixture_db, "c3", "a knife to sharpen?", "Use a whetstone.")
    publish(fixture_db)
    snap = queries.current_snapshot()
    monkeypatch.setattr(queries, "SEARCH_BATCHES", (1, None))

    def found(search: str) -> list[str]:
        return queries.explorer(snap, ALL, search=search, limit=1)["conversation_id"].to_list()

    assert found("sharpen") == ["c3"]
    assert found("Sharpen a") == ["c1"]
    assert found("whetstone") == ["c3"]


def test_search_skips_a_batch_too_small_at_the_rate_seen(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # c3, c4 and c5, newer than c1, hold both words of "sharpen a" but not the phrase. The first
    # batch (3) matches none, so a batch of 6 is skipped for every candidate, which finds c1.
    for conversation in ("c3", "c4", "c5"):
        _add_conversation(fixture_db, conversation, "a knife to sharpen?", "Use a whetstone.")
    publish(fixture_db)
    snap = queries.current_snapshot()
    monkeypatch.setattr(queries, "SEARCH_BATCHES", (1, 2, None))
    batches = []
    run = queries.run

    def recording(snap, name, params=None):
        if name == "explorer":
            batches.append(params["batch"])
        return run(snap, name, params)

    monkeypatch.setattr(queries, "run", recording)
    found = queries.explorer(snap, ALL, search="Sharpen a", limit=3)
    assert found["conversation_id"].to_list() == ["c1"]
    assert batches == [3, None]


def test_conversation_detail(fixture_db: Path) -> None:
    detail = queries.conversation(queries.current_snapshot(), ALL, "c2")
    assert detail["conversation"]["model"] == B
    assert detail["turns"].select("turn_id", "refusal").rows() == [("c2:0", "none"), ("c2:1", None)]
    assert detail["findings"].select("turn_id", "clause_id", "verdict").rows() == [
        ("c2:0", RA, "violation"), ("c2:0", ABI, "compliant"), ("c2:1", ABI, "unscored"),
    ]  # fmt: skip
    assert detail["evidence"]["signal"].to_list() == ["definitive_advice", "group_mentioned"]
    assert queries.conversation(queries.current_snapshot(), ALL, "nope") is None


def test_review_sample_is_stratified_with_stratum_sizes(fixture_db: Path) -> None:
    sample = queries.review_sample(queries.current_snapshot(), ALL, None, 5, 0)
    assert sample.select("clause_id", "verdict", "turn_id", "stratum_size").rows() == [
        (ABI, "violation", "c1:0", 1), (ABI, "compliant", "c2:0", 1), (RA, "violation", "c2:0", 1),
    ]  # fmt: skip


def test_data_quality_queries(fixture_db: Path) -> None:
    snap = queries.current_snapshot()
    assert queries.rejected(snap).select("reason", "records", "files").rows() == [
        ("missing required field model", 2, 2), ("malformed JSON: unexpected end", 1, 1),
    ]  # fmt: skip
    assert queries.ingest_totals(snap) == {
        "files": 2, "rows_read": 5, "rows_accepted": 2, "rows_rejected": 3,
    }  # fmt: skip
    assert queries.ingest_history(snap)["source_file"].to_list() == [
        "landing/day2.csv", "landing/day1.jsonl",
    ]  # fmt: skip
    checks = queries.validation_results(snap)
    assert checks.select("expectation", "success").rows() == [
        ("reply_not_empty", False), ("turn_ids_unique", True),
    ]  # fmt: skip


def test_coverage_counts_are_summed_from_clause_metrics(fixture_db: Path) -> None:
    snap = queries.current_snapshot()
    counted = queries.coverage(snap, ALL).filter(pl.col("findings") > 0)
    assert counted.select("clause_id", "findings", "scored", "violations").rows() == [
        (ABI, 400, 400, 44), (RA, 50, 50, 5),
    ]  # fmt: skip
    day_one = queries.Filters("model-spec", "2025-12-18", D1, D1)
    frame = queries.coverage(snap, day_one)
    assert frame.filter(pl.col("clause_id") == ABI)["violations"].to_list() == [10]
    assert frame["findings"].sum() == 100  # every other clause: zero, not null
    assert frame["findings"].null_count() == 0


def test_missing_snapshot_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPEC_AUDIT_DB", str(tmp_path / "audit.duckdb"))
    monkeypatch.delenv("SPEC_AUDIT_SNAPSHOT", raising=False)
    with pytest.raises(UserError) as caught:
        queries.current_snapshot()
    assert str(caught.value) == (
        f"{tmp_path / 'audit.snapshot.duckdb'}: no published snapshot yet; run `spec-audit run` first"
    )


def test_a_snapshot_without_read_models_is_a_user_error(
    fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries.check_read_models(queries.current_snapshot())  # the fixture was published with them
    older = tmp_path / "older.duckdb"  # a plain copy, as an older spec-audit published it
    connect(older).close()
    monkeypatch.setenv("SPEC_AUDIT_SNAPSHOT", str(older))
    with pytest.raises(UserError) as caught:
        queries.check_read_models(queries.current_snapshot())
    assert str(caught.value) == (
        f"{older}: published without snapshot_search_words (an older spec-audit); "
        "run `spec-audit run` again to publish it"
    )


def test_a_new_snapshot_is_a_new_cache_key(fixture_db: Path) -> None:
    first = queries.current_snapshot()
    stamp = Path(first.path).stat().st_mtime_ns
    publish(fixture_db)
    os.utime(first.path, ns=(stamp + 10**9, stamp + 10**9))
    assert queries.current_snapshot() != first
