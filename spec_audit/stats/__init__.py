"""Statistics an auditor can defend: intervals, corrected rates, comparisons, multiplicity, change points.

``run_statistics`` is the entry point: it computes ``drift_tests``, ``disparity_tests`` and
``change_points`` for an audit window from ``clause_metrics`` and ``signals``.
"""

from spec_audit.stats.run import (
    run_statistics,
    shifts,
    top_regressions,
    window_change_points,
    write_window,
)
from spec_audit.stats.window import AuditWindow, audit_window, latest_window

__all__ = [
    "AuditWindow",
    "audit_window",
    "latest_window",
    "run_statistics",
    "shifts",
    "top_regressions",
    "window_change_points",
    "write_window",
]
