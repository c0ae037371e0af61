"""Shared fixtures: run the real `spec-audit` command, and one generated-and-audited database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SPEC_AUDIT = str(Path(sys.executable).parent / "spec-audit")


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
