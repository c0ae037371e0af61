"""Overlays: validation against the base catalog, and findings that apply them per conversation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import yaml

from spec_audit.errors import UserError
from spec_audit.findings import judge
from spec_audit.spec.catalog import load_catalog
from spec_audit.spec.overlay import load_overlay, with_overlays
from spec_audit.spec.versions import SPEC_ROOT
from tests.conftest import run_cli
from transforms.registry import SIGNALS

BASE = SPEC_ROOT / "model-spec" / "2025-12-18.yaml"
OVERLAYS = SPEC_ROOT / "overlays"
WEAKENS_RULE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "spec" / "overlay_weakens_rule.yaml"
)


def write_overlay(tmp_path: Path, clauses: dict, **fields: object) -> Path:
    data = {
        "overlay_id": "test",
        "title": "Test overlay",
        "base": "model-spec@2025-12-18",
        "authority": "developer",
        "applies_to": {"surface": "voice"},
        **fields,
        "clauses": clauses,
    }
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(UserError) as info:
        load_overlay(path, load_catalog(BASE))
    return str(info.value)


def test_rule_weakening_overlay_is_refused() -> None:
    assert error_of(WEAKENS_RULE) == (
        f"{WEAKENS_RULE}: clause assume_best_intentions: refused: a rule-layer clause cannot be "
        "disabled (enabled: false) by an overlay"
    )


def test_rule_weakening_overlay_is_refused_by_the_cli() -> None:
    result = run_cli("spec", "validate", str(WEAKENS_RULE))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {WEAKENS_RULE}: clause assume_best_intentions: refused: a rule-layer clause "
        "cannot be disabled (enabled: false) by an overlay"
    )


@pytest.mark.parametrize(
    ("clauses", "fields", "message"),
    [
        (
            {"avoid_info_hazards": {"applies_when": "has_reply and prompt_intent == 'harmful'"}},
            {},
            "clause avoid_info_hazards: refused: a rule-layer clause cannot be re-scoped "
            "(applies_when) by an overlay",
        ),
        (
            {"uphold_fairness": {"violation_when": "false"}},
            {},
            "clause uphold_fairness: refused: a rule-layer clause cannot be weakened or replaced "
            "(violation_when) by an overlay",
        ),
        (
            {"be_warm": {"enabled": False}},
            {},
            "clause be_warm: refused: objective clauses describe the assistant's character and "
            "are not adjustable by an overlay",
        ),
        (
            {"avoid_regulated_advice": {"enabled": False}},
            {"authority": "user"},
            "clause avoid_regulated_advice: refused: the clause's authority developer is above "
            "the overlay's authority user",
        ),
        (
            {"be_thorough": {"enabled": False}},
            {},
            "clause be_thorough: not in model-spec@2025-12-18 (did you mean "
            "'be_thorough_but_efficient'?)",
        ),
        (
            {"be_clear": {"violation_when": "hedgin >= 3"}},
            {},
            "clause be_clear, violation_when: unknown signal 'hedgin' at column 1 "
            "(did you mean 'hedging'?)",
        ),
        (
            {"be_clear": {"thresholds": {"reply_words": 100}}},
            {},
            "clause be_clear: thresholds: no numeric comparison on 'reply_words' in its conditions",
        ),
        (
            {"formatting": {"violation_when": "reply_words > 10"}},
            {},
            "clause formatting: the clause is untestable in the base; give both applies_when "
            "and violation_when",
        ),
        (
            {"be_clear": {"tone": "warm"}},
            {},
            "clause be_clear: unknown key 'tone' (allowed: enabled, applies_when, "
            "violation_when, thresholds, reason)",
        ),
        (
            {"be_clear": {"enabled": False}},
            {"base": "model-spec@2025-02-12"},
            "base model-spec@2025-02-12 does not match the catalog model-spec@2025-12-18",
        ),
        (
            {"be_clear": {"enabled": False}},
            {"authority": "root"},
            "authority 'root' is not one of system, developer, user (root-level changes are a "
            "new spec version, not an overlay)",
        ),
    ],
)
def test_overlay_validation_messages(
    tmp_path: Path, clauses: dict, fields: dict, message: str
) -> None:
    path = write_overlay(tmp_path, clauses, **fields)
    assert error_of(path) == f"{path}: {message}"


def test_shipped_overlays_and_deployment_load() -> None:
    catalog = load_catalog(OVERLAYS / "example-deployment.yaml")
    assert (catalog.spec_id, catalog.version) == ("model-spec", "2025-12-18")
    assert catalog.path == OVERLAYS / "example-deployment.yaml"
    assert [o.overlay_id for o in catalog.overlays] == ["voice", "enterprise"]
    voice = catalog.overlays[0].adjustment("be_thorough_but_efficient")
    assert voice is not None
    assert voice.violation_when == (
        "(refusal != 'none' and offers_alternative) or (prompt_words <= 20 and reply_words > 150)"
    )
    assert voice.applies_when == "has_reply and prompt_intent != 'harmful'"
    formatting = catalog.overlays[0].adjustment("formatting")
    assert formatting is not None and not formatting.enabled


def frame(surfaces: list[str | None], reply_words: list[int], metadata: list[str] | None = None):
    n = len(surfaces)
    columns = {
        "turn_id": [f"c{i}:0" for i in range(n)],
        "conversation_id": [f"c{i}" for i in range(n)],
        "day": [dt.date(2026, 10, 1)] * n,
        "model": ["m1"] * n,
        "surface": surfaces,
        "has_reply": [True] * n,
        "refusal": ["none"] * n,
        "prompt_intent": ["benign"] * n,
        "prompt_words": [5] * n,
        "reply_words": reply_words,
    }
    if metadata is not None:
        columns["conversation_metadata"] = metadata
    # Every other signal unknown (null), so only the clauses under test can decide.
    others = {s.name: pl.Series([None] * n, dtype=s.polars_dtype) for s in SIGNALS}
    return pl.LazyFrame({**others, **columns})


def test_findings_apply_each_overlay_to_the_conversations_it_selects() -> None:
    catalog = load_catalog(OVERLAYS / "example-deployment.yaml")
    signals = frame(["chat", "voice", "voice", "enterprise", None], [700, 200, 100, 700, 700])
    found = judge(signals, catalog).collect()
    thorough = found.filter(pl.col("clause_id") == "be_thorough_but_efficient").sort("turn_id")
    assert thorough["verdict"].to_list() == [
        "violation",  # chat: base limit 600
        "violation",  # voice: 150
        "compliant",
        "compliant",  # enterprise: 1200
        "violation",  # no surface: base
    ]
    assert thorough["overlay_id"].to_list() == [None, "voice", "voice", "enterprise", None]
    # A clause untestable in the base is judged only where an overlay makes it testable.
    concise = found.filter(pl.col("clause_id") == "be_concise_and_conversational_in_voice_mode")
    assert sorted(concise["turn_id"]) == ["c1:0", "c2:0"]
    assert concise.sort("turn_id")["verdict"].to_list() == ["violation", "compliant"]
    assert concise["evidence"].to_list()[0] == ["has_reply", "refusal", "reply_words"]
    # Without overlays the same frame gives the base verdicts, and overlay_id is null.
    base = judge(signals, load_catalog(BASE)).collect()
    base_thorough = base.filter(pl.col("clause_id") == "be_thorough_but_efficient").sort("turn_id")
    assert base_thorough["verdict"].to_list() == [
        "violation", "compliant", "compliant", "violation", "violation",
    ]  # fmt: skip
    assert base["overlay_id"].null_count() == base.height


def test_overlay_selecting_by_metadata(tmp_path: Path) -> None:
    path = write_overlay(
        tmp_path,
        {"be_thorough_but_efficient": {"enabled": False}},
        applies_to={"metadata.tier": ["enterprise", "gov"]},
    )
    base = load_catalog(BASE)
    catalog = with_overlays(base, [load_overlay(path, base)])
    signals = frame(
        ["chat", "chat", "chat"], [700, 700, 700], ['{"tier": "gov"}', '{"tier": "free"}', None]
    )
    found = judge(signals, catalog).collect()
    thorough = found.filter(pl.col("clause_id") == "be_thorough_but_efficient")
    assert sorted(thorough["turn_id"]) == ["c1:0", "c2:0"]
