"""The daily partitions every audit table is split by (UTC days of a conversation's start)."""

import datetime as dt
import warnings

import dagster as dg

from spec_audit.config import partitions_start

# Single-run backfill policies are marked beta; the audit relies on them deliberately.
warnings.filterwarnings("ignore", category=dg.BetaWarning)

daily = dg.DailyPartitionsDefinition(start_date=partitions_start(), timezone="UTC")


def days_of(context: dg.AssetExecutionContext) -> list[dt.date]:
    """Return the days of the run's partition key range (one day for a single partition)."""
    window = context.partition_time_window
    first, last = window.start.date(), window.end.date()
    return [first + dt.timedelta(days=i) for i in range((last - first).days)]
