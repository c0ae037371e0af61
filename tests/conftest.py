"""Shared fixtures: run the real `spec-audit` command, generated databases."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SPEC_AUDIT = str(Path(sys.executable).parent / "spec-audit")
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def benchmark_script(name: str):
    """Return the module of ``benchmarks/<name>.py``, loaded once (scripts are not a package)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Return the completed `spec-audit` process (text output, never raising on failure)."""
    return subprocess.run(
        [SPEC_AUDIT, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=600,
    )


def generated_database(
    work: Path, *, conversations: int, days: int, seed: int, audit_days: list | None = None
) -> Path:
    """Return ``work/generated.duckdb``: a generated sample ingested, and audited on ``audit_days``."""
    from spec_audit import audit, config, store
    from spec_audit.ingest import ingest_paths
    from spec_audit.sample import generate_sample
    from spec_audit.spec.catalog import load_catalog

    generate_sample(work / "landing", conversations=conversations, days=days, seed=seed)
    db = work / "generated.duckdb"
    con = store.connect(db)
    try:
        ingest_paths(con, [work / "landing"])
        if audit_days:
            audit.audit(con, audit_days, load_catalog(config.spec_path()))
    finally:
        con.close()
    return db


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli


@pytest.fixture(scope="session")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Generate a small sample, run the whole audit once, and share the database and outputs."""
    root = tmp_path_factory.mktemp("audited")
    samples, db = root / "samples", root / "audit.duckdb"
    generated = run_cli(
        "generate-sample", "--conversations", "800", "--days", "6", "--seed", "11",
        "--start", "2026-10-13", "--out", str(samples),
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    first = run_cli("run", "--landing", str(samples), "--db", str(db))
    assert first.returncode == 0, first.stderr
    return {"root": root, "samples": samples, "db": db, "generated": generated, "run": first}
