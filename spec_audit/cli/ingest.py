"""`spec-audit ingest`: load log files into the audit database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from spec_audit import config, store
from spec_audit.cli import render
from spec_audit.cli.options import DbOption, console
from spec_audit.ingest import ingest_paths


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (JSONL, JSONL.gz, Parquet, CSV).")
    ],
    adapter: Annotated[
        str | None,
        typer.Option(
            "--adapter",
            help="Force the input shape: canonical, openai_chat or flat (default: detect per file).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Ingest log files; files already ingested (same SHA-256) are skipped, bad records are kept
    in rejected_records with their line and reason.

    Example: spec-audit ingest data/samples/ --db data/audit.duckdb
    """
    path = config.db_path(db)
    con = store.connect(path)
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("ingesting", total=None)
            results = ingest_paths(con, paths, adapter=adapter, on_file=lambda r: bar.advance(task))
    finally:
        con.close()
    render.ingest_results(results)
    console.print(f"database: {path}")
