"""Spec versions side by side: ``data/spec/<spec_id>/<version>.yaml``, and what ``--spec`` names.

``--spec`` (and ``$SPEC_AUDIT_SPEC``) take a file path, a version such as ``2025-02-12``, or a
qualified version such as ``model-spec@2025-02-12``. A version is looked up among the shipped
catalogs; an unknown one is a ``UserError`` listing the versions there are.
"""

from __future__ import annotations

import os
from pathlib import Path

from spec_audit import config
from spec_audit.errors import UserError

#: Where the shipped catalogs live, one folder per spec_id (``overlays/`` holds overlays instead).
SPEC_ROOT = Path(__file__).resolve().parent.parent.parent / "data" / "spec"
_NOT_SPECS = {"overlays"}


def available_versions(root: Path = SPEC_ROOT) -> list[str]:
    """Return every shipped catalog as ``spec_id@version``, sorted.

    >>> available_versions()
    ['model-spec@2025-02-12', 'model-spec@2025-12-18']
    """
    return sorted(
        f"{p.parent.name}@{p.stem}"
        for p in root.glob("*/*.yaml")
        if p.parent.name not in _NOT_SPECS
    )


def resolve_spec(value: str | os.PathLike[str] | None = None, root: Path = SPEC_ROOT) -> Path:
    """Return the catalog file ``value`` names: a path, ``VERSION`` or ``SPEC_ID@VERSION``.

    ``None`` means ``$SPEC_AUDIT_SPEC`` or the shipped default, which may also be a version.

    >>> resolve_spec("model-spec@2025-02-12").relative_to(SPEC_ROOT).as_posix()
    'model-spec/2025-02-12.yaml'
    >>> resolve_spec("2024-01-01")
    Traceback (most recent call last):
    spec_audit.errors.UserError: --spec '2024-01-01': no such file or shipped version (available: model-spec@2025-02-12, model-spec@2025-12-18)
    """
    path = config.spec_path(value)
    text = str(path)
    # Anything spelled like a file is a file: load_catalog reports it if it is missing.
    if path.exists() or "/" in text or os.sep in text or path.suffix in (".yaml", ".yml", ".json"):
        return path
    spec_id, _, version = text.rpartition("@")
    candidates = sorted(
        p for p in root.glob(f"{spec_id or '*'}/{version}.yaml") if p.parent.name not in _NOT_SPECS
    )
    if len(candidates) == 1:
        return candidates[0]
    available = ", ".join(available_versions(root)) or "none"
    if len(candidates) > 1:
        names = ", ".join(f"{p.parent.name}@{version}" for p in candidates)
        raise UserError(f"--spec {text!r} is ambiguous: say which of {names}")
    raise UserError(f"--spec {text!r}: no such file or shipped version (available: {available})")
