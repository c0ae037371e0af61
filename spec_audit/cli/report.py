"""`spec-audit report` and `spec-audit verify-report`: write a compliance report folder, check one."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from spec_audit import config
from spec_audit.cli.options import DbOption, SpecOption, console, parse_day
from spec_audit.errors import UserError
from spec_audit.reports import FORMATS
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.versions import resolve_spec

#: Evidence examples per clause (spec_audit.reports.evidence.EXAMPLES_PER_CLAUSE, not imported:
#: the report modules load Altair, SciPy and Jinja2, which other commands should not wait for).
EXAMPLES = 3


def report(
    start: Annotated[
        str, typer.Option("--from", help="First day of the period, YYYY-MM-DD.", show_default=False)
    ],
    end: Annotated[
        str, typer.Option("--to", help="Last day of the period, YYYY-MM-DD.", show_default=False)
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write the report into.", show_default=False)
    ],
    models: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            help="Model to report on (repeat for several; default: every model).",
            show_default=False,
        ),
    ] = None,
    spec: SpecOption = None,
    formats: Annotated[
        str,
        typer.Option("--format", help=f"Comma-separated formats: {','.join(FORMATS)}."),
    ] = ",".join(FORMATS),
    generated_at: Annotated[
        str | None,
        typer.Option(
            "--generated-at",
            help="Generation time stated in the manifest, ISO 8601 (default: now, UTC). Pass the "
            "same value to regenerate a report byte for byte.",
            show_default=False,
        ),
    ] = None,
    examples: Annotated[
        int,
        typer.Option("--examples", help="Evidence examples per violated or regressed clause."),
    ] = EXAMPLES,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a report already in --out.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Write a compliance report (HTML, PDF, JSON, CSV, manifest, SHA256SUMS) from the snapshot.

    Example: spec-audit report --from 2026-10-01 --to 2026-10-30 --out reports/2026-10
    """
    from spec_audit.reports.generate import generate_report
    from spec_audit.reports.manifest import parse_generated_at

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    assert first is not None and last is not None  # both options are required
    stamp = parse_generated_at(generated_at)
    catalog = load_catalog(resolve_spec(spec))
    began = time.perf_counter()
    result = generate_report(
        config.db_path(db),
        catalog,
        start=first,
        end=last,
        out=out,
        generated_at=stamp,
        models=tuple(models or ()),
        formats=formats,
        examples_per_clause=examples,
        force=force,
    )
    body = result.report.body
    console.print(
        f"report {first} → {last}  spec {catalog.spec_id} {catalog.version}  "
        f"models {', '.join(body['scope']['models'])}",
        soft_wrap=True,
    )
    table = Table(title=f"Wrote {out}", title_justify="left")
    table.add_column("file")
    table.add_column("bytes", justify="right")
    table.add_column("sha256")
    for name, size, digest in result.files:
        table.add_row(name, f"{size:,}", digest[:16])
    console.print(table)
    console.print(
        f"  {len(body['clauses'])} clauses, "
        f"{sum(1 for c in body['clauses'] if c['violations'])} with violations, "
        f"{len(body['executive_summary']['regressed'])} regressed; generated at {stamp} "
        f"in {time.perf_counter() - began:.1f} s",
        soft_wrap=True,
    )


def verify_report(
    folder: Annotated[Path, typer.Argument(help="A report folder written by `spec-audit report`.")],
) -> None:
    """Check every file of a report folder against its SHA256SUMS; exit 1 on any difference.

    Example: spec-audit verify-report reports/2026-10
    """
    from spec_audit.reports.verify import verify

    result = verify(folder)
    for name in result.ok:
        console.print(f"  ok       {name}")
    for name in result.changed:
        console.print(f"  CHANGED  {name}")
    for name in result.missing:
        console.print(f"  MISSING  {name}")
    for name in result.unlisted:
        console.print(f"  unlisted {name} (not in SHA256SUMS)")
    if not result.ok and not result.changed and not result.missing:
        raise UserError(f"{folder / 'SHA256SUMS'}: lists no file")
    if result.passed:
        console.print(f"verified: {len(result.ok)} files match SHA256SUMS")
        return
    console.print(
        f"FAILED: {len(result.changed)} changed, {len(result.missing)} missing "
        f"of {len(result.ok) + len(result.changed) + len(result.missing)} listed"
    )
    # SystemExit, not typer.Exit: the app runs Click outside standalone mode, where Exit's code
    # is returned rather than used as the process status.
    raise SystemExit(1)
