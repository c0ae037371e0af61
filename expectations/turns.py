"""The suite of ``turns``: what every labeller downstream relies on.

A turn has a unique id built from its conversation and position, a user message, a model, and a
start inside the plausible time range; the share of user messages left without a reply is watched,
because a logging fault that drops replies looks like a model that stopped answering.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from expectations.ingest import START_DAY, start_checks
from expectations.runner import ERROR, WARN, Suite, declared_columns, required, setting


def suite(thresholds: dict[str, Any], now: dt.datetime) -> Suite:
    """Return the suite of ``turns``."""
    import great_expectations.expectations as gxe

    empty = setting(thresholds, "turns", "max_empty_reply_share")
    longest = setting(thresholds, "turns", "max_user_text_chars")
    return Suite(
        name="turns",
        table="turns",
        columns=declared_columns("turns"),
        derived={
            "expected_turn_id": "conversation_id || ':' || turn_index",
            # A blank reply is as empty as a missing one; its first character stands for the reply
            # (null exactly when the reply is), so the replies themselves are not read.
            "reply_present": "left(nullif(trim(reply_text), ''), 1)",
            "user_text_chars": "length(user_text)",
            **START_DAY,
        },
        expectations=[
            gxe.ExpectColumnValuesToBeUnique(
                column="turn_id", severity=ERROR, description="turn_id is unique"
            ),
            *required(
                "turn_id",
                "conversation_id",
                "turn_index",
                "day",
                "model",
                "started_at",
                "user_text",
            ),
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="turn_id",
                column_B="expected_turn_id",
                severity=ERROR,
                description="turn_id is conversation_id:turn_index",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="turn_index",
                min_value=0,
                severity=ERROR,
                description="turn_index is 0-based",
            ),
            *start_checks(thresholds, now),
            gxe.ExpectColumnValuesToNotBeNull(
                column="reply_present",
                mostly=1 - empty,
                severity=WARN,
                description=f"at most {empty:.0%} of user messages have no (or a blank) reply",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="user_text_chars",
                max_value=longest,
                severity=WARN,
                description=f"user messages are at most {longest:,} characters",
            ),
        ],
    )
