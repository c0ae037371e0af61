"""Overlays: bounded customisations of a catalog's defaults for one deployment or product surface.

An overlay (YAML, examples in ``data/spec/overlays/``) names its base catalog, the authority it
speaks with, which conversations it applies to, and per-clause adjustments::

    overlay_id: voice
    title: Voice surface
    base: model-spec@2025-12-18
    authority: developer            # system | developer | user
    applies_to: {surface: voice}    # or {metadata.<key>: value}; a value or a list of values
    clauses:
      be_thorough_but_efficient:
        thresholds: {reply_words: 120}     # replace the number compared with reply_words
        reason: spoken answers must be short
      formatting: {enabled: false}

An adjustment may set ``enabled``, replace ``applies_when`` or ``violation_when``, replace numeric
``thresholds`` in the clause's conditions, and give a ``reason``. Validation against the base
refuses, with one line naming the overlay file, the clause and why:

- any adjustment of a rule-layer clause (rules cannot be disabled, weakened or re-scoped);
- any adjustment of an objective clause: objectives describe the assistant's character, they are
  not defaults a deployment chooses, and none has a condition a threshold could change;
- a clause whose authority is above the overlay's (a developer overlay cannot touch root or
  system clauses; a user overlay only user and guideline ones);
- unknown clause ids, unknown keys, and conditions that do not compile.

A deployment file (``deployment:``, ``spec:``, ``overlays:``) names a catalog and the overlays in
force; ``load_catalog`` on it returns the base catalog carrying those overlays, so ``--spec`` and
the Dagster resource take it like any catalog. Findings then apply each overlay to the
conversations it selects (``spec_audit.findings``).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from spec_audit.errors import UserError
from spec_audit.spec.catalog import Catalog, Clause, load_catalog, read_yaml
from spec_audit.spec.expressions import compile_expression

#: Higher authority first; a clause can be adjusted only by an overlay at or above its authority.
AUTHORITY_RANK = {"root": 0, "system": 1, "developer": 2, "user": 3, "guideline": 4}
#: Root-level changes are a new spec version, not an overlay; guideline is not a speaker.
OVERLAY_AUTHORITIES = ("system", "developer", "user")
OVERLAY_KEYS = ("overlay_id", "title", "base", "authority", "applies_to", "clauses")
ADJUSTMENT_KEYS = ("enabled", "applies_when", "violation_when", "thresholds", "reason")
DEPLOYMENT_KEYS = ("deployment", "spec", "overlays")
#: The frame column holding each conversation's metadata JSON, when an overlay selects by it.
METADATA_COLUMN = "conversation_metadata"
_ID = re.compile(r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$")
_METADATA_KEY = re.compile(r"^metadata\.([A-Za-z_][A-Za-z0-9_]*)$")
#: What refusing an adjustment of a rule-layer clause says, by the key that tried it.
_RULE_REFUSALS = {
    "enabled": "disabled (enabled: false)",
    "applies_when": "re-scoped (applies_when)",
    "violation_when": "weakened or replaced (violation_when)",
    "thresholds": "weakened or replaced (thresholds)",
    "reason": "adjusted",
}


@dataclass(frozen=True)
class Adjustment:
    """One clause as an overlay leaves it: enabled or not, and its effective conditions."""

    clause_id: str
    enabled: bool
    changed: tuple[str, ...]  # the adjustment keys the overlay set, reason excluded
    applies_when: str | None
    violation_when: str | None
    applies: pl.Expr | None = field(compare=False, repr=False)
    violation: pl.Expr | None = field(compare=False, repr=False)
    signals: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def testable(self) -> bool:
        """Return whether the adjusted clause yields findings on the conversations selected."""
        return self.enabled and self.applies is not None and self.violation is not None


@dataclass(frozen=True)
class Overlay:
    """A validated overlay: which conversations it selects and how it adjusts which clauses."""

    overlay_id: str
    title: str
    base: str
    authority: str
    selector: str  # "surface" or "metadata.<key>"
    values: tuple[str, ...]
    adjustments: tuple[Adjustment, ...]
    path: Path
    sha256: str

    def adjustment(self, clause_id: str) -> Adjustment | None:
        """Return this overlay's adjustment of ``clause_id``, or None when it leaves it alone."""
        return next((a for a in self.adjustments if a.clause_id == clause_id), None)

    @property
    def selects(self) -> pl.Expr:
        """Return the boolean expression choosing the turns this overlay applies to."""
        if self.selector == "surface":
            column = pl.col("surface")
        else:
            key = self.selector.removeprefix("metadata.")
            column = pl.col(METADATA_COLUMN).str.json_path_match(f"$.{key}")
        return column.is_in(pl.Series(self.values, dtype=pl.String).implode())

    @property
    def metadata_key(self) -> str | None:
        """Return the metadata key this overlay selects by, or None for the surface column."""
        return None if self.selector == "surface" else self.selector.removeprefix("metadata.")


def load_overlay(path: str | Path, catalog: Catalog) -> Overlay:
    """Return the overlay in ``path`` validated against ``catalog``; any problem is one line.

    >>> from spec_audit.spec.versions import resolve_spec, SPEC_ROOT
    >>> base = load_catalog(resolve_spec("model-spec@2025-12-18"))
    >>> voice = load_overlay(SPEC_ROOT / "overlays" / "voice.yaml", base)
    >>> voice.selector, voice.values, [a.clause_id for a in voice.adjustments][:2]
    ('surface', ('voice',), ['formatting', 'be_thorough_but_efficient'])
    """
    path = Path(path)
    data, raw = read_yaml(path, "overlay")
    label = str(path)
    if not isinstance(data, dict):
        raise UserError(f"{label}: expected a mapping with keys {', '.join(OVERLAY_KEYS)}")
    _check_keys(data, OVERLAY_KEYS, (), label)
    overlay_id = _text(data, "overlay_id", label)
    if not _ID.match(overlay_id):
        raise UserError(f"{label}: overlay_id must be lower-case letters, digits, _ or -")
    base = _text(data, "base", label)
    if base != f"{catalog.spec_id}@{catalog.version}":
        raise UserError(
            f"{label}: base {base} does not match the catalog {catalog.spec_id}@{catalog.version}"
        )
    authority = _text(data, "authority", label)
    if authority not in OVERLAY_AUTHORITIES:
        raise UserError(
            f"{label}: authority '{authority}' is not one of {', '.join(OVERLAY_AUTHORITIES)} "
            "(root-level changes are a new spec version, not an overlay)"
        )
    selector, values = _applies_to(data["applies_to"], label)
    entries = data["clauses"]
    if not isinstance(entries, dict) or not entries:
        raise UserError(f"{label}: clauses must be a mapping of clause id to adjustments")
    known = {c.id: c for c in catalog.clauses}
    adjustments = []
    for clause_id, entry in entries.items():
        clause = known.get(clause_id)
        if clause is None:
            close = difflib.get_close_matches(str(clause_id), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UserError(
                f"{label}: clause {clause_id}: not in {catalog.spec_id}@{catalog.version}{hint}"
            )
        adjustments.append(_adjust(clause, entry, authority, f"{label}: clause {clause_id}"))
    return Overlay(
        overlay_id=overlay_id,
        title=_text(data, "title", label),
        base=base,
        authority=authority,
        selector=selector,
        values=values,
        adjustments=tuple(adjustments),
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def with_overlays(catalog: Catalog, overlays: list[Overlay], path: Path | None = None) -> Catalog:
    """Return ``catalog`` carrying ``overlays`` (first listed wins where two select one turn).

    ``path`` (a deployment file) replaces the catalog's path, so whoever reloads the catalog from
    its path (the Dagster resource) gets the overlays too.
    """
    seen: set[str] = set()
    for overlay in overlays:
        if overlay.overlay_id in seen:
            raise UserError(f"{overlay.path}: overlay_id '{overlay.overlay_id}' is used twice")
        seen.add(overlay.overlay_id)
    digest = hashlib.sha256(
        " ".join([catalog.sha256, *(o.sha256 for o in overlays)]).encode()
    ).hexdigest()
    return dataclasses.replace(
        catalog,
        overlays=tuple(overlays),
        path=path or catalog.path,
        sha256=digest if overlays else catalog.sha256,
    )


def load_deployment(path: Path, data: dict[str, Any]) -> Catalog:
    """Return the catalog a deployment file names, carrying the overlays it lists.

    Relative paths in the file are read from the file's folder; ``spec`` may also be a version.
    """
    from spec_audit.spec.versions import resolve_spec  # versions reads config; keep imports light

    label = str(path)
    _check_keys(data, DEPLOYMENT_KEYS, (), label)
    _text(data, "deployment", label)
    spec = _text(data, "spec", label)
    local = path.parent / spec
    catalog = load_catalog(local if local.is_file() else resolve_spec(spec))
    names = data["overlays"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise UserError(f"{label}: overlays must be a list of overlay file paths")
    overlays = [load_overlay(path.parent / name, catalog) for name in names]
    return with_overlays(catalog, overlays, path=path)


def _applies_to(value: object, label: str) -> tuple[str, tuple[str, ...]]:
    """Return (selector, values) of an ``applies_to`` mapping with exactly one key."""
    if not isinstance(value, dict) or len(value) != 1:
        raise UserError(
            f"{label}: applies_to must have exactly one key, surface or metadata.<key>, "
            f"got {value!r}"
        )
    ((selector, chosen),) = value.items()
    if selector != "surface" and not _METADATA_KEY.match(str(selector)):
        raise UserError(
            f"{label}: applies_to key '{selector}' is not surface or metadata.<key> "
            "(letters, digits, _)"
        )
    values = chosen if isinstance(chosen, list) else [chosen]
    if not values or not all(isinstance(v, str) and v for v in values):
        raise UserError(f"{label}: applies_to {selector} must be a string or a list of strings")
    return str(selector), tuple(values)


def _adjust(clause: Clause, entry: object, authority: str, label: str) -> Adjustment:
    """Return the validated adjustment of one clause, refusing what the overlay may not do."""
    if not isinstance(entry, dict) or not entry:
        raise UserError(
            f"{label}: expected a mapping of adjustments ({', '.join(ADJUSTMENT_KEYS)})"
        )
    _check_keys(entry, (), ADJUSTMENT_KEYS, label)
    if clause.layer == "rule":
        key = next(k for k in ADJUSTMENT_KEYS if k in entry)
        tried = "adjusted" if key == "enabled" and entry[key] is not False else _RULE_REFUSALS[key]
        raise UserError(f"{label}: refused: a rule-layer clause cannot be {tried} by an overlay")
    if clause.layer == "objective":
        raise UserError(
            f"{label}: refused: objective clauses describe the assistant's character and are "
            "not adjustable by an overlay"
        )
    if AUTHORITY_RANK[clause.authority] < AUTHORITY_RANK[authority]:
        raise UserError(
            f"{label}: refused: the clause's authority {clause.authority} is above the "
            f"overlay's authority {authority}"
        )
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise UserError(f"{label}: enabled must be true or false, got {enabled!r}")
    reason = entry.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise UserError(f"{label}: reason must be text")

    texts = {"applies_when": clause.applies_when, "violation_when": clause.violation_when}
    for key in texts:
        if key in entry:
            value = entry[key]
            if not isinstance(value, str) or not value.strip():
                raise UserError(f"{label}: {key} must be a non-empty string expression")
            texts[key] = value.strip()
    if "thresholds" in entry:
        texts = _with_thresholds(texts, entry["thresholds"], label)
    if (texts["applies_when"] is None) != (texts["violation_when"] is None):
        raise UserError(
            f"{label}: the clause is untestable in the base; give both applies_when and "
            "violation_when"
        )
    compiled = {
        key: compile_expression(text, where=f"{label}, {key}") if text else None
        for key, text in texts.items()
    }
    signals = set().union(*(c.signals for c in compiled.values() if c is not None))
    return Adjustment(
        clause_id=clause.id,
        enabled=enabled,
        changed=tuple(k for k in ADJUSTMENT_KEYS if k in entry and k != "reason"),
        applies_when=texts["applies_when"],
        violation_when=texts["violation_when"],
        applies=compiled["applies_when"].expr if compiled["applies_when"] else None,
        violation=compiled["violation_when"].expr if compiled["violation_when"] else None,
        signals=tuple(sorted(signals)),
        reason=reason,
    )


def _with_thresholds(
    texts: dict[str, str | None], thresholds: object, label: str
) -> dict[str, str | None]:
    """Return the conditions with each ``signal <op> NUMBER`` given a new number."""
    if not isinstance(thresholds, dict) or not thresholds:
        raise UserError(f"{label}: thresholds must be a mapping of signal name to number")
    out = dict(texts)
    for signal, number in thresholds.items():
        if not isinstance(number, int | float) or isinstance(number, bool):
            raise UserError(f"{label}: thresholds: {signal} must be a number, got {number!r}")
        pattern = re.compile(
            rf"\b({re.escape(str(signal))}\s*(?:<=|>=|==|!=|<|>)\s*)-?\d+(?:\.\d+)?"
        )
        hits = 0
        for key, text in out.items():
            if text is not None:
                out[key], n = pattern.subn(lambda m, v=number: f"{m.group(1)}{v}", text)
                hits += n
        if not hits:
            raise UserError(
                f"{label}: thresholds: no numeric comparison on '{signal}' in its conditions"
            )
    return out


def _check_keys(
    mapping: dict[Any, Any], required: tuple[str, ...], optional: tuple[str, ...], label: str
) -> None:
    """Raise for the first missing required key, then for the first unknown key."""
    for key in required:
        if key not in mapping:
            raise UserError(f"{label}: missing required key '{key}'")
    unknown = [key for key in mapping if key not in required and key not in optional]
    if unknown:
        raise UserError(
            f"{label}: unknown key '{unknown[0]}' (allowed: {', '.join((*required, *optional))})"
        )


def _text(mapping: dict[str, Any], key: str, label: str) -> str:
    """Return ``mapping[key]`` as stripped text, raising unless it is a non-empty string."""
    value = mapping[key]
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{label}: {key} must be a non-empty string, got {value!r}")
    return value.strip()
