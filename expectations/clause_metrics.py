"""The suite of ``clause_metrics``: counts that add up, rates in [0, 1] inside their intervals.

Violations never exceed the applicable turns, the rate is violations / applicable (null with no
applicable turn), and the Wilson interval lies in [0, 1] and contains the rate, within a rounding
tolerance from ``thresholds.yaml``. That the counts equal the findings they summarise is an SQL
check in ``expectations.identities``.
"""

from __future__ import annotations

from typing import Any

from expectations.runner import ERROR, Suite, declared_columns, required, setting


def suite(thresholds: dict[str, Any]) -> Suite:
    """Return the suite of ``clause_metrics``."""
    import great_expectations.expectations as gxe

    tol = float(setting(thresholds, "clause_metrics", "tolerance"))
    bounded = [
        gxe.ExpectColumnValuesToBeBetween(
            column=column,
            min_value=-tol,
            max_value=1 + tol,
            severity=ERROR,
            description=f"{column} is within [0, 1]",
        )
        for column in ("rate", "ci_low", "ci_high")
    ]
    return Suite(
        name="clause_metrics",
        table="clause_metrics",
        columns=declared_columns("clause_metrics"),
        derived={
            "rate_minus_ci_low": "rate - ci_low",
            "ci_high_minus_rate": "ci_high - rate",
            "rate_error": "abs(rate - violations / nullif(applicable, 0))",
            "rate_null_iff_empty": "(rate IS NULL) = (applicable = 0)",
        },
        expectations=[
            *required(
                "day",
                "model",
                "spec_id",
                "spec_version",
                "clause_id",
                "kind",
                "applicable",
                "violations",
                "unscored",
            ),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["day", "model", "surface", "spec_id", "spec_version", "clause_id"],
                severity=ERROR,
                description="one row per day, model, surface, spec version and clause",
            ),
            *(
                gxe.ExpectColumnValuesToBeBetween(
                    column=column,
                    min_value=0,
                    severity=ERROR,
                    description=f"{column} is not negative",
                )
                for column in ("applicable", "violations", "unscored")
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="applicable",
                column_B="violations",
                or_equal=True,
                severity=ERROR,
                description="violations <= applicable",
            ),
            *bounded,
            gxe.ExpectColumnValuesToBeBetween(
                column="rate_minus_ci_low",
                min_value=-tol,
                severity=ERROR,
                description="ci_low <= rate",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="ci_high_minus_rate",
                min_value=-tol,
                severity=ERROR,
                description="rate <= ci_high",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="rate_error",
                max_value=tol,
                severity=ERROR,
                description="rate == violations / applicable",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="rate_null_iff_empty",
                value_set=[True],
                severity=ERROR,
                description="rate is null exactly when no turn applied",
            ),
        ],
    )
