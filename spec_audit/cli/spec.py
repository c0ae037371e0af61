"""`spec-audit spec ...`: versions, diffs, overlays, Markdown import, coverage and JSON interchange."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import duckdb
import polars as pl
import typer
from rich.table import Table

from spec_audit import config, store
from spec_audit.cli.options import DbOption, FromOption, SpecOption, ToOption, console, parse_day
from spec_audit.errors import UserError
from spec_audit.spec.catalog import Catalog, load_catalog, read_yaml
from spec_audit.spec.compare import compare_versions
from spec_audit.spec.coverage import coverage as clause_coverage
from spec_audit.spec.diff import diff_catalogs
from spec_audit.spec.interchange import (
    catalog_from_json,
    catalog_to_json,
    catalog_yaml,
    findings_frame,
    findings_header,
    write_findings,
)
from spec_audit.spec.markdown_import import import_markdown
from spec_audit.spec.overlay import Overlay, load_overlay
from spec_audit.spec.versions import available_versions, resolve_spec

app = typer.Typer(
    help="Spec catalogs: versions, diffs, overlays, Markdown import, coverage, JSON interchange.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="File to write (default: standard output).", show_default=False),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _rate(rate: float | None, low: float | None, high: float | None) -> str:
    if rate is None:
        return "—"
    # Clamped: the Wilson bound of a zero rate can come out as a rounding error below zero.
    return f"{_pct(rate)} ({max(0.0, 100 * low):.1f}–{min(100.0, 100 * high):.1f}%)"


def _emit(text: str, out: Path | None, force: bool = False) -> None:
    """Write ``text`` to ``out`` (refusing to overwrite unless ``force``) or print it."""
    if out is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return
    if out.exists() and not force:
        raise UserError(f"--out {out}: file exists; pass --force to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    console.print(f"wrote {out}", soft_wrap=True)


def _open(db: Path | None, read_only: bool = True) -> tuple[Path, duckdb.DuckDBPyConnection]:
    path = config.db_path(db)
    if not path.exists():
        raise UserError(f"{path}: no audit database yet; run `spec-audit run` first")
    return path, store.connect(path, read_only=read_only)


@app.command("versions")
def versions() -> None:
    """List the shipped spec versions (usable as --spec VERSION).

    Example: spec-audit spec versions
    """
    for name in available_versions():
        catalog = load_catalog(resolve_spec(name))
        console.print(f"{name}  {len(catalog.clauses)} clauses, {len(catalog.testable)} testable")


@app.command("diff")
def diff(
    a: Annotated[str, typer.Argument(help="Older catalog: file, VERSION or SPEC_ID@VERSION.")],
    b: Annotated[str, typer.Argument(help="Newer catalog: file, VERSION or SPEC_ID@VERSION.")],
    as_json: JsonOption = False,
) -> None:
    """List the clauses added, removed and changed (with the fields that changed) from A to B.

    Example: spec-audit spec diff 2025-02-12 2025-12-18
    """
    result = diff_catalogs(load_catalog(resolve_spec(a)), load_catalog(resolve_spec(b)))
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    console.print(
        f"{result.a} → {result.b}: {len(result.added)} added, {len(result.removed)} removed, "
        f"{len(result.changed)} changed, {result.unchanged} unchanged"
    )
    for clause_id in result.added:
        console.print(f"  + {clause_id}")
    for clause_id in result.removed:
        console.print(f"  - {clause_id}")
    for change in result.changed:
        # Long fields are named only; --json has their old and new values.
        parts = [
            name if name in ("text", "signals") else f"{name} {old} → {new}"
            for name, (old, new) in change.fields.items()
        ]
        console.print(f"  ~ {change.clause_id}: " + "; ".join(parts), soft_wrap=True)


@app.command("compare")
def compare(
    a: Annotated[str, typer.Argument(help="First version: file, VERSION or SPEC_ID@VERSION.")],
    b: Annotated[str, typer.Argument(help="Second version: file, VERSION or SPEC_ID@VERSION.")],
    db: DbOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print per-clause violation rates of the same stored turns under two spec versions.

    Audit under both first: spec-audit run --spec 2025-02-12 --no-ingest.
    Example: spec-audit spec compare 2025-02-12 2025-12-18
    """
    cat_a, cat_b = load_catalog(resolve_spec(a)), load_catalog(resolve_spec(b))
    _, con = _open(db)
    try:
        frame = compare_versions(
            con, cat_a, cat_b, parse_day(start, "--from"), parse_day(end, "--to")
        )
    finally:
        con.close()
    frame = frame.filter(
        pl.col("applicable_a").is_not_null() | pl.col("applicable_b").is_not_null()
    )
    if as_json:
        print(json.dumps(frame.to_dicts(), indent=2))
        return
    table = Table(
        title=f"Clause rates (95% Wilson interval): A = {cat_a.spec_id} {cat_a.version}, "
        f"B = {cat_b.spec_id} {cat_b.version}",
        title_justify="left",
    )
    table.add_column("clause", no_wrap=True)
    table.add_column("status")
    for column in ("n A", "rate A", "n B", "rate B", "Δ B−A"):
        table.add_column(column, justify="right")
    for row in frame.iter_rows(named=True):  # a few dozen clauses: printing, not data processing
        table.add_row(
            row["clause_id"],
            row["status"],
            "—" if row["applicable_a"] is None else f"{row['applicable_a']:,}",
            _rate(row["rate_a"], row["ci_low_a"], row["ci_high_a"]),
            "—" if row["applicable_b"] is None else f"{row['applicable_b']:,}",
            _rate(row["rate_b"], row["ci_low_b"], row["ci_high_b"]),
            "—" if row["delta"] is None else f"{100 * row['delta']:+.1f} pp",
        )
    console.print(table)
    for catalog, column in ((cat_a, "applicable_a"), (cat_b, "applicable_b")):
        if not frame[column].is_null().all():
            continue
        version = catalog.version
        console.print(
            f"  no metrics under {version}: run `spec-audit run --spec {version} --no-ingest`"
        )


@app.command("import")
def import_md(
    markdown: Annotated[
        Path, typer.Argument(help="Markdown spec with {#anchor authority=...} headings.")
    ],
    out: OutOption = None,
    spec_id: Annotated[
        str | None, typer.Option("--spec-id", help="Spec id (default: from the file name).")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Version (default: the date in the file name).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Catalog title.")] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Source URL (default: the file).")
    ] = None,
    license: Annotated[str | None, typer.Option("--license", help="Source licence.")] = None,
    force: ForceOption = False,
) -> None:
    """Write a catalog skeleton: one clause per section with its own authority, no conditions yet.

    Example: spec-audit spec import model_spec-2025-12-18.md --out data/spec/model-spec/draft.yaml
    """
    text = import_markdown(
        markdown, spec_id=spec_id, version=version, title=title, url=url, license=license
    )
    _emit(text, out, force)


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Catalogs, overlays or deployment files.")],
) -> None:
    """Check catalogs, overlays (against their base) and deployment files; one line each.

    Example: spec-audit spec validate data/spec/overlays/voice.yaml
    """
    for path in files:
        data, _ = read_yaml(path, "spec file")
        if isinstance(data, dict) and "overlay_id" in data:
            base = data.get("base")
            if not isinstance(base, str):
                raise UserError(f"{path}: missing required key 'base'")
            overlay = load_overlay(path, load_catalog(resolve_spec(base)))
            console.print(
                f"{path}: overlay {overlay.overlay_id} on {overlay.base} for "
                f"{overlay.selector} {'/'.join(overlay.values)}, authority {overlay.authority}: "
                f"{_adjusted(overlay)}",
                soft_wrap=True,
            )
            continue
        catalog = load_catalog(path)
        console.print(f"{path}: {_describe(catalog)}", soft_wrap=True)


def _adjusted(overlay: Overlay) -> str:
    """Return 'clause (what changed), ...' for an overlay's adjustments."""
    return ", ".join(
        f"{a.clause_id} ({'disabled' if not a.enabled else ', '.join(a.changed)})"
        for a in overlay.adjustments
    )


def _describe(catalog: Catalog) -> str:
    overlays = ", ".join(o.overlay_id for o in catalog.overlays)
    return (
        f"catalog {catalog.spec_id}@{catalog.version}, {len(catalog.clauses)} clauses, "
        f"{len(catalog.testable)} testable" + (f"; overlays {overlays}" if overlays else "")
    )


@app.command("coverage")
def coverage(
    spec: SpecOption = None,
    db: DbOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
) -> None:
    """List every clause: testable or not, how many signals it reads (names in --json), the turns
    it applied to, its violations and its measured accuracy.

    Counts come from --db when it exists; sensitivity and specificity from its labeller_accuracy table when measured.
    Example: spec-audit spec coverage --spec 2025-02-12
    """
    catalog = load_catalog(resolve_spec(spec))
    path = config.db_path(db)
    con = store.connect(path, read_only=True) if path.exists() else None
    try:
        frame = clause_coverage(catalog, con, parse_day(start, "--from"), parse_day(end, "--to"))
    finally:
        if con is not None:
            con.close()
    if as_json:
        print(json.dumps(frame.to_dicts(), indent=2))
        return
    table = Table(
        title=f"Coverage: {catalog.spec_id} {catalog.version}", title_justify="left", width=None
    )
    table.add_column("clause", no_wrap=True, max_width=28)  # the table fits 120 columns
    # accuracy: sensitivity/specificity of the clause's verdicts, with violations+compliant labelled
    columns = ("layer", "authority", "testable", "signals", "applied", "violations", "accuracy")
    for column in columns:
        right = column in ("signals", "applied", "violations")
        wide = 17 if column == "accuracy" else len(column)  # "90%/95% (n=40+60)"
        table.add_column(column, justify="right" if right else "left", no_wrap=True, min_width=wide)
    for row in frame.iter_rows(named=True):  # one row per clause: printing, not data processing
        signals = sorted({*row["applies_signals"], *row["violation_signals"]})
        table.add_row(
            row["clause_id"] + (f" [{', '.join(row['overlays'])}]" if row["overlays"] else ""),
            row["layer"],
            row["authority"],
            "yes" if row["testable"] else "no",
            str(len(signals)) if signals else "—",  # the names are in --json
            "—" if row["findings"] is None else f"{row['findings']:,}",
            "—" if row["violations"] is None else f"{row['violations']:,}",
            "not measured"
            if row["sensitivity"] is None
            else f"{row['sensitivity']:.0%}/{row['specificity']:.0%} "
            f"(n={row['n_pos']:,}+{row['n_neg']:,})",
        )
    console.print(table)
    console.print(
        f"  {int(frame['testable'].sum())} of {frame.height} clauses testable; "
        f"untestable: {', '.join(frame.filter(~pl.col('testable'))['clause_id'])}",
        soft_wrap=True,
    )


@app.command("export")
def export(spec: SpecOption = None, out: OutOption = None, force: ForceOption = False) -> None:
    """Write the catalog as provider-neutral JSON (schemas/catalog.schema.json).

    Example: spec-audit spec export --spec 2025-12-18 --out model-spec.json
    """
    catalog = load_catalog(resolve_spec(spec))
    _emit(json.dumps(catalog_to_json(catalog), indent=2, ensure_ascii=False), out, force)


@app.command("import-json")
def import_json(
    file: Annotated[Path, typer.Argument(help="Catalog JSON (schemas/catalog.schema.json).")],
    out: OutOption = None,
    force: ForceOption = False,
) -> None:
    """Validate catalog JSON and write it as a YAML catalog that --spec accepts.

    Example: spec-audit spec import-json model-spec.json --out data/spec/model-spec/2025-12-18.yaml
    """
    catalog = catalog_from_json(file)
    note = (
        f"Spec catalog {catalog.spec_id} {catalog.version}, imported from {file.name} "
        "by `spec-audit spec import-json`."
    )
    _emit(catalog_yaml(catalog, note), out, force)


@app.command("export-findings")
def export_findings(
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    spec: SpecOption = None,
    db: DbOption = None,
    start: FromOption = None,
    end: ToOption = None,
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl (one finding a line) or json (one document).")
    ] = "jsonl",
    force: ForceOption = False,
) -> None:
    """Write the findings of one spec version over a window (schemas/findings.schema.json).

    Example: spec-audit spec export-findings --from 2026-10-01 --to 2026-10-07 --out week.jsonl
    """
    if fmt not in ("jsonl", "json"):
        raise UserError(f"--format {fmt!r}: expected jsonl or json")
    if out.exists() and not force:
        raise UserError(f"--out {out}: file exists; pass --force to overwrite it")
    catalog = load_catalog(resolve_spec(spec))
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    _, con = _open(db)
    try:
        frame = findings_frame(con, catalog.spec_id, catalog.version, first, last)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_findings(frame, out, fmt, findings_header(catalog.spec_id, catalog.version, first, last))
    console.print(
        f"wrote {frame.height:,} findings of {catalog.spec_id} {catalog.version} to {out}",
        soft_wrap=True,
    )


def print_overlays(
    catalog: Catalog,
    con: duckdb.DuckDBPyConnection,
    first: dt.date | None,
    last: dt.date | None,
) -> None:
    """Print the overlays in force for ``catalog`` and how many findings each decided."""
    if not catalog.overlays:
        return
    counts: dict[str, int] = {}
    has_column = con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'findings' AND column_name = 'overlay_id'"
    ).fetchall()[0][0]
    if has_column:
        counts = dict(
            con.execute(
                "SELECT overlay_id, count(*) FROM findings "
                "WHERE spec_id = ? AND spec_version = ? AND overlay_id IS NOT NULL "
                "AND (?::DATE IS NULL OR day >= ?) AND (?::DATE IS NULL OR day <= ?) "
                "GROUP BY overlay_id",
                [catalog.spec_id, catalog.version, first, first, last, last],
            ).fetchall()
        )
    console.print(f"Overlays in force ({catalog.path})")
    for overlay in catalog.overlays:
        console.print(
            f"  {overlay.overlay_id}: {overlay.selector} {'/'.join(overlay.values)}, "
            f"authority {overlay.authority}, {counts.get(overlay.overlay_id, 0):,} findings; "
            f"adjusts {_adjusted(overlay)}",
            soft_wrap=True,
        )
