"""The suite of ``signals``: one row per turn, every value one its signal can take.

Enum signals take only the values the registry (``transforms/registry.py``) lists, counts and rates
are not negative, and reply signals are null exactly when there is no reply, so a clause condition
never mistakes a missing reply for a compliant one. That ``signals`` has one row per turn of each
audited day is an SQL check in ``expectations.identities``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import duckdb

from expectations.runner import ERROR, WARN, Suite, required, setting
from spec_audit.signals import KEY_COLUMNS, ensure_signals_table
from transforms.registry import SIGNALS

#: Signals computed from the reply: null when, and only when, the turn has no reply.
REPLY_SIGNALS = ("refusal", "refusal_style", "reply_words")


@cache
def signal_columns() -> dict[str, str]:
    """Return column -> DuckDB type of ``signals`` as the registry declares it today."""
    con = duckdb.connect()
    try:
        ensure_signals_table(con)
        return {row[0]: row[1] for row in con.execute("DESCRIBE signals").fetchall()}
    finally:
        con.close()


def suite(thresholds: dict[str, Any]) -> Suite:
    """Return the suite of ``signals``."""
    import great_expectations.expectations as gxe

    no_reply = setting(thresholds, "signals", "max_no_reply_share")
    enums = [
        gxe.ExpectColumnValuesToBeInSet(
            column=s.name,
            value_set=list(s.values),
            severity=ERROR,
            description=f"{s.name} takes only its registered values",
        )
        for s in SIGNALS
        if s.dtype == "enum"
    ]
    counts = [
        gxe.ExpectColumnValuesToBeBetween(
            column=s.name, min_value=0, severity=ERROR, description=f"{s.name} is not negative"
        )
        for s in SIGNALS
        if s.dtype in ("int", "float")
    ]
    reply = [
        gxe.ExpectColumnValuesToBeInSet(
            column=f"{name}_follows_reply",
            value_set=[True],
            severity=ERROR,
            description=f"{name} is null exactly when there is no reply",
        )
        for name in REPLY_SIGNALS
    ]
    return Suite(
        name="signals",
        table="signals",
        columns=signal_columns(),
        derived={
            f"{name}_follows_reply": f"({name} IS NOT NULL) = coalesce(has_reply, false)"
            for name in REPLY_SIGNALS
        },
        expectations=[
            gxe.ExpectColumnValuesToBeUnique(
                column="turn_id", severity=ERROR, description="one row per turn"
            ),
            *required(*(c for c in KEY_COLUMNS if c != "surface"), "has_reply"),
            *enums,
            *counts,
            *reply,
            gxe.ExpectColumnValuesToBeInSet(
                column="has_reply",
                value_set=[True],
                mostly=1 - no_reply,
                severity=WARN,
                description=f"at most {no_reply:.0%} of turns have no reply",
            ),
        ],
    )
