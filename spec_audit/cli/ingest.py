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
    redact: Annotated[
        bool | None,
        typer.Option(
            "--redact/--no-redact",
            help="Replace emails, phones, cards, IBANs, SSNs, IPs and secrets by placeholders "
            "before storing (default: $SPEC_AUDIT_REDACT, on).",
            show_default=False,
        ),
    ] = None,
    keep_raw: Annotated[
        bool | None,
        typer.Option(
            "--keep-raw/--no-keep-raw",
            help="Also store the messages unredacted in the raw_messages table "
            "(default: $SPEC_AUDIT_KEEP_RAW, off).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Ingest log files; files already ingested (same SHA-256) are skipped, bad records are kept
    in rejected_records with their line and reason, PII is redacted before anything is stored.

    Example: spec-audit ingest data/samples/ --db data/audit.duckdb
    """
    path = config.db_path(db)
    con = store.connect(path)
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("ingesting", total=None)
            results = ingest_paths(
                con,
                paths,
                adapter=adapter,
                on_file=lambda r: bar.advance(task),
                redact=redact,
                keep_raw=keep_raw,
            )
    finally:
        con.close()
    render.ingest_results(results)
    duplicates = sum(r.rows_duplicate for r in results)
    if duplicates:
        console.print(
            f"  {duplicates:,} rejected records are identical copies of conversations already "
            "stored (duplicates, not errors)"
        )
    for result in results:
        if result.problem:
            console.print(f"  {result.status}: {result.path}: {result.problem}")
    console.print(f"database: {path}")
