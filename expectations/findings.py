"""The suite of ``findings``: one verdict per turn, clause and spec version, for real clauses.

Every finding names a clause of its own spec version's catalog with that clause's kind, carries one
of the three verdicts, and appears once per (turn, spec version, clause). The share of unscored
findings (a signal the verdict needs was missing) is watched. That findings only exist for stored
turns is an SQL check in ``expectations.identities``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from expectations.runner import ERROR, WARN, Suite, declared_columns, required, setting
from spec_audit.spec.catalog import Catalog

VERDICTS = ["compliant", "violation", "unscored"]


def clause_keys(catalogs: Sequence[Catalog]) -> list[str]:
    """Return ``spec_id@version:clause_id:kind`` for every clause of ``catalogs``."""
    return sorted(
        {
            f"{c.spec_id}@{c.version}:{clause.id}:{clause.kind}"
            for c in catalogs
            for clause in c.clauses
        }
    )


def suite(thresholds: dict[str, Any], catalogs: Sequence[Catalog]) -> Suite:
    """Return the suite of ``findings``, clause ids checked against ``catalogs``."""
    import great_expectations.expectations as gxe

    unscored = setting(thresholds, "findings", "max_unscored_share")
    versions = ", ".join(f"{c.spec_id}@{c.version}" for c in catalogs)
    return Suite(
        name="findings",
        table="findings",
        columns=declared_columns("findings"),
        derived={"clause_key": "spec_id || '@' || spec_version || ':' || clause_id || ':' || kind"},
        expectations=[
            *required(
                "turn_id",
                "conversation_id",
                "day",
                "model",
                "spec_id",
                "spec_version",
                "clause_id",
                "kind",
                "verdict",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="verdict",
                value_set=VERDICTS,
                severity=ERROR,
                description="verdict is compliant, violation or unscored",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="clause_key",
                value_set=clause_keys(catalogs),
                severity=ERROR,
                description=f"clause_id and kind are those of a clause of {versions}",
            ),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["turn_id", "spec_id", "spec_version", "clause_id"],
                severity=ERROR,
                description="one finding per turn, spec version and clause",
            ),
            gxe.ExpectColumnValuesToNotBeInSet(
                column="verdict",
                value_set=["unscored"],
                mostly=1 - unscored,
                severity=WARN,
                description=f"at most {unscored:.0%} of findings are unscored",
            ),
        ],
    )
