"""Generate a report folder: build from the snapshot, write each format, then SHA256SUMS last.

The CLI (`spec-audit report`) and the Dagster asset ``report_runs`` both call ``generate_report``.
SHA256SUMS is written after every other file, so a folder without it is an interrupted run.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spec_audit.errors import UserError
from spec_audit.reports import FORMATS
from spec_audit.reports.build import Report, build_report
from spec_audit.reports.csv_report import write_csvs
from spec_audit.reports.evidence import EXAMPLES_PER_CLAUSE
from spec_audit.reports.html import chart_svgs, render_html
from spec_audit.reports.json_report import write_json
from spec_audit.reports.manifest import file_sha256
from spec_audit.reports.pdf import write_pdf
from spec_audit.reports.verify import SUMS, write_sums
from spec_audit.snapshot import open_snapshot, snapshot_path
from spec_audit.spec.catalog import Catalog

#: Every file a report folder can hold; --force replaces exactly these.
OUTPUTS = (
    "report.html", "report.pdf", "report.json", "clauses.csv", "findings.csv", "manifest.json", SUMS,
)  # fmt: skip


@dataclass(frozen=True)
class GeneratedReport:
    """A written report folder: the report and each file written with its size and SHA-256."""

    folder: Path
    report: Report
    files: tuple[tuple[str, int, str], ...]  # (name, bytes, sha256), SHA256SUMS last


def parse_formats(value: str | Sequence[str]) -> tuple[str, ...]:
    """Return the requested formats in canonical order; an unknown one is a UserError.

    >>> parse_formats("json, html")
    ('html', 'json')
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    wanted = {item.strip().lower() for item in items if item.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown or not wanted:
        raise UserError(
            f"--format {unknown[0] if unknown else value!r}: expected a comma-separated list of "
            f"{', '.join(FORMATS)}"
        )
    return tuple(f for f in FORMATS if f in wanted)


def last_full_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Return the last full week (Monday to Sunday) or calendar month that ended before ``today``.

    >>> last_full_period("week", dt.date(2026, 11, 2))   # a Monday
    (datetime.date(2026, 10, 26), datetime.date(2026, 11, 1))
    >>> last_full_period("month", dt.date(2026, 11, 2))
    (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    """
    if kind == "week":
        end = today - dt.timedelta(days=today.weekday() + 1)
        return end - dt.timedelta(days=6), end
    if kind == "month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    raise UserError(f"report period {kind!r}: expected week or month")


def _prepare(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out {folder}: not a folder")
    existing = [name for name in OUTPUTS if (folder / name).exists()]
    if existing and not force:
        raise UserError(
            f"--out {folder}: already holds a report ({existing[0]}); pass --force to replace it"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name in existing:
        (folder / name).unlink()


def generate_report(
    db: Path,
    catalog: Catalog,
    *,
    start: dt.date,
    end: dt.date,
    out: Path,
    generated_at: str,
    models: Sequence[str] = (),
    formats: Sequence[str] = FORMATS,
    examples_per_clause: int = EXAMPLES_PER_CLAUSE,
    force: bool = False,
) -> GeneratedReport:
    """Return the report folder ``out`` after writing the report of [start, end] from ``db``'s snapshot."""
    formats = parse_formats(formats)
    if examples_per_clause < 0:
        raise UserError(f"--examples {examples_per_clause}: expected 0 or more")
    con = open_snapshot(db)
    try:
        report = build_report(
            con,
            catalog,
            start=start,
            end=end,
            models=tuple(models),
            examples_per_clause=examples_per_clause,
            generated_at=generated_at,
            snapshot=snapshot_path(db),
        )
    finally:
        con.close()
    _prepare(out, force)
    written: list[Path] = []
    manifest = out / "manifest.json"
    manifest.write_text(
        json.dumps(report.body["manifest"], indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    written.append(manifest)
    if "html" in formats or "pdf" in formats:
        html = render_html(report, chart_svgs(report.body))
        if "html" in formats:
            (out / "report.html").write_text(html, encoding="utf-8")
            written.append(out / "report.html")
        if "pdf" in formats:
            written.append(write_pdf(html, out / "report.pdf"))
    if "json" in formats:
        written.append(write_json(report, out / "report.json"))
    if "csv" in formats:
        written.extend(write_csvs(report, out))
    sums = write_sums(out, [p.name for p in written])
    files = tuple(
        (p.name, p.stat().st_size, file_sha256(p))
        for p in [*sorted(written, key=lambda p: p.name), sums]
    )
    return GeneratedReport(folder=out, report=report, files=files)
