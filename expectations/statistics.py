"""Suites of the statistics tables: ``drift_tests``, ``disparity_tests``, ``change_points``.

Probabilities and rates lie in [0, 1], each interval contains its estimate, a Benjamini–Hochberg
q-value is never below its p-value, and verdicts and test names are ones the code writes. Nothing
downstream is computed from these tables, so every expectation here warns rather than blocks.
"""

from __future__ import annotations

from typing import Any

from expectations.runner import WARN, Suite, declared_columns, setting
from spec_audit.spec.catalog import LAYERS


def _between(gxe: Any, columns: tuple[str, ...], tol: float) -> list[Any]:
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=-tol,
            max_value=1 + tol,
            severity=WARN,
            description=f"{column} is within [0, 1]",
        )
        for column in columns
    ]


def _at_least(gxe: Any, columns: tuple[str, ...], tol: float) -> list[Any]:
    """Return expectations that each derived difference column is >= 0 (within ``tol``)."""
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=column, min_value=-tol, severity=WARN, description=column.replace("_", " ")
        )
        for column in columns
    ]


def _in_set(gxe: Any, column: str, values: list[str]) -> Any:
    return gxe.ExpectColumnValuesToBeInSet(
        column=column,
        value_set=values,
        severity=WARN,
        description=f"{column} is one of {', '.join(values)}",
    )


def drift_suite(thresholds: dict[str, Any]) -> Suite:
    """Return the suite of ``drift_tests``."""
    import great_expectations.expectations as gxe

    tol = float(setting(thresholds, "statistics", "tolerance"))
    return Suite(
        name="drift_tests",
        table="drift_tests",
        columns=declared_columns("drift_tests"),
        daily=False,
        derived={
            "q_value_at_least_p_value": "q_value - p_value",
            "a_rate_at_least_a_ci_low": "a_rate - a_ci_low",
            "a_ci_high_at_least_a_rate": "a_ci_high - a_rate",
            "b_rate_at_least_b_ci_low": "b_rate - b_ci_low",
            "b_ci_high_at_least_b_rate": "b_ci_high - b_rate",
            "effect_at_least_effect_low": "effect - effect_low",
            "effect_high_at_least_effect": "effect_high - effect",
        },
        expectations=[
            *_between(gxe, ("p_value", "q_value", "a_rate", "b_rate"), tol),
            *_at_least(
                gxe,
                (
                    "q_value_at_least_p_value",
                    "a_rate_at_least_a_ci_low",
                    "a_ci_high_at_least_a_rate",
                    "b_rate_at_least_b_ci_low",
                    "b_ci_high_at_least_b_rate",
                    "effect_at_least_effect_low",
                    "effect_high_at_least_effect",
                ),
                tol,
            ),
            _in_set(gxe, "verdict", ["regressed", "improved", "no change", "insufficient data"]),
            _in_set(gxe, "comparison", ["window", "model"]),
            _in_set(gxe, "test", ["z", "fisher", "none"]),
            _in_set(gxe, "layer", list(LAYERS)),
        ],
    )


def disparity_suite(thresholds: dict[str, Any]) -> Suite:
    """Return the suite of ``disparity_tests``."""
    import great_expectations.expectations as gxe

    tol = float(setting(thresholds, "statistics", "tolerance"))
    return Suite(
        name="disparity_tests",
        table="disparity_tests",
        columns=declared_columns("disparity_tests"),
        daily=False,
        derived={"adjusted_p_at_least_p_value": "adjusted_p - p_value"},
        expectations=[
            *_between(gxe, ("p_value", "adjusted_p", "rate_a", "rate_b"), tol),
            *_at_least(gxe, ("adjusted_p_at_least_p_value",), tol),
            _in_set(gxe, "verdict", ["disparity", "no disparity", "insufficient data"]),
            _in_set(gxe, "scope", ["omnibus", "pairwise"]),
        ],
    )


def change_point_suite(thresholds: dict[str, Any]) -> Suite:
    """Return the suite of ``change_points``."""
    import great_expectations.expectations as gxe

    tol = float(setting(thresholds, "statistics", "tolerance"))
    return Suite(
        name="change_points",
        table="change_points",
        columns=declared_columns("change_points"),
        daily=False,
        derived={"alarm_day_at_least_start_day": "alarm_day - start_day"},
        expectations=[
            *_between(gxe, ("reference_rate", "false_alarm", "rate_before", "rate_after"), tol),
            *_at_least(gxe, ("alarm_day_at_least_start_day",), 0),
            _in_set(gxe, "verdict", ["shift up", "shift down", "no change", "insufficient data"]),
            _in_set(gxe, "direction", ["up", "down"]),
        ],
    )
