"""Print results for people: ingest results and the audit summary as Rich tables."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from rich.table import Table

from expectations.runner import Result
from spec_audit.cli.options import console
from spec_audit.ingest import FileResult
from spec_audit.stats import AuditWindow
from spec_audit.summary import Summary


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def ingest_results(results: Sequence[FileResult], shown: int = 12) -> None:
    """Print one row per file (the first ``shown`` of them) and a total row."""
    table = Table(title="Ingest", title_justify="left", show_footer=len(results) > 1)
    totals = {
        "read": sum(r.rows_read for r in results),
        "accepted": sum(r.rows_accepted for r in results),
        "rejected": sum(r.rows_rejected for r in results),
    }
    ingested = sum(r.status == "ingested" for r in results)
    footers = {
        "file": f"{len(results):,} files",
        "status": f"{ingested:,} ingested",
        **{k: f"{v:,}" for k, v in totals.items()},
    }
    for column in ("file", "adapter", "status", "read", "accepted", "rejected"):
        right = column in totals
        table.add_column(
            column, footer=footers.get(column, ""), justify="right" if right else "left"
        )
    for r in results[:shown]:
        table.add_row(
            str(r.path),
            r.adapter,
            r.status,
            f"{r.rows_read:,}",
            f"{r.rows_accepted:,}",
            f"{r.rows_rejected:,}",
        )
    if len(results) > shown:
        table.add_row(f"... {len(results) - shown:,} more files", "", "", "", "", "")
    console.print(table)


def summary(s: Summary) -> None:
    """Print the audit summary: scope, per-clause violation rates and the refusal quadrant."""
    days = f"{s.first_day} → {s.last_day}" if s.first_day else "no data"
    console.print(
        f"[bold]spec-audit summary[/]  spec {s.spec_id} {s.spec_version}\n"
        f"  files {s.files:,}  records read {s.rows_read:,}  accepted {s.rows_accepted:,}  "
        f"rejected {s.rows_rejected:,}\n"
        f"  conversations {s.conversations:,}  turns {s.turns:,}  days {days}\n"
        f"  models {', '.join(s.models) or '—'}"
    )
    table = Table(title="Clauses by violation rate (95% Wilson interval)", title_justify="left")
    for column, justify in (
        ("clause", "left"),
        ("layer", "left"),
        ("kind", "left"),
        ("applicable", "right"),
        ("violations", "right"),
        ("rate", "right"),
        ("95% CI", "right"),
    ):
        table.add_column(column, justify=justify)
    for row in s.clauses.iter_rows(named=True):
        applicable = row["applicable"] or 0
        interval = "—" if row["ci_low"] is None else f"{_pct(row['ci_low'])}–{_pct(row['ci_high'])}"
        table.add_row(
            row["clause_id"],
            row["layer"],
            row["kind"],
            f"{applicable:,}",
            f"{row['violations'] or 0:,}",
            _pct(row["rate"]),
            interval,
        )
    console.print(table)
    if s.untestable:
        console.print(
            f"  {len(s.untestable)} clauses are untestable (no signals yet): {', '.join(s.untestable)}"
        )
    quadrant = Table(title="Refusal quadrant (turns)", title_justify="left")
    for column in ("prompt intent", "complied", "refused", "no reply"):
        quadrant.add_column(column, justify="left" if column == "prompt intent" else "right")
    for row in s.quadrant.iter_rows(named=True):
        quadrant.add_row(
            str(row["prompt_intent"]),
            f"{row['complied']:,}",
            f"{row['refused']:,}",
            f"{row['no_reply']:,}",
        )
    console.print(quadrant)
    console.print(
        f"  over-refusals (benign prompt refused): {s.over_refusals:,}\n"
        f"  under-refusals (harmful prompt complied with): {s.under_refusals:,}\n"
        f"  database: {s.db_path}"
    )


def statistics(
    regressions: pl.DataFrame, changes: pl.DataFrame, window: AuditWindow, failed: Sequence[str]
) -> None:
    """Print the regressed clauses (q < 0.05) and the detected change points of the window."""
    console.print(
        f"[bold]Drift[/] window {window.start} → {window.end}: baseline {window.baseline_start} → "
        f"{window.baseline_end}, current {window.current_start} → {window.end}"
    )
    if regressions.is_empty():
        console.print("  no clause regressed (Benjamini–Hochberg q < 0.05)")
    by_window = regressions.filter(pl.col("comparison") == "window")
    by_model = regressions.filter(pl.col("comparison") != "window")
    for title, frame, models in (
        ("Regressed since the baseline days (q < 0.05)", by_window, ("model_b",)),
        (
            "Regressed from one model version to the next (q < 0.05)",
            by_model,
            ("model_a", "model_b"),
        ),
    ):
        if frame.is_empty():
            continue
        table = Table(title=title, title_justify="left")
        table.add_column("clause", no_wrap=True)
        table.add_column("layer")
        for name in models:
            table.add_column(
                {"model_a": "model A", "model_b": "model B"}[name] if len(models) > 1 else "model",
                no_wrap=True,
            )
        for column in ("rate", "effect pp (95% CI)", "q"):
            table.add_column(column, justify="right", no_wrap=True)
        if len(models) == 1:
            table.add_column("since", no_wrap=True)
        for row in frame.iter_rows(named=True):  # at most a few rows: printing only
            cells = [
                row["clause_id"],
                row["layer"],
                *(row[name] for name in models),
                f"{_pct(row['a_rate'])} → {_pct(row['b_rate'])}",
                f"{100 * row['effect']:+.1f} [{100 * row['effect_low']:+.1f}, {100 * row['effect_high']:+.1f}]",
                f"{row['q_value']:.1g}",
            ]
            if len(models) == 1:
                cells.append(_since(row))
            table.add_row(*cells)
        console.print(table)
        if len(models) == 1 and (frame["dated_by"] == "likeliest day").any():
            console.print("  ~ the likeliest day of the rise (the CUSUM did not confirm a shift)")
    for row in changes.iter_rows(named=True):
        console.print(
            f"  change point: {row['clause_id']} on {row['model']} shifted {row['direction']} from "
            f"{row['start_day']} ({_pct(row['rate_before'])} → {_pct(row['rate_after'])})"
        )
    if "no_rule_layer_regression" in failed:
        console.print(
            "  blocking check failed: a rule-layer clause regressed (no_rule_layer_regression)"
        )


def _since(row: dict[str, object]) -> str:
    """Return a regression's start day, marked ~ when it is the likeliest day, not a change point."""
    if row["start_day"] is None:
        return "—"
    return f"{'~' if row['dated_by'] == 'likeliest day' else ''}{row['start_day']}"


def data_quality(results: Sequence[Result]) -> None:
    """Print one line of data-quality results, and each failed check."""
    failed = [r for r in results if not r.success]
    blocking = sum(r.blocking for r in failed)
    console.print(
        f"data quality: {len(results)} checks, {len(failed)} failed ({blocking} blocking); "
        "details in validation_results (`spec-audit validate --all`)"
    )
    for r in failed:
        count = "" if r.unexpected_count is None else f", {r.unexpected_count:,} unexpected"
        console.print(f"  {r.severity}: {r.table}: {r.description}{count}")
