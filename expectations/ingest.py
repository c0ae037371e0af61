"""Suites on the raw records as ingest stores them: ``ingest_manifest``, ``conversations``,
``rejected_records``.

Every file is accounted for (``rows_accepted + rows_rejected == rows_read``), a conversation has a
unique id, a model, a start inside the plausible time range and at least one user message, and
every rejected record says why. The cross-table identities (each file's stored rows equal its
manifest counts) are SQL checks in ``expectations.identities``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from expectations.runner import ERROR, WARN, Suite, declared_columns, required, setting

FORMATS = ["jsonl", "jsonl.gz", "parquet", "csv"]
ADAPTERS = ["canonical", "openai_chat", "flat"]


#: The UTC day of ``started_at``, derived for ``start_checks``.
START_DAY = {"start_day": "CAST(timezone('UTC', started_at) AS DATE)"}


def start_checks(thresholds: dict[str, Any], now: dt.datetime) -> list:
    """Return the expectations on ``started_at`` of a table derived with ``START_DAY``.

    It lies in the plausible range (the configured earliest start to now plus the slack), and
    ``day`` is its UTC day.
    """
    import great_expectations.expectations as gxe

    earliest = dt.datetime.fromisoformat(str(setting(thresholds, "timestamps", "earliest")))
    earliest = earliest.replace(tzinfo=earliest.tzinfo or dt.UTC)
    slack = dt.timedelta(hours=float(setting(thresholds, "timestamps", "future_slack_hours")))
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="started_at",
            min_value=earliest,
            max_value=now.astimezone(dt.UTC) + slack,
            severity=ERROR,
            description=f"started_at between {earliest:%Y-%m-%d} and now + slack",
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="day",
            column_B="start_day",
            severity=ERROR,
            description="day is the UTC day of started_at",
        ),
    ]


def manifest_suite(thresholds: dict[str, Any]) -> Suite:
    """Return the suite of ``ingest_manifest``: one row per file, every record accounted for."""
    import great_expectations.expectations as gxe

    share = setting(thresholds, "ingest", "max_rejected_share")
    return Suite(
        name="ingest_manifest",
        table="ingest_manifest",
        columns=declared_columns("ingest_manifest"),
        daily=False,
        derived={
            "rows_accounted": "rows_accepted + rows_rejected",
            "rejected_share": "rows_rejected / nullif(rows_read, 0)",
        },
        expectations=[
            gxe.ExpectColumnValuesToBeUnique(
                column="source_sha256", severity=ERROR, description="a file is ingested once"
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column="source_sha256",
                regex=r"^[0-9a-f]{64}$",
                severity=ERROR,
                description="source_sha256 is a SHA-256 hex digest",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="format", value_set=FORMATS, severity=ERROR, description="known format"
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="adapter", value_set=ADAPTERS, severity=ERROR, description="known adapter"
            ),
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="rows_read",
                column_B="rows_accounted",
                severity=ERROR,
                description="accepted + rejected == read for every file",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="rows_rejected",
                min_value=0,
                severity=ERROR,
                description="counts are not negative",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="rejected_share",
                max_value=share,
                severity=WARN,
                description=f"at most {share:.0%} of a file's records are rejected",
            ),
        ],
    )


def conversations_suite(thresholds: dict[str, Any], now: dt.datetime) -> Suite:
    """Return the suite of ``conversations``: unique ids, required fields, plausible start times."""
    import great_expectations.expectations as gxe

    return Suite(
        name="conversations",
        table="conversations",
        columns=declared_columns("conversations"),
        derived=START_DAY,
        expectations=[
            gxe.ExpectColumnValuesToBeUnique(
                column="conversation_id", severity=ERROR, description="conversation_id is unique"
            ),
            *required("conversation_id", "model", "started_at", "source_sha256"),
            *start_checks(thresholds, now),
            gxe.ExpectColumnValuesToBeBetween(
                column="n_turns",
                min_value=1,
                severity=ERROR,
                description="a conversation has at least one user message",
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="n_messages",
                column_B="n_turns",
                or_equal=True,
                severity=ERROR,
                description="n_messages >= n_turns",
            ),
        ],
    )


def rejected_suite(thresholds: dict[str, Any]) -> Suite:
    """Return the suite of ``rejected_records``: every rejected record has a place and a reason."""
    import great_expectations.expectations as gxe

    return Suite(
        name="rejected_records",
        table="rejected_records",
        columns=declared_columns("rejected_records"),
        daily=False,
        expectations=[
            *required("source_sha256", "source_file", "reason"),
            gxe.ExpectColumnValuesToBeBetween(
                column="line",
                min_value=1,
                severity=ERROR,
                description="line numbers are 1-based",
            ),
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["source_sha256", "line"],
                severity=ERROR,
                description="a record is rejected once",
            ),
        ],
    )
