"""The report's manifest: everything needed to regenerate it and to check it was not altered.

Input file hashes (from ``ingest_manifest``, for the files that contributed conversations to the
scope), the SHA-256 of the database snapshot the report was read from, the code version (git
commit when the package runs from a checkout, else the package version), the spec catalog hash
(and of each overlay in force), the parameters, and the generation time, which is a parameter too:
nothing in a report reads the clock, so the same parameters give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import spec_audit
from spec_audit.errors import UserError
from spec_audit.spec.catalog import Catalog

PROJECT_ROOT = Path(spec_audit.__file__).resolve().parent.parent
#: The development-set accuracy of the labellers, when the evaluation has published it.
ACCURACY_FILE = PROJECT_ROOT / "benchmarks" / "ACCURACY.md"
_CHUNK = 1 << 20
#: What the manifest says about each input file (columns of ``sql/inputs.sql``).
INPUT_KEYS = (
    "source_file", "source_sha256", "format", "adapter", "rows_read", "rows_accepted",
    "rows_rejected", "conversations_in_scope",
)  # fmt: skip


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def parse_generated_at(value: str | None, now: dt.datetime | None = None) -> str:
    """Return the generation time as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC): ``value``, else ``now``.

    >>> parse_generated_at("2026-11-02T09:30:00+01:00")
    '2026-11-02T08:30:00Z'
    >>> parse_generated_at("2026-11-02")
    '2026-11-02T00:00:00Z'
    """
    if value is None:
        moment = now or dt.datetime.now(dt.UTC)
    else:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise UserError(
                f"--generated-at {value!r}: expected an ISO 8601 time such as 2026-11-02T06:00:00Z"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # a naive time is UTC, as everywhere in spec-audit
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def code_version() -> dict[str, object]:
    """Return the package version and, from a git checkout, its commit and whether it is modified."""
    version: dict[str, object] = {"package": spec_audit.__version__, "git_commit": None}
    if not (PROJECT_ROOT / ".git").exists():
        return version
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()  # fmt: skip
        status = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return version  # no git on this machine: the package version is what can be said
    return version | {"git_commit": commit, "git_modified": bool(status.strip())}


def describe_version(version: dict[str, object]) -> str:
    """Return the code version in one phrase, e.g. ``git 1a2b3c4d5e6f (modified)``.

    >>> describe_version({"package": "0.1.0", "git_commit": None})
    'spec-audit 0.1.0'
    """
    if not version.get("git_commit"):
        return f"spec-audit {version['package']}"
    modified = " (modified working tree)" if version.get("git_modified") else ""
    return f"spec-audit {version['package']}, git {str(version['git_commit'])[:12]}{modified}"


def build_manifest(
    *,
    snapshot: Path,
    catalog: Catalog,
    inputs: list[dict[str, object]],
    parameters: dict[str, object],
    generated_at: str,
) -> dict[str, object]:
    """Return the manifest of a report (JSON-ready, keys sorted when written)."""
    accuracy = (
        {"path": "benchmarks/ACCURACY.md", "sha256": file_sha256(ACCURACY_FILE)}
        if ACCURACY_FILE.exists()
        else None
    )
    return {
        "generated_at": generated_at,
        "code_version": code_version(),
        "database_snapshot": {
            # The name, not the path: the same snapshot copied elsewhere gives the same report.
            "file": snapshot.name,
            "sha256": file_sha256(snapshot),
            "bytes": snapshot.stat().st_size,
        },
        "spec_catalog": {
            "spec_id": catalog.spec_id,
            "version": catalog.version,
            "sha256": catalog.sha256,
            "overlays": [
                {"overlay_id": o.overlay_id, "sha256": o.sha256} for o in catalog.overlays
            ],
        },
        "accuracy_file": accuracy,
        "input_files": [{key: row[key] for key in INPUT_KEYS} for row in inputs],
        "parameters": parameters,
    }
