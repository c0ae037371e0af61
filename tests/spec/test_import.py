"""Markdown import: anchored sections with an authority become a catalog skeleton load_catalog reads."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from spec_audit.errors import UserError
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.markdown_import import import_markdown, parse_sections
from tests.conftest import run_cli

SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "spec" / "small_spec.md"
SHARED = Path("/work/shared/spec")


def test_small_fixture_sections_and_skeleton(tmp_path: Path) -> None:
    sections = parse_sections(SMALL.read_text(encoding="utf-8"))
    # Headings inside ~~~ and ``` fences are example content, not sections.
    assert [(s.anchor, s.level, s.authority, s.chapter) for s in sections] == [
        ("overview", 1, None, "overview"),
        ("structure", 2, None, "overview"),
        ("stay_safe", 1, None, "stay_safe"),
        ("no_weapons", 2, "platform", "stay_safe"),
        ("say_omissions", 3, "system", "stay_safe"),
        ("be_helpful", 1, None, "be_helpful"),
        ("be_warm", 4, "guideline", "be_helpful"),
    ]
    out = tmp_path / "small-spec" / "2025-01-01.yaml"
    out.parent.mkdir()
    out.write_text(import_markdown(SMALL, version="2025-01-01"), encoding="utf-8")
    catalog = load_catalog(out)
    assert (catalog.spec_id, catalog.version, catalog.title) == (
        "small-spec", "2025-01-01", "Small spec",
    )  # fmt: skip
    assert [(c.id, c.authority, c.layer, c.chapter) for c in catalog.clauses] == [
        ("no_weapons", "root", "rule", "stay_safe"),
        ("say_omissions", "system", "rule", "stay_safe"),
        ("be_warm", "guideline", "default", "be_helpful"),
    ]
    # Own prose only: footnotes and link targets dropped, stops at the first example.
    assert catalog.clause("no_weapons").text == (
        "Do not give uplift towards weapons. A second paragraph."
    )
    assert catalog.clause("say_omissions").text == "Say when a law forces an omission"
    assert len(catalog.untestable) == 3


def test_import_needs_a_version(tmp_path: Path) -> None:
    plain = tmp_path / "spec.md"
    plain.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(UserError) as info:
        import_markdown(plain)
    assert str(info.value) == f"{plain}: no version in the file name; give --version"


def test_import_cli_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "skeleton.yaml"
    args = ("spec", "import", str(SMALL), "--version", "2025-01-01", "--out", str(out))
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"wrote {out}"
    assert len(load_catalog(out).clauses) == 3
    again = run_cli(*args)
    assert again.returncode == 2
    assert again.stderr.strip() == f"error: --out {out}: file exists; pass --force to overwrite it"


@pytest.mark.parametrize(
    ("markdown", "anchors", "count"),
    [
        ("model_spec-2025-12-18.md", "anchors.tsv", 59),
        ("model_spec-2025-02-12.md", "anchors-2025-02-12.tsv", 51),
    ],
)
def test_full_public_model_spec(tmp_path: Path, markdown: str, anchors: str, count: int) -> None:
    if not (SHARED / markdown).exists():
        pytest.skip(f"{SHARED / markdown} not present")
    out = tmp_path / "imported.yaml"
    out.write_text(import_markdown(SHARED / markdown), encoding="utf-8")
    catalog = load_catalog(out)
    with (SHARED / anchors).open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["authority"]]
    expected = [
        (r["anchor"], "root" if r["authority"] == "platform" else r["authority"], r["chapter"])
        for r in rows
    ]
    assert len(catalog.clauses) == count
    assert [(c.id, c.authority, c.chapter) for c in catalog.clauses] == expected
    assert all(c.text for c in catalog.clauses)
