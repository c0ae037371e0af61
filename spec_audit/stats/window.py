"""The audit window: which days are "baseline" and which are "current" in a drift comparison.

The window is [start, end]. The current days are the last ``current_days`` of it (default 7); the
baseline is every earlier day of the window, or an explicit [baseline_start, baseline_end] that
must end before the current days begin. Change points scan the whole window and take their
in-control rate from the baseline days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from spec_audit.errors import UserError

#: Days at the end of the window that are compared against the earlier days.
CURRENT_DAYS = 7
#: Length of the window the Dagster assets use when none is configured.
WINDOW_DAYS = 28


@dataclass(frozen=True)
class AuditWindow:
    """An audit window split into baseline days and current days (all bounds inclusive)."""

    start: dt.date
    end: dt.date
    baseline_start: dt.date
    baseline_end: dt.date
    current_start: dt.date

    @property
    def days(self) -> list[dt.date]:
        """Return every day of the window, in order."""
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def audit_window(
    start: dt.date,
    end: dt.date,
    *,
    current_days: int = CURRENT_DAYS,
    baseline: tuple[dt.date, dt.date] | None = None,
) -> AuditWindow:
    """Return the window [start, end] with its baseline and current days; bad bounds are UserError."""
    if end < start:
        raise UserError(f"audit window {start}..{end}: the end is before the start")
    if current_days < 1:
        raise UserError(f"current days {current_days}: expected at least 1")
    current_start = end - dt.timedelta(days=current_days - 1)
    if baseline is None:
        if current_start <= start:
            raise UserError(
                f"audit window {start}..{end} has {(end - start).days + 1} days: it needs more "
                f"than the {current_days} current days to have a baseline"
            )
        baseline = (start, current_start - dt.timedelta(days=1))
    baseline_start, baseline_end = baseline
    if baseline_end < baseline_start or baseline_end >= current_start:
        raise UserError(
            f"baseline {baseline_start}..{baseline_end}: it must be a non-empty range ending "
            f"before the current days start ({current_start})"
        )
    return AuditWindow(
        start=min(start, baseline_start),
        end=end,
        baseline_start=baseline_start,
        baseline_end=baseline_end,
        current_start=current_start,
    )


def latest_window(
    con: duckdb.DuckDBPyConnection,
    spec_id: str,
    spec_version: str,
    *,
    days: int = WINDOW_DAYS,
    current_days: int = CURRENT_DAYS,
) -> AuditWindow:
    """Return the ``days``-long window ending on the newest day of ``clause_metrics`` for a spec."""
    [(last,)] = con.execute(
        "SELECT max(day) FROM clause_metrics WHERE spec_id = ? AND spec_version = ?",
        [spec_id, spec_version],
    ).fetchall()
    if last is None:
        raise UserError(f"no clause_metrics for spec {spec_id} {spec_version}: run the audit first")
    return audit_window(last - dt.timedelta(days=days - 1), last, current_days=current_days)
