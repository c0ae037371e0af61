"""Where things live: every path and setting comes from here, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from spec_audit.errors import UserError

DEFAULT_DB = Path("data/audit.duckdb")
DEFAULT_LANDING = Path("data/landing")
DEFAULT_SPEC = (
    Path(__file__).resolve().parent.parent / "data" / "spec" / "model-spec" / "2025-12-18.yaml"
)
#: First day of the daily partitions Dagster knows about.
DEFAULT_PARTITIONS_START = "2025-01-01"


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the DuckDB file: the explicit override, else ``SPEC_AUDIT_DB``, else data/audit.duckdb."""
    return Path(override or os.environ.get("SPEC_AUDIT_DB") or DEFAULT_DB)


def staging_location(override: str | None = None) -> str:
    """Return where parallel audit steps stage Parquet: override, ``SPEC_AUDIT_STAGING``, or
    ``staging/`` beside the database (a folder, or an object-store URL such as s3://bucket/prefix)."""
    return override or os.environ.get("SPEC_AUDIT_STAGING") or str(db_path().parent / "staging")


def landing_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the landing folder the sensor watches: override, ``SPEC_AUDIT_LANDING``, or data/landing."""
    return Path(override or os.environ.get("SPEC_AUDIT_LANDING") or DEFAULT_LANDING)


def spec_path(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the spec catalog file: override, ``SPEC_AUDIT_SPEC``, or the shipped Model Spec catalog."""
    return Path(override or os.environ.get("SPEC_AUDIT_SPEC") or DEFAULT_SPEC)


def partitions_start() -> str:
    """Return the first daily partition (``SPEC_AUDIT_PARTITIONS_START``, default 2025-01-01)."""
    return os.environ.get("SPEC_AUDIT_PARTITIONS_START") or DEFAULT_PARTITIONS_START


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _flag(name: str, default: bool) -> bool:
    """Return the boolean setting in environment variable ``name``, or ``default`` when unset."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UserError(f"{name}={os.environ[name]!r}: expected 1 or 0 (or true/false)")


def redact_setting(override: bool | None = None) -> bool:
    """Return whether ingest redacts PII: the override, else ``SPEC_AUDIT_REDACT`` (default on)."""
    return _flag("SPEC_AUDIT_REDACT", True) if override is None else override


def keep_raw_setting(override: bool | None = None) -> bool:
    """Return whether ingest keeps raw messages: override, else ``SPEC_AUDIT_KEEP_RAW`` (off)."""
    return _flag("SPEC_AUDIT_KEEP_RAW", False) if override is None else override
