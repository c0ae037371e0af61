"""Spec versions side by side: resolving --spec, and the diff of the two shipped versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spec_audit.errors import UserError
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.diff import diff_catalogs
from spec_audit.spec.versions import SPEC_ROOT, available_versions, resolve_spec
from tests.conftest import run_cli

OLD, NEW = (
    SPEC_ROOT / "model-spec" / "2025-02-12.yaml",
    SPEC_ROOT / "model-spec" / "2025-12-18.yaml",
)


def test_resolve_version_qualified_version_and_path(tmp_path: Path) -> None:
    assert resolve_spec("2025-02-12") == OLD
    assert resolve_spec("model-spec@2025-12-18") == NEW
    assert resolve_spec(str(tmp_path / "x.yaml")) == tmp_path / "x.yaml"
    assert available_versions() == ["model-spec@2025-02-12", "model-spec@2025-12-18"]


def test_unknown_version_lists_available() -> None:
    with pytest.raises(UserError) as info:
        resolve_spec("model-spec@2024-01-01")
    assert str(info.value) == (
        "--spec 'model-spec@2024-01-01': no such file or shipped version "
        "(available: model-spec@2025-02-12, model-spec@2025-12-18)"
    )


def test_second_shipped_version_matches_its_release() -> None:
    old = load_catalog(OLD)
    assert (old.spec_id, old.version, len(old.clauses), len(old.testable)) == (
        "model-spec", "2025-02-12", 51, 26,
    )  # fmt: skip
    authorities = [c.authority for c in old.clauses]
    # platform (this release's word) is read as root: 20 of them, as the release has.
    assert {a: authorities.count(a) for a in set(authorities)} == {
        "root": 20, "developer": 1, "user": 12, "guideline": 18,
    }  # fmt: skip


def test_diff_of_the_shipped_versions() -> None:
    diff = diff_catalogs(load_catalog(OLD), load_catalog(NEW))
    assert (len(diff.added), len(diff.removed), len(diff.changed), diff.unchanged) == (
        12,
        4,
        30,
        17,
    )
    assert diff.removed == (
        "protect_privileged_messages",
        "be_empathetic",
        "be_kind",
        "be_engaging",
    )
    assert "prioritize_teen_safety" in diff.added and "be_warm" in diff.added
    fields = {c.clause_id: c.fields for c in diff.changed}
    assert fields["comply_with_laws"] == {"authority": ("root", "system")}
    assert fields["be_rationally_optimistic"] == {"chapter": ("approachable", "style")}
    assert set(fields["refusal_style"]) == {"title", "text", "violation_when", "signals"}
    assert fields["refusal_style"]["signals"] == (
        ("has_reply", "moralizing", "refusal", "refusal_style", "reply_words"),
        ("has_reply", "moralizing", "offers_alternative", "refusal", "refusal_style"),
    )


def test_diff_cli_json_and_text() -> None:
    result = run_cli("spec", "diff", "2025-02-12", "model-spec@2025-12-18", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["from"], data["to"]) == ("model-spec@2025-02-12", "model-spec@2025-12-18")
    assert (len(data["added"]), len(data["removed"]), len(data["changed"])) == (12, 4, 30)
    change = next(c for c in data["changed"] if c["id"] == "ask_clarifying_questions")
    assert change["fields"]["title"]["from"] == (
        "State assumptions, and ask clarifying questions when appropriate"
    )
    text = run_cli("spec", "diff", "2025-02-12", "2025-12-18")
    assert text.stdout.splitlines()[0] == (
        "model-spec@2025-02-12 → model-spec@2025-12-18: 12 added, 4 removed, 30 changed, "
        "17 unchanged"
    )
    assert "  ~ comply_with_laws: authority root → system" in text.stdout.splitlines()


def test_cli_spec_option_takes_a_version_and_reports_unknown_ones(tmp_path: Path) -> None:
    result = run_cli("summary", "--spec", "1999-01-01", "--db", str(tmp_path / "a.duckdb"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: --spec '1999-01-01': no such file or shipped version "
        "(available: model-spec@2025-02-12, model-spec@2025-12-18)"
    )
