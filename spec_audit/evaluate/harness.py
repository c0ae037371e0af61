"""The evaluation harness: labelled files through the real ingest, labellers and judge, then scored.

Runs in a temporary DuckDB file: the stripped copies of the labelled files (``labelled``) are
ingested by ``spec_audit.ingest.ingest_paths`` and audited by ``spec_audit.audit.audit`` over every
day present, exactly as production logs are; predictions are read back from the last turns
(``predict``) and compared with the gold kept aside (``scores``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from spec_audit import store
from spec_audit.audit import audit, days_with_turns
from spec_audit.evaluate.labelled import split_labelled
from spec_audit.evaluate.predict import predict
from spec_audit.evaluate.scores import coverage, gold_labels, pairs, scores
from spec_audit.ingest import ingest_paths
from spec_audit.progress import Progress, silent
from spec_audit.spec.catalog import Catalog


@dataclass(frozen=True)
class Evaluation:
    """Everything one evaluation measured."""

    #: conversation_id, dataset, the prediction fields and ``clauses`` (struct), in input order
    predictions: pl.DataFrame
    #: gold labels, one row per (conversation, key[, clause])
    labels: pl.DataFrame
    #: (dataset, key, clause_id, conversation_id, gold, pred) as scored
    pairs: pl.DataFrame
    #: per (key, dataset) metrics with 95% intervals (``scores.scores``)
    scores: pl.DataFrame
    #: per dataset with clause labels: rows, rows in the catalog, rows testable
    coverage: pl.DataFrame
    files: int
    records: int
    turns: int
    #: conversations with no turn in the database (rejected records): predicted as empty
    without_turns: int
    #: reason → records the ingest rejected
    rejected: dict[str, int]


def evaluate(
    paths: list[Path], catalog: Catalog, *, progress: Progress = silent, seed: int = 0
) -> Evaluation:
    """Return the evaluation of the labelled JSONL files ``paths`` under ``catalog``."""
    with tempfile.TemporaryDirectory(prefix="spec-audit-evaluate-") as work:
        con = store.connect(Path(work) / "evaluate.duckdb")
        try:
            files = split_labelled(con, paths, Path(work))
            ingest_paths(con, files.stripped)
            days = days_with_turns(con)
            if days:
                audit(con, days, catalog, progress)
            predicted = predict(con, files.gold["opaque_id"], catalog)
            turns = con.execute("SELECT count(*) FROM turns").fetchall()[0][0]
            without_turns = con.execute(
                "SELECT count(*) FROM (SELECT unnest(?::VARCHAR[]) AS id) "
                "WHERE id NOT IN (SELECT conversation_id FROM turns)",
                [files.gold["opaque_id"].to_list()],
            ).fetchall()[0][0]
            rejected = dict(
                con.execute(
                    "SELECT reason, count(*) FROM rejected_records GROUP BY reason ORDER BY 2 DESC"
                ).fetchall()
            )
        finally:
            con.close()
    predictions = (
        files.gold.select("conversation_id", "opaque_id", "dataset")
        .join(predicted.rename({"conversation_id": "opaque_id"}), on="opaque_id", how="left")
        .drop("opaque_id")
    )
    labels = gold_labels(files.gold)
    scored = pairs(labels, predictions, catalog)
    return Evaluation(
        predictions=predictions,
        labels=labels,
        pairs=scored,
        scores=scores(scored, seed=seed),
        coverage=coverage(labels, catalog),
        files=len(files.stripped),
        records=files.records,
        turns=turns,
        without_turns=without_turns,
        rejected=rejected,
    )
