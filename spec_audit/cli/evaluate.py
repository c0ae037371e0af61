"""`spec-audit evaluate`: score the labellers and verdicts on labelled conversation files."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from spec_audit import store
from spec_audit.cli.options import SpecOption, console
from spec_audit.evaluate import (
    Evaluation,
    accuracy_rows,
    write_accuracy,
    write_predictions,
)
from spec_audit.evaluate import (
    evaluate as run_evaluation,
)
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.versions import resolve_spec

#: Metric columns of the printed table: (scores column, heading).
SHOWN = (
    ("precision", "precision"),
    ("recall", "recall"),
    ("f1", "F1"),
    ("balanced_accuracy", "bal. acc."),
    ("false_positive_rate", "FPR"),
    ("accuracy", "accuracy"),
)


def evaluate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Labelled JSONL files or folders (records plus `gold`, as ../shared/eval)."
        ),
    ],
    predictions: Annotated[
        Path,
        typer.Option(
            "--predictions",
            help="Write one JSON line of predictions per conversation here (overwritten).",
            show_default=False,
        ),
    ],
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Also write the measured sensitivity/specificity per clause and per field into "
            "this database's labeller_accuracy table (default: write nothing).",
            show_default=False,
        ),
    ] = None,
    spec: SpecOption = None,
) -> None:
    """Run the real ingest, labellers and clause verdicts on labelled conversations (gold kept
    aside, never seen by the labellers) and print precision, recall, F1 and balanced accuracy with
    95% intervals per gold key and data set.

    Example: spec-audit evaluate ../shared/eval --predictions predictions.jsonl
    """
    catalog = load_catalog(resolve_spec(spec))
    with console.status("evaluating: ingesting, labelling and judging in a temporary database"):
        result = run_evaluation(paths, catalog)
    written = write_predictions(result.predictions, predictions)
    print_evaluation(result, f"spec {catalog.spec_id} {catalog.version}")
    console.print(f"predictions: {predictions} ({written:,} conversations)")
    if db is not None:
        con = store.connect(db)
        try:
            rows = write_accuracy(con, accuracy_rows(result.pairs, catalog))
        finally:
            con.close()
        console.print(f"labeller_accuracy: {rows:,} rows written to {db}")


def interval(value: float | None, low: float | None, high: float | None) -> str:
    """Return the value over its 95% interval (two lines, ``0.912`` / ``0.89–0.93``), or ``—``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if low is None or high is None:
        return f"{value:.3f}"
    return f"{value:.3f}\n[dim]{low:.2f}–{high:.2f}[/]"


def print_evaluation(result: Evaluation, spec_label: str = "") -> None:
    """Print what was evaluated, the scores table, clause coverage and what the ingest rejected."""
    conversations = result.predictions.height
    console.print(
        f"[bold]spec-audit evaluate[/]  {spec_label}\n"
        f"  files {result.files:,}  records {result.records:,}  conversations {conversations:,}  "
        f"turns labelled {result.turns:,}  conversations without turns {result.without_turns:,}"
    )
    if result.rejected:
        reasons = ", ".join(f"{reason}: {n:,}" for reason, n in result.rejected.items())
        console.print(f"  rejected by ingest (predicted as empty conversations): {reasons}")
    if result.scores.is_empty():
        console.print("  no gold labels in these files: predictions only")
        return
    table = Table(
        title="Scores against gold, 95% intervals below (Wilson; bootstrap for F1 and bal. acc.)",
        title_justify="left",
    )
    table.add_column("key\n[dim]data set[/]")
    table.add_column("n\n[dim]gold +[/]", justify="right")
    for _, heading in SHOWN:
        table.add_column(heading, justify="right")
    for row in result.scores.iter_rows(named=True):  # one row per (key, data set): a handful
        cells = [interval(row[c], row[f"{c}_low"], row[f"{c}_high"]) for c, _ in SHOWN]
        positives = "—" if row["kind"] == "category" else f"{row['positives']:,}"
        table.add_row(
            f"{row['key']}\n[dim]{row['dataset']}[/]", f"{row['n']:,}\n[dim]{positives}[/]", *cells
        )
    console.print(table)
    for row in result.coverage.iter_rows(named=True):
        console.print(
            f"  clauses: {row['dataset']}: {row['rows']:,} labelled rows, {row['in_catalog']:,} "
            f"with every clause in the catalog, {row['testable']:,} with every clause testable"
        )
