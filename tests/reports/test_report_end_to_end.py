"""End to end: the generated-and-audited sample, reported twice through the CLI (slow)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from spec_audit.reports.json_report import schema
from tests.conftest import run_cli


@pytest.mark.slow
def test_sample_report_is_reproducible_verifiable_and_complete(audited, tmp_path: Path) -> None:
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        result = run_cli(
            "report", "--from", "2026-10-13", "--to", "2026-10-18", "--out", str(folder),
            "--generated-at", "2026-10-19T06:00:00Z", "--db", str(audited["db"]),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    sums = [(f / "SHA256SUMS").read_text() for f in folders]
    assert sums[0] == sums[1]
    assert len(sums[0].splitlines()) == 6
    checked = run_cli("verify-report", str(folders[0]))
    assert checked.returncode == 0 and "verified: 6 files match SHA256SUMS" in checked.stdout

    body = json.loads((folders[0] / "report.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema()).iter_errors(body)) == []
    assert body["scope"]["conversations"] > 0
    violated = [c["clause_id"] for c in body["clauses"] if c["violations"]]
    assert violated
    text = " ".join(p.extract_text() for p in PdfReader(folders[0] / "report.pdf").pages)
    assert [c for c in violated if c not in text] == []
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(folders[0] / "report.pdf"),
                        str(tmp_path / "page")], check=True)  # fmt: skip
        assert len(list(tmp_path.glob("page-*.png"))) == len(
            PdfReader(folders[0] / "report.pdf").pages
        )
