"""The `spec-audit report` and `verify-report` commands: output, exit codes, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_audit.config import spec_path
from spec_audit.spec.catalog import load_catalog
from tests.conftest import run_cli
from tests.reports.conftest import GENERATED_AT


@pytest.fixture(scope="module")
def written(report_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("cli") / "report"
    result = run_cli(
        "report", "--from", "2026-10-01", "--to", "2026-10-14", "--format", "json,csv,html",
        "--out", str(out), "--generated-at", "2026-11-02T07:00:00+01:00", "--db", str(report_db),
    )  # fmt: skip
    return out, result


def test_report_prints_the_files_written(written) -> None:
    out, result = written
    assert result.returncode == 0, result.stderr
    assert "report 2026-10-01 → 2026-10-14  spec model-spec 2025-12-18  models m-a, m-b" in (
        result.stdout
    )
    for name in ("clauses.csv", "findings.csv", "manifest.json", "report.html", "report.json"):
        assert name in result.stdout
    testable = len(load_catalog(spec_path()).testable)
    assert f"{testable} clauses, 2 with violations, 1 regressed; generated at {GENERATED_AT}" in (
        result.stdout
    )
    assert not (out / "report.pdf").exists()


def test_verify_report_passes_then_fails(written, tmp_path: Path) -> None:
    out, _ = written
    ok = run_cli("verify-report", str(out))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[-1] == "verified: 5 files match SHA256SUMS"
    html = out / "report.html"
    original = html.read_bytes()
    try:
        html.write_bytes(original[:-2] + bytes([original[-2] ^ 0x20]) + original[-1:])
        bad = run_cli("verify-report", str(out))
    finally:
        html.write_bytes(original)
    assert bad.returncode == 1
    assert "  CHANGED  report.html" in bad.stdout
    assert bad.stdout.splitlines()[-1] == "FAILED: 1 changed, 0 missing of 5 listed"
    none = run_cli("verify-report", str(tmp_path))
    assert none.returncode == 2
    assert none.stderr.strip() == (
        f"error: {tmp_path / 'SHA256SUMS'}: no SHA256SUMS file; is this a spec-audit report folder?"
    )


def test_report_refuses_to_overwrite_without_force(written, report_db: Path) -> None:
    out, _ = written
    args = ("report", "--from", "2026-10-01", "--to", "2026-10-14", "--format", "json",
            "--out", str(out), "--generated-at", GENERATED_AT, "--db", str(report_db))  # fmt: skip
    again = run_cli(*args)
    assert again.returncode == 2
    assert again.stderr.strip() == (
        f"error: --out {out}: already holds a report (report.html); pass --force to replace it"
    )
    forced = run_cli(*args, "--force")
    assert forced.returncode == 0, forced.stderr
    # --force replaces the whole folder: only what this run wrote remains.
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "manifest.json", "report.json"]


def test_unknown_model_is_a_one_line_error(report_db: Path, tmp_path: Path) -> None:
    result = run_cli(
        "report", "--from", "2026-10-01", "--to", "2026-10-14", "--out", str(tmp_path / "r"),
        "--db", str(report_db), "--model", "m-z",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: --model m-z: no such model in the database (models: m-a, m-b)"
    )
    assert not (tmp_path / "r").exists()


def test_report_of_an_empty_period(report_db: Path, tmp_path: Path) -> None:
    result = run_cli(
        "report", "--from", "2026-12-01", "--to", "2026-12-07", "--out", str(tmp_path / "r"),
        "--db", str(report_db),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: nothing to report: no turns were ingested between 2026-12-01 and 2026-12-07"
    )
