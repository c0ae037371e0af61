"""Reports on the hand-built database: contents, schema, determinism, integrity, no network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from spec_audit.reports.generate import generate_report
from spec_audit.reports.json_report import schema
from spec_audit.reports.verify import verify
from tests.reports.conftest import END, GENERATED_AT, START


@pytest.fixture(scope="module")
def twice(report_db: Path, catalog, tmp_path_factory: pytest.TempPathFactory) -> list:
    """The same full report written twice, into two folders."""
    root = tmp_path_factory.mktemp("reports")
    return [
        generate_report(
            report_db, catalog, start=START, end=END, out=root / name, generated_at=GENERATED_AT
        )
        for name in ("first", "second")
    ]


def test_every_output_is_written_and_listed(twice) -> None:
    folder = twice[0].folder
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "SHA256SUMS", "clauses.csv", "findings.csv", "manifest.json",
        "report.html", "report.json", "report.pdf",
    ]  # fmt: skip
    listed = [line.split("  ")[1] for line in (folder / "SHA256SUMS").read_text().splitlines()]
    assert listed == sorted(n for n in names if n != "SHA256SUMS")


def test_two_runs_are_byte_identical(twice) -> None:
    first, second = (g.folder for g in twice)
    for name in ("report.json", "report.html", "clauses.csv", "findings.csv", "manifest.json",
                 "report.pdf", "SHA256SUMS"):  # fmt: skip
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_json_validates_against_the_schema(twice) -> None:
    body = json.loads((twice[0].folder / "report.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema())
    errors = list(jsonschema.Draft202012Validator(schema()).iter_errors(body))
    assert errors == []
    assert body["schema_version"] == "1.0.0"
    # A report missing its manifest does not validate.
    broken = {k: v for k, v in body.items() if k != "manifest"}
    assert not jsonschema.Draft202012Validator(schema()).is_valid(broken)


def test_scope_quality_and_manifest(twice) -> None:
    body = twice[0].report.body
    scope = body["scope"]
    assert scope["period"] == {"from": "2026-10-01", "to": "2026-10-14", "days": 14}
    assert scope["models"] == ["m-a", "m-b"]
    assert scope["conversations"] == 4 and scope["turns"] == 4
    assert [s["surface"] for s in scope["surfaces"]] == ["(none)", "chat", "voice"]
    assert body["data_quality"]["rejected_by_reason"] == [
        {"reason": "missing required field model", "records": 1}
    ]
    assert body["data_quality"]["validation"]["status"] == "not run"
    manifest = body["manifest"]
    assert manifest["generated_at"] == GENERATED_AT
    assert manifest["input_files"][0]["source_sha256"] == "a" * 64
    assert manifest["database_snapshot"]["file"] == "audit.snapshot.duckdb"
    assert len(manifest["database_snapshot"]["sha256"]) == 64
    assert manifest["parameters"]["from"] == "2026-10-01" and manifest["parameters"]["models"] == []
    # The only time in the body is the generation time.
    text = (twice[0].folder / "report.json").read_text(encoding="utf-8")
    assert re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text) == ["2026-11-02T06:00"]


def test_clauses_drift_and_summary(twice) -> None:
    body = twice[0].report.body
    clauses = {c["clause_id"]: c for c in body["clauses"]}
    abi = clauses["assume_best_intentions"]
    # 20 of 400 a day on both models for 7 days, then 60 (m-b) and 20 (m-a) for 7 days.
    assert (abi["applicable"], abi["violations"]) == (11200, 840)
    assert abi["rate"] == 0.075
    assert abi["drift"]["verdict"] == "regressed" and abi["drift"]["model"] == "m-b"
    assert abi["corrected"]["note"] == "not corrected: accuracy not measured"
    assert body["clauses"][0]["clause_id"] == "assume_best_intentions"  # highest rate first
    summary = body["executive_summary"]
    assert summary["regressed"] == ["assume_best_intentions"]
    assert summary["most_violated"] == ["assume_best_intentions", "avoid_regulated_advice"]
    assert summary["sentences"][3].startswith("Regressed: assume_best_intentions from m-a to m-b")
    assert body["quadrant"]["over_refusals"] == 1 and body["quadrant"]["benign_replies"] == 3
    assert len(body["limitations"]["untestable_clauses"]) == 15


def test_examples_are_deterministic_and_highlighted(twice) -> None:
    groups = {g["clause_id"]: g for g in twice[0].report.body["evidence_examples"]}
    assert sorted(groups) == ["assume_best_intentions", "avoid_regulated_advice"]
    assert groups["assume_best_intentions"]["reason"] == "violated and regressed"
    advice = groups["avoid_regulated_advice"]["examples"]
    assert sorted(e["conversation_id"] for e in advice) == ["conv-1", "conv-3"]
    html = (twice[0].folder / "report.html").read_text(encoding="utf-8")
    # Byte offsets 14..28 of a text with a two-byte "é" before them.
    assert 'Café owners: <mark title="definitive_advice">you should sue</mark> them.' in html
    assert '<mark title="regulated_domain">Is it legal</mark> to evict the café?' in html
    assert 'conversation <span class="id">conv-1</span>' in html


def test_html_loads_nothing_from_the_network(twice) -> None:
    html = (twice[0].folder / "report.html").read_text(encoding="utf-8")
    targets = re.findall(r"""\b(?:src|href|xlink:href)\s*=\s*["']([^"']*)["']""", html)
    assert targets, "the table of contents links at least"
    assert all(t.startswith("#") for t in targets), targets
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html)
    assert "<script" not in html and "<link" not in html
    assert html.count("<svg") == 3  # clause rates, trends, refusal quadrant


def test_pdf_contains_every_violated_clause(twice, tmp_path: Path) -> None:
    pdf = twice[0].folder / "report.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    violated = [c["clause_id"] for c in twice[0].report.body["clauses"] if c["violations"]]
    assert violated == ["assume_best_intentions", "avoid_regulated_advice"]
    for clause_id in violated:
        assert clause_id in text
    if shutil.which("pdftoppm") is None:
        return  # rendering to images needs poppler-utils; the text check above still ran
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "2", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 1000 for p in pages)


def test_csv_tables(twice) -> None:
    folder = twice[0].folder
    findings = (folder / "findings.csv").read_text(encoding="utf-8").splitlines()
    assert findings[0] == (
        "day,model,surface,conversation_id,turn_id,clause_id,kind,verdict,overlay_id,"
        "evidence_signals"
    )
    assert findings[1:] == [
        "2026-10-03,m-a,chat,conv-3,conv-3:0,avoid_regulated_advice,other,violation,,"
        "definitive_advice",
        "2026-10-09,m-b,chat,conv-1,conv-1:0,avoid_regulated_advice,other,violation,,"
        "definitive_advice regulated_domain",
        "2026-10-10,m-b,voice,conv-2,conv-2:0,assume_best_intentions,over_refusal,violation,,"
        "prompt_intent refusal",
    ]
    clauses = (folder / "clauses.csv").read_text(encoding="utf-8").splitlines()
    assert len(clauses) == 1 + 44
    assert clauses[1].startswith("assume_best_intentions,Assume best intentions,")


def test_verify_detects_a_single_changed_byte(twice, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(twice[1].folder, folder)
    assert verify(folder).passed
    data = bytearray((folder / "report.json").read_bytes())
    data[100] ^= 0x01
    (folder / "report.json").write_bytes(bytes(data))
    result = verify(folder)
    assert not result.passed
    assert result.changed == ("report.json",)
    assert len(result.ok) == 5
    (folder / "clauses.csv").unlink()
    (folder / "notes.txt").write_text("mine")
    result = verify(folder)
    assert (result.changed, result.missing, result.unlisted) == (
        ("report.json",),
        ("clauses.csv",),
        ("notes.txt",),
    )


def test_model_selection(report_db: Path, catalog, tmp_path: Path) -> None:
    result = generate_report(
        report_db, catalog, start=START, end=END, out=tmp_path / "m-a", models=["m-a"],
        formats="json,csv", generated_at=GENERATED_AT,
    )  # fmt: skip
    body = result.report.body
    assert body["scope"]["models"] == ["m-a"] and body["scope"]["model_selection"] == ["m-a"]
    assert body["scope"]["conversations"] == 2
    assert set(result.report.violations["model"]) == {"m-a"}
    assert {d["model"] for d in body["disparity"]} <= {"m-a", "*"}
    assert sorted(p.name for p in (tmp_path / "m-a").iterdir()) == [
        "SHA256SUMS", "clauses.csv", "findings.csv", "manifest.json", "report.json",
    ]  # fmt: skip


def test_overlays_in_force_are_listed(report_db: Path, tmp_path: Path) -> None:
    from spec_audit.spec.catalog import load_catalog
    from spec_audit.spec.versions import SPEC_ROOT

    deployment = load_catalog(SPEC_ROOT / "overlays" / "example-deployment.yaml")
    result = generate_report(
        report_db, deployment, start=START, end=END, out=tmp_path / "d", formats="html,json",
        generated_at=GENERATED_AT,
    )  # fmt: skip
    overlays = result.report.body["limitations"]["overlays"]
    assert [(o["overlay_id"], o["selects"], o["findings"]) for o in overlays["in_force"]] == [
        ("voice", "surface in voice", 1),
        ("enterprise", "surface in enterprise", 0),
    ]
    assert overlays["decided_findings"] == [{"overlay_id": "voice", "findings": 1}]
    manifest = result.report.body["manifest"]["spec_catalog"]
    assert [o["overlay_id"] for o in manifest["overlays"]] == ["voice", "enterprise"]
    html = (tmp_path / "d" / "report.html").read_text(encoding="utf-8")
    assert "<tr><th>Overlays in force</th><td>voice (surface in voice); enterprise" in html


def test_base_catalog_report_still_names_overlay_decisions(twice) -> None:
    overlays = twice[0].report.body["limitations"]["overlays"]
    assert overlays == {
        "in_force": [],
        "decided_findings": [{"overlay_id": "voice", "findings": 1}],
    }
