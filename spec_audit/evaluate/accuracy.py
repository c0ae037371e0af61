"""Measured labeller accuracy: sensitivity and specificity rows for ``labeller_accuracy``.

Per clause (its violation verdict against gold clause labels) and per prediction field (the
``signal`` column holds the field name of ``spec-audit evaluate --predictions``: refusal,
prompt_harmful, hallucination, ...), per data set. The statistics correct a clause's violation rate
with its newest row (Rogan–Gladen); a row needs labelled positives and negatives, so a clause or
field measured on only one side is not written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import polars as pl

import transforms
from spec_audit.evaluate.scores import confusion
from spec_audit.spec.catalog import SIGNALS_VERSION, Catalog
from spec_audit.store import transaction

COLUMNS = (
    "clause_id",
    "signal",
    "labeller_version",
    "spec_version",
    "sensitivity",
    "specificity",
    "n_pos",
    "n_neg",
    "source",
    "measured_at",
)


def labeller_version() -> str:
    """Return the labellers' version: the registry version and a hash of every transforms file.

    Any change to a labeller's code, patterns or lexicons gives a new version, so accuracy rows
    say exactly which labellers they measured.
    """
    root = Path(transforms.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yaml", ".txt"}:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return f"signals-v{SIGNALS_VERSION}-{digest.hexdigest()[:12]}"


def accuracy_rows(
    pairs: pl.DataFrame, catalog: Catalog, measured_at: dt.datetime | None = None
) -> pl.DataFrame:
    """Return ``labeller_accuracy`` rows for the binary keys and clauses of ``pairs``."""
    measured_at = measured_at or dt.datetime.now(dt.UTC)
    binary = pairs.filter(pl.col("key") != "harm_category")
    fields = confusion(binary.filter(pl.col("key") != "clauses"), ["key", "dataset"]).with_columns(
        clause_id=pl.lit(None, pl.String),
        signal=pl.col("key"),
        spec_version=pl.lit(None, pl.String),
    )
    clauses = confusion(binary.filter(pl.col("key") == "clauses"), ["clause_id", "dataset"])
    clauses = clauses.with_columns(
        signal=pl.lit(None, pl.String), spec_version=pl.lit(catalog.version)
    )
    rows = pl.concat([fields.select(clauses.columns), clauses])
    n_pos, n_neg = pl.col("tp") + pl.col("fn"), pl.col("tn") + pl.col("fp")
    return (
        rows.filter((n_pos > 0) & (n_neg > 0))
        .with_columns(
            labeller_version=pl.lit(labeller_version()),
            sensitivity=pl.col("tp") / n_pos,
            specificity=pl.col("tn") / n_neg,
            n_pos=n_pos,
            n_neg=n_neg,
            source=pl.col("dataset"),
            measured_at=pl.lit(measured_at, dtype=pl.Datetime("us", "UTC")),
        )
        .select(COLUMNS)
    )


def write_accuracy(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> int:
    """Return rows written to ``labeller_accuracy``, replacing earlier rows of the same labeller
    version and sources (so evaluating twice does not double them), in one transaction."""
    with transaction(con):
        con.execute(
            "DELETE FROM labeller_accuracy WHERE labeller_version IN (SELECT unnest(?::VARCHAR[])) "
            "AND source IN (SELECT unnest(?::VARCHAR[]))",
            [rows["labeller_version"].unique().to_list(), rows["source"].unique().to_list()],
        )
        con.register("_accuracy_rows", rows)
        try:
            con.execute(
                f"INSERT INTO labeller_accuracy ({', '.join(COLUMNS)}) "
                f"SELECT {', '.join(COLUMNS)} FROM _accuracy_rows"
            )
        finally:
            con.unregister("_accuracy_rows")
    return rows.height
