"""`spec-audit validate`: run the data-quality suites on the database and print their results."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from spec_audit import config, store
from spec_audit.cli.options import DbOption, FromOption, ToOption, console, parse_day
from spec_audit.errors import UserError
from spec_audit.validation import TABLES, Result


def validate(
    db: DbOption = None,
    table: Annotated[
        list[str] | None,
        typer.Option(
            "--table",
            help=f"Table to validate (repeatable; default: every table there is): {', '.join(TABLES)}.",
            show_default=False,
        ),
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
    thresholds: Annotated[
        Path | None,
        typer.Option(
            "--thresholds",
            help="YAML file of thresholds (default: expectations/thresholds.yaml).",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every check, not only the failed ones.")
    ] = False,
) -> None:
    """Run the Great Expectations suites and cross-table SQL checks, store every result in
    validation_results, and print them; exit 1 when a blocking (error) check fails.

    Example: spec-audit validate --table turns --table findings
    """
    from expectations.runner import load_thresholds
    from spec_audit.audit import days_with_turns
    from spec_audit.validation import validate as run_validation

    path = config.db_path(db)
    if not path.exists():
        raise UserError(f"{path}: no audit database yet; run `spec-audit run` first")
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    limits = load_thresholds(thresholds)
    con = store.connect(path)
    try:
        days = days_with_turns(con, first, last) if first or last else None
        if days == []:
            raise UserError(f"{path}: no turns in the chosen days")
        with console.status("validating"):
            results = run_validation(con, table, days=days, thresholds=limits)
    finally:
        con.close()
    print_results(results, show_all)
    if any(r.blocking for r in results):
        # SystemExit, not typer.Exit: main() runs the app with standalone_mode=False, where
        # click turns Exit into a return value that main() does not pass on.
        raise SystemExit(1)


def print_results(results: Sequence[Result], show_all: bool = False) -> None:
    """Print a per-table count of checks and a table of the failed (or all) checks."""
    counts = Table(title="Validation", title_justify="left")
    for column in ("table", "checks", "passed", "failed: warn", "failed: error"):
        counts.add_column(column, justify="left" if column == "table" else "right")
    for name in dict.fromkeys(r.table for r in results):
        mine = [r for r in results if r.table == name]
        counts.add_row(
            name,
            f"{len(mine)}",
            f"{sum(r.success for r in mine)}",
            f"{sum(not r.success and r.severity != 'error' for r in mine)}",
            f"{sum(r.blocking for r in mine)}",
        )
    console.print(counts)
    shown = [r for r in results if show_all or not r.success]
    if shown:
        checks = Table(title="Checks" if show_all else "Failed checks", title_justify="left")
        for column in ("table", "check", "column", "severity", "result", "unexpected", "observed"):
            checks.add_column(column, justify="right" if column == "unexpected" else "left")
        for r in shown:
            checks.add_row(
                r.table,
                r.description,
                r.column or "",
                r.severity,
                "pass" if r.success else "FAIL",
                "" if r.unexpected_count is None else f"{r.unexpected_count:,}",
                (r.observed_value or "")[:60],
            )
        console.print(checks)
    failed = [r for r in results if not r.success]
    blocking = sum(r.blocking for r in failed)
    console.print(
        f"  {len(results)} checks, {len(failed)} failed ({blocking} blocking)"
        + ("" if blocking else ": the data can be trusted downstream")
    )
