"""Interchange: the catalog and findings as provider-neutral JSON, described by ``schemas/``.

- Catalog JSON (``schemas/catalog.schema.json``): the catalog's identity and every clause with
  its conditions as text, the signals they read, and where in the source it comes from. Importing
  it gives back a catalog equal to the original, clause for clause.
- Findings (``schemas/findings.schema.json``): one record per (turn, applicable clause) with its
  verdict, the spec version and overlay it was judged under, and the evidence spans the verdict
  rests on; as JSON Lines (one finding a line) or one JSON document with a header.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from spec_audit.errors import UserError
from spec_audit.spec.catalog import CLAUSE_KEYS, Catalog, catalog_from_mapping
from spec_audit.store import query

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "schemas"
CATALOG_FORMAT = "spec-audit/catalog"
FINDINGS_FORMAT = "spec-audit/findings"
FORMAT_VERSION = 1
FINDINGS_SQL = Path(__file__).resolve().parent / "findings_export.sql"


@cache
def schema(name: str) -> dict[str, Any]:
    """Return the JSON Schema ``schemas/<name>.schema.json``."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """Return the catalog as interchange JSON data (valid against catalog.schema.json)."""
    url = catalog.source.get("url")
    return {
        "format": CATALOG_FORMAT,
        "format_version": FORMAT_VERSION,
        "spec_id": catalog.spec_id,
        "version": catalog.version,
        "title": catalog.title,
        "source": catalog.source,
        "signals_version": catalog.signals_version,
        "clauses": [
            {
                "id": c.id,
                "title": c.title,
                "chapter": c.chapter,
                "layer": c.layer,
                "authority": c.authority,
                "severity": c.severity,
                "kind": c.kind,
                "text": c.text,
                "conditions": {"applies_when": c.applies_when, "violation_when": c.violation_when},
                "signals": list(c.signals),
                "testable": c.testable,
                "source": {"anchor": c.id, "url": f"{url}#{c.id}" if url else None},
            }
            for c in catalog.clauses
        ],
    }


def catalog_from_json(path: Path) -> Catalog:
    """Return the catalog in an interchange JSON file, validated against its schema and compiled."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: catalog JSON not found") from None
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not JSON ({exc})") from None
    check(data, "catalog", path)
    return catalog_from_mapping(_yaml_mapping(data), path, hashlib.sha256(raw).hexdigest())


def catalog_yaml(catalog: Catalog, note: str) -> str:
    """Return the catalog as YAML ``load_catalog`` reads, with ``note`` as its header comment."""
    import yaml  # only this writer needs it

    body = _yaml_mapping(catalog_to_json(catalog))
    header = "".join(f"# {line}\n" for line in note.splitlines())
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def _yaml_mapping(data: dict[str, Any]) -> dict[str, Any]:
    """Return interchange JSON data as the mapping a YAML catalog holds (what load_catalog reads)."""
    out = {key: data[key] for key in ("spec_id", "version", "title", "source", "signals_version")}
    out["clauses"] = [
        {
            **{key: c[key] for key in CLAUSE_KEYS},
            **{k: v for k, v in c["conditions"].items() if v is not None},
        }
        for c in data["clauses"]
    ]
    return out


def check(data: object, name: str, path: Path | str) -> None:
    """Raise a one-line ``UserError`` naming the first place ``data`` breaks schema ``name``."""
    import jsonschema  # a validator is only needed when reading someone else's JSON

    validator = jsonschema.Draft202012Validator(schema(name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise UserError(f"{path}: {where}: {error.message}")


def findings_frame(
    con: duckdb.DuckDBPyConnection,
    spec_id: str,
    spec_version: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pl.DataFrame:
    """Return the findings of one spec version over [start, end] as interchange records."""
    has_overlay = con.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'findings' AND column_name = 'overlay_id'"
    ).fetchall()[0][0]
    sql = FINDINGS_SQL.read_text(encoding="utf-8")
    if not has_overlay:
        # A database from before overlays: every finding was judged under the base catalog.
        sql = sql.replace("f.overlay_id", "NULL::VARCHAR")
    return query(
        con,
        sql,
        {"spec_id": spec_id, "spec_version": spec_version, "start": start, "end": end},
    )


def write_findings(frame: pl.DataFrame, out: Path, fmt: str, header: dict[str, Any]) -> None:
    """Write findings records as JSON Lines (``jsonl``) or one JSON document (``json``)."""
    if fmt == "jsonl":
        frame.write_ndjson(out)
        return
    document = json.dumps({**header, "count": frame.height, "findings": []}, indent=None)
    # The records are serialised by Polars in one pass and spliced into the header's empty list.
    rows = frame.write_json() if frame.height else "[]"
    out.write_text(document[: -len("[]}")] + rows + "}", encoding="utf-8")


def findings_header(
    spec_id: str, spec_version: str, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    """Return the header of a findings JSON document."""
    return {
        "format": FINDINGS_FORMAT,
        "format_version": FORMAT_VERSION,
        "spec_id": spec_id,
        "spec_version": spec_version,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }
