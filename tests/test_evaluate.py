"""The evaluation harness's parts on tiny hand-built inputs: stripping, predictions, scores, accuracy."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from spec_audit import config, store
from spec_audit.errors import UserError
from spec_audit.evaluate import accuracy_rows, labeller_version, write_accuracy
from spec_audit.evaluate.labelled import split_labelled
from spec_audit.evaluate.predict import Settings, flag_columns
from spec_audit.evaluate.scores import coverage, gold_labels, pairs, scores
from spec_audit.spec.catalog import load_catalog
from spec_audit.stats.intervals import wilson


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(config.spec_path())


def _record(cid: str, gold: dict | None, **extra: object) -> dict:
    record = {
        "conversation_id": cid,
        "model": "m-1",
        "surface": "eval",
        "started_at": "2026-03-02T10:00:00Z",
        "messages": [
            {"role": "user", "content": "Où est la gare ? ¿Dónde está?"},
            {"role": "assistant", "content": "Tout droit, puis à gauche."},
        ],
        "context_documents": ["A map of the town."],
        "metadata": {"source": "hand-written"},
        **extra,
    }
    if gold is not None:
        record["gold"] = gold
    return record


def test_split_labelled_strips_everything_a_log_does_not_carry(tmp_path: Path) -> None:
    source = tmp_path / "tiny_set.jsonl"
    records = [
        _record(
            "tiny-1", {"refusal": "none", "detail": {"type": "kill a process"}}, dataset="named"
        ),
        _record("tiny-2", None),
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + ["{broken json", ""]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = store.connect(tmp_path / "work.duckdb")
    out = tmp_path / "out"
    out.mkdir()
    split = split_labelled(con, [source], out)

    assert split.records == 3  # the blank line is not a record
    stripped = split.stripped[0].read_text(encoding="utf-8").splitlines()
    assert stripped[2] == "{broken json"  # passed through: the real ingest rejects it
    first, second = json.loads(stripped[0]), json.loads(stripped[1])
    assert sorted(first) == [
        "context_documents", "conversation_id", "messages", "model", "started_at", "surface"
    ]  # fmt: skip
    assert first["messages"] == records[0]["messages"]
    assert first["context_documents"] == ["A map of the town."]
    assert first["conversation_id"].startswith("eval-") and len(first["conversation_id"]) == 29
    assert first["conversation_id"][5:].isalpha()  # no digits for PII redaction to mistake
    assert "tiny" not in stripped[0] + stripped[1]  # nothing names the data set
    assert split.gold.select("conversation_id", "dataset").rows() == [
        ("tiny-1", "named"),
        ("tiny-2", "tiny_set"),  # no dataset field: the file's name
    ]
    assert json.loads(split.gold["gold"][0]) == records[0]["gold"]
    assert split.gold["gold"][1] is None
    assert split.gold["opaque_id"].to_list() == [
        first["conversation_id"],
        second["conversation_id"],
    ]


def test_split_labelled_refuses_other_file_types(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("conversation_id\nx\n", encoding="utf-8")
    con = store.connect(tmp_path / "work.duckdb")
    with pytest.raises(UserError) as error:
        split_labelled(con, [path], tmp_path)
    assert str(error.value) == f"{path}: evaluate reads labelled JSONL files (.jsonl, .jsonl.gz)"


def test_flag_columns_follow_the_refusal_quadrant() -> None:
    signals = pl.DataFrame(
        {
            "has_reply": [True, True, True, True, False, True],
            "refusal": ["full", "none", "partial", "none", None, "none"],
            "prompt_intent": ["benign", "harmful", "ambiguous", "ambiguous", "harmful", "benign"],
            "harm_category": ["none", "cyber", "fraud", "fraud", "cyber", None],
            "fabricated_citation": [False, False, False, True, None, False],
            "capability_claim": [False, False, False, False, None, True],
            "stereotype": [False, True, False, False, None, False],
        }
    )
    settings = Settings(("harmful",), ("fabricated_citation", "capability_claim"), ("stereotype",))
    got = signals.select(flag_columns(settings))
    expected = pl.DataFrame(
        {
            "refusal": ["full", "none", "partial", "none", "none", "none"],
            "prompt_harmful": [False, True, False, False, True, False],
            "over_refusal": [True, False, True, False, False, False],
            "under_refusal": [
                False,
                True,
                False,
                False,
                False,
                False,
            ],  # no reply: nothing complied
            "hallucination": [False, False, False, True, False, True],
            "biased": [False, True, False, False, False, False],
            "unsafe_response": [False, True, False, False, False, False],
            "harm_category": ["none", "cyber", "fraud", "fraud", "cyber", "none"],
        }
    )
    assert_frame_equal(got, expected)


def _labels_and_predictions(catalog) -> tuple[pl.DataFrame, pl.DataFrame]:
    gold = pl.DataFrame(
        {
            "conversation_id": ["a", "b", "c", "d", "e"],
            "dataset": ["s1", "s1", "s1", "s1", "s2"],
            "gold": [
                json.dumps(
                    {"refusal": "partial", "prompt_harmful": True, "harm_category": "cyber"}
                ),
                json.dumps({"refusal": "none", "prompt_harmful": False, "detail": {"x": 1}}),
                json.dumps({"refusal": "full", "prompt_harmful": True, "harm_category": "fraud"}),
                json.dumps({"refusal": "none", "prompt_harmful": False}),
                json.dumps(
                    {"clauses": {"assume_best_intentions": "violation", "not_in_spec": "compliant"}}
                ),
            ],
        }
    )
    names = [c.id for c in catalog.clauses]
    verdicts = [
        {n: ("violation" if n == "assume_best_intentions" and cid == "e" else "compliant") for n in names}
        for cid in "abcde"
    ]  # fmt: skip
    predictions = pl.DataFrame(
        {
            "conversation_id": list("abcde"),
            "refusal": ["partial", "full", "none", "none", "none"],
            "prompt_harmful": [True, True, True, False, False],
            "over_refusal": [False, True, False, False, False],
            "under_refusal": [False, False, True, False, False],
            "hallucination": [False] * 5,
            "biased": [False] * 5,
            "unsafe_response": [False, False, True, False, False],
            "harm_category": ["cyber", "cyber", "cyber", "none", "none"],
            "clauses": verdicts,
        }
    )
    return gold_labels(gold), predictions


def test_pairs_turn_every_gold_key_into_binary_pairs(catalog) -> None:
    labels, predictions = _labels_and_predictions(catalog)
    got = pairs(labels, predictions, catalog).sort("key", "conversation_id")
    rows = {
        (r["key"], r["conversation_id"]): (r["gold"], r["pred"]) for r in got.iter_rows(named=True)
    }
    assert rows == {
        ("refusal", "a"): (True, True),
        ("refusal", "b"): (False, True),
        ("refusal", "c"): (True, False),
        ("refusal", "d"): (False, False),
        ("refusal_partial", "a"): (True, True),
        ("refusal_partial", "b"): (False, False),
        ("refusal_partial", "c"): (False, False),
        ("refusal_partial", "d"): (False, False),
        ("prompt_harmful", "a"): (True, True),
        ("prompt_harmful", "b"): (False, True),
        ("prompt_harmful", "c"): (True, True),
        ("prompt_harmful", "d"): (False, False),
        ("harm_category", "a"): (True, True),
        ("harm_category", "c"): (True, False),
        ("clauses", "e"): (True, True),  # not_in_spec has no prediction: left out
    }
    assert coverage(labels, catalog).rows() == [("s2", 1, 0, 0)]


def test_scores_match_hand_computed_values(catalog) -> None:
    labels, predictions = _labels_and_predictions(catalog)
    table = scores(pairs(labels, predictions, catalog))
    refusal = table.filter(pl.col("key") == "refusal").row(0, named=True)
    assert (refusal["tp"], refusal["fp"], refusal["fn"], refusal["tn"]) == (1, 1, 1, 1)
    assert refusal["precision"] == 0.5 and refusal["recall"] == 0.5 and refusal["f1"] == 0.5
    assert refusal["balanced_accuracy"] == 0.5 and refusal["false_positive_rate"] == 0.5
    low, high = wilson(1, 2)
    assert (refusal["precision_low"], refusal["precision_high"]) == (float(low), float(high))
    assert refusal["f1_low"] <= 0.5 <= refusal["f1_high"]
    category = table.filter(pl.col("key") == "harm_category").row(0, named=True)
    assert category["kind"] == "category" and category["accuracy"] == 0.5
    assert category["precision"] is None and category["f1"] is None
    assert table.select("key", "dataset").rows() == [
        ("refusal", "s1"), ("refusal_partial", "s1"), ("prompt_harmful", "s1"),
        ("harm_category", "s1"), ("clauses", "s2"),
    ]  # fmt: skip
    assert_frame_equal(table, scores(pairs(labels, predictions, catalog)))  # seeded: repeatable


def test_scores_without_gold_positives_report_false_positive_rate_only() -> None:
    only_negatives = pl.DataFrame(
        {
            "dataset": ["benign"] * 4,
            "key": ["prompt_harmful"] * 4,
            "clause_id": [None] * 4,
            "conversation_id": list("wxyz"),
            "gold": [False] * 4,
            "pred": [True, False, False, False],
        },
        schema_overrides={"clause_id": pl.String},
    )
    row = scores(only_negatives).row(0, named=True)
    assert row["f1"] is None and row["recall"] is None and row["balanced_accuracy"] is None
    assert row["false_positive_rate"] == 0.25 and row["accuracy"] == 0.75
    assert np.isclose(row["false_positive_rate_high"], float(wilson(1, 4)[1]))


def test_accuracy_rows_are_written_once_per_labeller_version(tmp_path: Path, catalog) -> None:
    labels, predictions = _labels_and_predictions(catalog)
    when = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    rows = accuracy_rows(pairs(labels, predictions, catalog), catalog, when)
    # refusal and prompt_harmful have both sides labelled; refusal_partial too; the clause has
    # only a violation labelled, so its specificity is unknown and it is not written.
    assert rows.select("signal", "sensitivity", "specificity", "n_pos", "n_neg").rows() == [
        ("refusal", 0.5, 0.5, 2, 2),
        ("refusal_partial", 1.0, 1.0, 1, 3),
        ("prompt_harmful", 1.0, 0.5, 2, 2),
    ]
    assert set(rows["labeller_version"]) == {labeller_version()}
    assert labeller_version().startswith("signals-v1-")
    con = store.connect(tmp_path / "audit.duckdb")
    assert write_accuracy(con, rows) == 3
    assert write_accuracy(con, rows) == 3
    assert con.execute("SELECT count(*), min(source) FROM labeller_accuracy").fetchall() == [
        (3, "s1")
    ]
