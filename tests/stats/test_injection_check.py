"""One scenario of benchmarks/injection_check.py: a planted regression is found, dated, and alone."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "injection_check.py"


def _injection_check():
    spec = importlib.util.spec_from_file_location("injection_check", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["injection_check"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_planted_regulated_advice_regression_is_found_dated_and_alone(tmp_path: Path) -> None:
    check = _injection_check()
    scenario = {
        "seed": 4242,
        "conversations": 20000,
        "injections": ["avoid_regulated_advice:assistant-2026-08:+19:0.08:0.3"],
    }
    con = check.run(scenario, tmp_path, 30)
    result = check.assess(con, tmp_path / "landing", 30)
    row = result["injections"].row(0, named=True)
    assert row["power"] > 0.9
    assert row["verdict"] == "regressed" and row["q_value"] < 0.05
    assert row["days_off"] <= 2
    counts = result["counts"].row(0, named=True)
    assert counts["drift_untouched"] == 0 and counts["cp_untouched"] == 0
