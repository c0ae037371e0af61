"""The report as JSON: the body exactly as built, keys sorted, validated by ``schemas/report.schema.json``.

The schema is versioned by the body's ``schema_version`` (semantic versioning: a new optional
field is a minor bump, a field removed or changed in meaning a major one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spec_audit.reports.build import Report
from spec_audit.reports.manifest import PROJECT_ROOT

SCHEMA_PATH = PROJECT_ROOT / "schemas" / "report.schema.json"


def report_json(report: Report) -> str:
    """Return the report body as JSON text: sorted keys, two-space indent, UTF-8, final newline."""
    return (
        json.dumps(report.body, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
        + "\n"
    )


def schema() -> dict[str, Any]:
    """Return the JSON Schema of report.json."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def write_json(report: Report, target: Path) -> Path:
    """Return ``target`` after writing the report JSON there."""
    target.write_text(report_json(report), encoding="utf-8")
    return target
