"""`spec-audit run`: ingest the landing folder and audit a range of days, through Dagster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from spec_audit import config, store
from spec_audit.audit import days_with_turns, stale_windows
from spec_audit.cli import render
from spec_audit.cli.options import (
    DbOption,
    FromOption,
    SpecOption,
    ToOption,
    console,
    parse_day,
)
from spec_audit.cli.spec import print_overlays
from spec_audit.errors import UserError
from spec_audit.snapshot import publish
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.versions import resolve_spec
from spec_audit.stats import audit_window, shifts, top_regressions
from spec_audit.stats.window import CURRENT_DAYS
from spec_audit.summary import summarize
from spec_audit.validation import validate

STAGES = {"label": "labelling turns", "judge": "judging clauses", "measure": "measuring clauses"}


def run(
    db: DbOption = None,
    spec: SpecOption = None,
    start: FromOption = None,
    end: ToOption = None,
    landing: Annotated[
        Path | None,
        typer.Option(
            "--landing",
            help="Folder of new log files to ingest first (default: $SPEC_AUDIT_LANDING or data/landing).",
            show_default=False,
        ),
    ] = None,
    ingest: Annotated[
        bool, typer.Option("--ingest/--no-ingest", help="Ingest the landing folder first.")
    ] = True,
) -> None:
    """Ingest new files from the landing folder, then label, judge and measure every day in range
    (materialising the Dagster assets in-process) and print the summary.

    Example: spec-audit run --from 2026-10-01 --to 2026-10-30
    """
    # Imported here: the Dagster code location sits on top of the core, not inside it.
    from dagster_project.inprocess import (
        materialize_audit,
        materialize_ingest,
        materialize_statistics,
    )

    catalog = load_catalog(resolve_spec(spec))
    path = config.db_path(db)
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if first and last and first > last:
        raise UserError(f"--from {first} is after --to {last}")
    folder = config.landing_dir(landing)
    if ingest and folder.is_dir():
        with console.status(f"ingesting {folder}"):
            materialize_ingest(path, [folder])
    elif ingest and landing is not None:
        raise UserError(f"--landing {folder}: no such folder")

    con = store.connect(path)
    try:
        days = days_with_turns(con, first, last)
        # Too few days for a window of their own: this catalog's stored windows holding them
        # are tested again.
        windows = (
            [(days[0], days[-1])] if len(days) > CURRENT_DAYS else stale_windows(con, days, catalog)
        )
    finally:
        con.close()
    if not days:
        raise UserError(f"{path}: no turns to audit in the chosen days; ingest logs first")

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks = {stage: bar.add_task(text, total=None) for stage, text in STAGES.items()}

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total)

        materialize_audit(path, catalog.path, days[0], days[-1], progress)

    window = None
    for start, end in windows:
        window = audit_window(start, end)
        with console.status(f"testing drift, disparities and change points ({start}..{end})"):
            failed = materialize_statistics(path, catalog.path, window.start, window.end)

    with console.status("validating data quality (Great Expectations)"):
        con = store.connect(path)
        try:
            checks = validate(con, days=days, catalogs=[catalog])
        finally:
            con.close()

    con = store.connect(path, read_only=True)
    try:
        render.summary(summarize(con, catalog, path, days[0], days[-1]))
        print_overlays(catalog, con, days[0], days[-1])
        if window is None:
            console.print(
                f"  drift statistics need more than {CURRENT_DAYS} days (the current days and a "
                "baseline); skipped"
            )
        else:
            render.statistics(
                top_regressions(con, catalog, window), shifts(con, catalog, window), window, failed
            )
        render.data_quality(checks)
    finally:
        con.close()
    console.print(f"snapshot for dashboards and reports: {publish(path)}")
