"""The spec catalog: a versioned YAML file of clauses, loaded, validated and compiled.

A catalog (``data/spec/<spec_id>/<version>.yaml``, schema in DESIGN.md §4) lists the clauses of one
behaviour specification with their layer, authority, severity and kind, and for the clauses a
signal can test, ``applies_when`` / ``violation_when`` conditions compiled by
``spec_audit.spec.expressions``. ``load_catalog`` checks everything a user can get wrong and fails
with one ``UserError`` line naming the file, the clause and the problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from spec_audit.errors import UserError
from spec_audit.spec.expressions import compile_expression

#: The newest signal registry version this code computes; a catalog asking for more cannot run.
SIGNALS_VERSION = 1

LAYERS = ("rule", "default", "objective")
AUTHORITIES = ("root", "system", "developer", "user", "guideline")
#: Earlier Model Spec releases (before 2025-09-12) said platform where they now say root.
AUTHORITY_ALIASES = {"platform": "root"}
SEVERITIES = ("high", "medium", "low")
KINDS = ("under_refusal", "over_refusal", "hallucination", "bias", "style", "other")

TOP_LEVEL_KEYS = ("spec_id", "version", "title", "source", "signals_version", "clauses")
CLAUSE_KEYS = ("id", "title", "chapter", "layer", "authority", "severity", "kind", "text")
CLAUSE_OPTIONAL_KEYS = ("applies_when", "violation_when")
_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


@dataclass(frozen=True)
class Clause:
    """One clause of a spec: what it says, how much it matters, and (if testable) how to test it."""

    id: str
    title: str
    chapter: str
    layer: str
    authority: str
    severity: str
    kind: str
    text: str
    applies_when: str | None
    violation_when: str | None
    # Compared through their source text: pl.Expr's == builds an expression instead of a bool.
    applies: pl.Expr | None = field(compare=False, repr=False)
    violation: pl.Expr | None = field(compare=False, repr=False)
    signals: tuple[str, ...] = ()

    @property
    def testable(self) -> bool:
        """Return whether both conditions exist, so findings can be computed for this clause."""
        return self.applies is not None and self.violation is not None


@dataclass(frozen=True)
class Catalog:
    """A loaded spec catalog: its identity, provenance and clauses in the source's order."""

    spec_id: str
    version: str
    title: str
    source: dict[str, Any] = field(hash=False)
    signals_version: int
    clauses: tuple[Clause, ...]
    path: Path
    sha256: str
    #: Overlays in force (``spec_audit.spec.overlay``), in precedence order; empty for a bare catalog.
    overlays: tuple[Any, ...] = ()

    def clause(self, clause_id: str) -> Clause:
        """Return the clause with this id; a missing id is a ``UserError`` naming the catalog."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise UserError(f"{self.path}: no clause '{clause_id}'")

    @property
    def testable(self) -> tuple[Clause, ...]:
        """Return the clauses with both conditions, in catalog order."""
        return tuple(c for c in self.clauses if c.testable)

    @property
    def untestable(self) -> tuple[Clause, ...]:
        """Return the clauses no signal can test, in catalog order."""
        return tuple(c for c in self.clauses if not c.testable)


def load_catalog(path: str | Path) -> Catalog:
    """Return the validated, compiled catalog in ``path``; any problem is one ``UserError`` line.

    >>> from spec_audit.config import spec_path
    >>> catalog = load_catalog(spec_path())
    >>> catalog.spec_id, catalog.version, catalog.clause("avoid_regulated_advice").layer
    ('model-spec', '2025-12-18', 'default')
    """
    path = Path(path)
    data, raw = read_yaml(path, "spec catalog")
    if isinstance(data, dict) and "deployment" in data:
        # A deployment file names a catalog and the overlays in force; imported here because
        # overlays are built on catalogs, not the other way round.
        from spec_audit.spec.overlay import load_deployment

        return load_deployment(path, data)
    return catalog_from_mapping(data, path, hashlib.sha256(raw).hexdigest())


def read_yaml(path: Path, what: str) -> tuple[Any, bytes]:
    """Return (parsed YAML, raw bytes) of ``path``; a missing or broken file is a ``UserError``.

    ``what`` names the kind of file in the message ("spec catalog", "overlay").
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a {what} file") from None
    try:
        return yaml.safe_load(raw.decode("utf-8")), raw
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: {_yaml_problem(exc)}") from None


def catalog_from_mapping(data: object, path: Path, sha256: str) -> Catalog:
    """Return the validated, compiled catalog of an already parsed YAML or JSON mapping.

    ``path`` names the source in error messages; ``sha256`` identifies its bytes.
    """
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping with keys {', '.join(TOP_LEVEL_KEYS)}")
    _check_keys(data, TOP_LEVEL_KEYS, (), f"{path}")

    spec_id = _text(data, "spec_id", f"{path}")
    version = data["version"]
    # An unquoted 2025-12-18 is a date to YAML; the version is its ISO spelling either way.
    if isinstance(version, dt.date):
        version = version.isoformat()
    version = _text({"version": version}, "version", f"{path}")
    title = _text(data, "title", f"{path}")
    source = data["source"]
    if not isinstance(source, dict) or not isinstance(source.get("url"), str):
        raise UserError(f"{path}: source must be a mapping with a url (and a license)")
    signals_version = data["signals_version"]
    if not isinstance(signals_version, int) or isinstance(signals_version, bool):
        raise UserError(f"{path}: signals_version must be an integer, got {signals_version!r}")
    if signals_version > SIGNALS_VERSION:
        raise UserError(
            f"{path}: signals_version {signals_version} is newer than this spec-audit supports "
            f"({SIGNALS_VERSION})"
        )
    entries = data["clauses"]
    if not isinstance(entries, list) or not entries:
        raise UserError(f"{path}: clauses must be a non-empty list")

    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        clause = _clause(entry, number, path)
        if clause.id in seen:
            raise UserError(
                f"{path}: clause {clause.id}: duplicate id (also clause #{seen[clause.id]})"
            )
        seen[clause.id] = number
        clauses.append(clause)
    return Catalog(
        spec_id=spec_id,
        version=version,
        title=title,
        source=dict(source),
        signals_version=signals_version,
        clauses=tuple(clauses),
        path=path,
        sha256=sha256,
    )


def _clause(entry: object, number: int, path: Path) -> Clause:
    """Return one validated, compiled clause; ``number`` names it while its id is unknown."""
    if not isinstance(entry, dict):
        raise UserError(f"{path}: clause #{number}: expected a mapping, got {type(entry).__name__}")
    clause_id = entry.get("id")
    if not isinstance(clause_id, str):
        label = f"{path}: clause #{number}"
        if clause_id is None:
            raise UserError(f"{label}: missing required key 'id'")
        raise UserError(f"{label}: id must be a string, got {clause_id!r}")
    label = f"{path}: clause {clause_id}"
    if not _ID.match(clause_id):
        raise UserError(f"{label}: id must be lower_snake_case (a-z, 0-9, _)")
    _check_keys(entry, CLAUSE_KEYS, CLAUSE_OPTIONAL_KEYS, label)
    fields = {key: _text(entry, key, label) for key in CLAUSE_KEYS}
    fields["authority"] = AUTHORITY_ALIASES.get(fields["authority"], fields["authority"])
    for key, allowed in (
        ("layer", LAYERS),
        ("authority", AUTHORITIES),
        ("severity", SEVERITIES),
        ("kind", KINDS),
    ):
        if fields[key] not in allowed:
            raise UserError(f"{label}: {key} '{fields[key]}' is not one of {', '.join(allowed)}")

    conditions = {}
    for key in CLAUSE_OPTIONAL_KEYS:
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise UserError(f"{label}: {key} must be a non-empty string expression")
        conditions[key] = value.strip() if value is not None else None
    applies_when, violation_when = conditions["applies_when"], conditions["violation_when"]
    if (applies_when is None) != (violation_when is None):
        present, missing = (
            ("applies_when", "violation_when")
            if violation_when is None
            else ("violation_when", "applies_when")
        )
        raise UserError(f"{label}: {present} without {missing} (give both, or neither)")

    applies = violation = None
    signals: set[str] = set()
    if applies_when is not None and violation_when is not None:
        compiled_applies = compile_expression(applies_when, where=f"{label}, applies_when")
        compiled_violation = compile_expression(violation_when, where=f"{label}, violation_when")
        applies, violation = compiled_applies.expr, compiled_violation.expr
        signals = set(compiled_applies.signals | compiled_violation.signals)
    return Clause(
        id=fields["id"],
        title=fields["title"],
        chapter=fields["chapter"],
        layer=fields["layer"],
        authority=fields["authority"],
        severity=fields["severity"],
        kind=fields["kind"],
        text=fields["text"],
        applies_when=applies_when,
        violation_when=violation_when,
        applies=applies,
        violation=violation,
        signals=tuple(sorted(signals)),
    )


def _check_keys(
    mapping: dict[Any, Any], required: tuple[str, ...], optional: tuple[str, ...], label: str
) -> None:
    """Raise for the first missing required key, then for the first unknown key."""
    for key in required:
        if key not in mapping:
            raise UserError(f"{label}: missing required key '{key}'")
    unknown = [key for key in mapping if key not in required and key not in optional]
    if unknown:
        allowed = ", ".join((*required, *optional))
        raise UserError(f"{label}: unknown key '{unknown[0]}' (allowed: {allowed})")


def _text(mapping: dict[str, Any], key: str, label: str) -> str:
    """Return ``mapping[key]`` as stripped text, raising unless it is a non-empty string."""
    value = mapping[key]
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{label}: {key} must be a non-empty string, got {value!r}")
    return value.strip()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Return 'line N: YAML syntax error: <problem>' for a PyYAML error."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return f"YAML syntax error: {problem}"
    return f"line {mark.line + 1}: YAML syntax error: {problem} (column {mark.column + 1})"
