"""Run the statistics of an audit window and write ``drift_tests``, ``disparity_tests``, ``change_points``.

Each table's rows for the window (and spec version, where the table has one) are replaced in one
transaction, so a rerun of the same window gives the same rows and a killed run leaves the old ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb
import polars as pl

from spec_audit.spec.catalog import Catalog
from spec_audit.stats.changepoint import (
    FALSE_ALARM,
    SHIFT,
    change_points,
    date_drift,
)
from spec_audit.stats.compare import MIN_N
from spec_audit.stats.disparity import disparity_counts, disparity_tests
from spec_audit.stats.drift import ALPHA, drift_tests
from spec_audit.stats.window import CURRENT_DAYS, AuditWindow, audit_window
from spec_audit.store import transaction

#: Tables keyed by spec version as well as by window.
_PER_SPEC = {"drift_tests", "change_points"}


def write_window(
    con: duckdb.DuckDBPyConnection,
    window: AuditWindow,
    catalog: Catalog,
    frames: Mapping[str, pl.DataFrame],
) -> dict[str, int]:
    """Return rows written per table after replacing the window's rows of each table in ``frames``."""
    written: dict[str, int] = {}
    with transaction(con):
        for table, frame in frames.items():
            where, params = "window_start = ? AND window_end = ?", [window.start, window.end]
            if table in _PER_SPEC:
                where += " AND spec_id = ? AND spec_version = ?"
                params += [catalog.spec_id, catalog.version]
            con.execute(f"DELETE FROM {table} WHERE {where}", params)
            if frame.height:
                con.register("window_frame", frame)
                try:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM window_frame")
                finally:
                    con.unregister("window_frame")
            written[table] = frame.height
    return written


def run_statistics(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    start: dt.date,
    end: dt.date,
    *,
    current_days: int = CURRENT_DAYS,
    baseline: tuple[dt.date, dt.date] | None = None,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
    adjustment: str = "bh",
    shift: float = SHIFT,
    false_alarm: float = FALSE_ALARM,
    seed: int = 0,
) -> dict[str, int]:
    """Return rows written per table after computing every statistic of the window [start, end].

    The current days are the last ``current_days`` of the window, the baseline the earlier days (or
    ``baseline``). Needs ``clause_metrics`` (and ``signals`` for disparity) filled for the window.
    """
    window = audit_window(start, end, current_days=current_days, baseline=baseline)
    changes = change_points(
        con, catalog, window, shift=shift, false_alarm=false_alarm, min_n=min_n, seed=seed
    )
    drift = drift_tests(
        con, catalog, window, alpha=alpha, min_n=min_n, adjustment=adjustment, seed=seed
    )
    frames = {
        "drift_tests": date_drift(drift, changes),
        "disparity_tests": disparity_tests(
            disparity_counts(con, window), window, alpha=alpha, min_n=min_n, seed=seed
        ),
        "change_points": changes,
    }
    return write_window(con, window, catalog, frames)


def _window_params(catalog: Catalog, window: AuditWindow) -> dict[str, object]:
    """Return the parameters naming a window's rows of one spec version in the tables."""
    return {
        "spec_id": catalog.spec_id,
        "spec_version": catalog.version,
        "start": window.start,
        "end": window.end,
    }


def top_regressions(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, window: AuditWindow, limit: int = 10
) -> pl.DataFrame:
    """Return the window's regressed drift tests, largest effect first, with their start days."""
    return con.sql(
        """
        SELECT d.comparison, d.clause_id, d.layer, d.model_a, d.model_b,
               d.a_rate, d.b_rate, d.effect, d.effect_low, d.effect_high, d.p_value, d.q_value,
               d.test, d.start_day, d.dated_by
        FROM drift_tests d
        WHERE d.verdict = 'regressed' AND d.spec_id = $spec_id AND d.spec_version = $spec_version
          AND d.window_start = $start AND d.window_end = $end
        ORDER BY d.effect DESC, d.clause_id, d.model_a, d.model_b
        LIMIT $limit
        """,
        params={**_window_params(catalog, window), "limit": limit},
    ).pl()


def shifts(con: duckdb.DuckDBPyConnection, catalog: Catalog, window: AuditWindow) -> pl.DataFrame:
    """Return the window's detected change points (clause, model, direction, start day, rates)."""
    return con.sql(
        """
        SELECT clause_id, layer, model, direction, start_day, alarm_day, rate_before, rate_after
        FROM change_points
        WHERE direction IS NOT NULL AND spec_id = $spec_id AND spec_version = $spec_version
          AND window_start = $start AND window_end = $end
        ORDER BY start_day, clause_id, model
        """,
        params=_window_params(catalog, window),
    ).pl()


def window_change_points(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, window: AuditWindow
) -> pl.DataFrame:
    """Return the window's ``change_points`` rows as ``date_drift`` reads them."""
    return con.sql(
        """
        SELECT clause_id, model, direction, start_day, likeliest_rise_day, likeliest_fall_day
        FROM change_points
        WHERE spec_id = $spec_id AND spec_version = $spec_version
          AND window_start = $start AND window_end = $end
        """,
        params=_window_params(catalog, window),
    ).pl()
