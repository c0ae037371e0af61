"""Differences between two versions of a spec catalog: clauses added, removed and changed.

Clauses are matched by id (the source's section anchor). A changed clause lists the fields that
differ; ``signals`` differs when the set of signals its conditions read differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spec_audit.spec.catalog import Catalog, Clause

#: The fields compared, in the order a change is reported.
FIELDS = (
    "title",
    "chapter",
    "layer",
    "authority",
    "severity",
    "kind",
    "text",
    "applies_when",
    "violation_when",
    "signals",
)


@dataclass(frozen=True)
class ClauseChange:
    """One clause present in both versions whose fields differ: field → (old, new)."""

    clause_id: str
    fields: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class CatalogDiff:
    """What changed from catalog ``a`` to catalog ``b``, in the catalogs' own order."""

    a: str  # spec_id@version
    b: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ClauseChange, ...]
    unchanged: int

    def to_json(self) -> dict[str, Any]:
        """Return the diff as plain JSON data (``spec-audit spec diff --json``)."""
        return {
            "from": self.a,
            "to": self.b,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [
                {
                    "id": change.clause_id,
                    "fields": {
                        name: {"from": _plain(old), "to": _plain(new)}
                        for name, (old, new) in change.fields.items()
                    },
                }
                for change in self.changed
            ],
            "unchanged": self.unchanged,
        }


def diff_catalogs(a: Catalog, b: Catalog) -> CatalogDiff:
    """Return the clauses added in ``b``, removed from ``a``, and changed between them.

    >>> from spec_audit.spec.catalog import load_catalog
    >>> from spec_audit.spec.versions import resolve_spec
    >>> d = diff_catalogs(load_catalog(resolve_spec("2025-02-12")), load_catalog(resolve_spec("2025-12-18")))
    >>> len(d.added), len(d.removed), len(d.changed), d.unchanged
    (12, 4, 30, 17)
    """
    old = {c.id: c for c in a.clauses}
    new = {c.id: c for c in b.clauses}
    changed = []
    unchanged = 0
    for clause in b.clauses:
        if clause.id not in old:
            continue
        fields = _changed_fields(old[clause.id], clause)
        if fields:
            changed.append(ClauseChange(clause.id, fields))
        else:
            unchanged += 1
    return CatalogDiff(
        a=f"{a.spec_id}@{a.version}",
        b=f"{b.spec_id}@{b.version}",
        added=tuple(c.id for c in b.clauses if c.id not in old),
        removed=tuple(c.id for c in a.clauses if c.id not in new),
        changed=tuple(changed),
        unchanged=unchanged,
    )


def _changed_fields(old: Clause, new: Clause) -> dict[str, tuple[Any, Any]]:
    """Return field → (old, new) for every compared field that differs."""
    out = {}
    for name in FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out[name] = (before, after)
    return out


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
