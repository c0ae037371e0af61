"""Statistics over the audit window: drift tests, disparity tests and change points.

Three unpartitioned assets read the daily tables over one audit window (by default the last 28
days of ``clause_metrics``, the last 7 of them "current") and replace that window's rows. The
drift asset runs after the change points, which date its regressions, and carries two checks: any regressed clause warns; a regression in a rule-layer clause
(rules cannot be overridden) is an error that blocks everything downstream, such as reports.
"""

import datetime as dt

import dagster as dg
import polars as pl

from dagster_project.defs.resources import AuditDatabase, SpecCatalog
from spec_audit.errors import UserError
from spec_audit.spec.catalog import Catalog
from spec_audit.stats import (
    AuditWindow,
    audit_window,
    latest_window,
    top_regressions,
    window_change_points,
    write_window,
)
from spec_audit.stats.changepoint import change_points as find_change_points
from spec_audit.stats.changepoint import date_drift
from spec_audit.stats.disparity import disparity_counts
from spec_audit.stats.disparity import disparity_tests as test_disparity
from spec_audit.stats.drift import drift_tests as test_drift
from spec_audit.stats.window import CURRENT_DAYS, WINDOW_DAYS

STATISTICS = {"group_name": "statistics"}
TOP = 10


class WindowConfig(dg.Config):
    """The audit window: [start, end] (YYYY-MM-DD), by default the newest ``window_days`` days."""

    start: str | None = None
    end: str | None = None
    window_days: int = WINDOW_DAYS
    current_days: int = CURRENT_DAYS
    alpha: float = 0.05

    def window(self, con, catalog: Catalog) -> AuditWindow:
        """Return the configured window, or the newest one in ``clause_metrics``."""
        if self.start is None and self.end is None:
            return latest_window(
                con,
                catalog.spec_id,
                catalog.version,
                days=self.window_days,
                current_days=self.current_days,
            )
        try:
            end = dt.date.fromisoformat(self.end) if self.end else None
            start = dt.date.fromisoformat(self.start) if self.start else None
        except ValueError as error:
            raise UserError(f"audit window: {error}") from None
        end = end or start + dt.timedelta(days=self.window_days - 1)
        start = start or end - dt.timedelta(days=self.window_days - 1)
        return audit_window(start, end, current_days=self.current_days)


def _window_metadata(window: AuditWindow, catalog: Catalog) -> dict[str, object]:
    return {
        "window": f"{window.start}..{window.end}",
        "baseline": f"{window.baseline_start}..{window.baseline_end}",
        "current": f"{window.current_start}..{window.end}",
        "spec_version": catalog.version,
    }


@dg.asset(
    deps=["clause_metrics", "findings", "change_points"],
    check_specs=[
        dg.AssetCheckSpec(
            "no_regressed_clause",
            asset="drift_tests",
            description="Warns when any clause regressed (q < α, rate up) in the window.",
        ),
        dg.AssetCheckSpec(
            "no_rule_layer_regression",
            asset="drift_tests",
            blocking=True,
            description="Fails, blocking downstream assets, when a rule-layer clause regressed.",
        ),
    ],
    **STATISTICS,
)
def drift_tests(
    context: dg.AssetExecutionContext,
    config: WindowConfig,
    database: AuditDatabase,
    spec: SpecCatalog,
):
    """Baseline vs current days per clause × model, and model vs model, with BH q-values and
    verdicts; each window regression dated by the window's change points."""
    catalog = spec.load()
    with database.connect() as con:
        window = config.window(con, catalog)
        frame = date_drift(
            test_drift(con, catalog, window, alpha=config.alpha),
            window_change_points(con, catalog, window),
        )
        write_window(con, window, catalog, {"drift_tests": frame})
        top = top_regressions(con, catalog, window, limit=TOP)
    regressed = frame.filter(pl.col("verdict") == "regressed")
    rules = regressed.filter(pl.col("layer") == "rule")
    counts = dict(frame.group_by("verdict").len().iter_rows())
    yield dg.MaterializeResult(
        metadata={
            **_window_metadata(window, catalog),
            "tests": frame.height,
            **{f"verdict_{k.replace(' ', '_')}": v for k, v in sorted(counts.items())},
            "top_regressions": dg.MetadataValue.md(_markdown(top)),
        }
    )
    yield dg.AssetCheckResult(
        check_name="no_regressed_clause",
        passed=regressed.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"regressed": _names(regressed)},
    )
    yield dg.AssetCheckResult(
        check_name="no_rule_layer_regression",
        passed=rules.is_empty(),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"regressed_rules": _names(rules)},
    )


@dg.asset(deps=["signals"], **STATISTICS)
def disparity_tests(
    context: dg.AssetExecutionContext,
    config: WindowConfig,
    database: AuditDatabase,
    spec: SpecCatalog,
) -> dg.MaterializeResult:
    """Refusal, moralising and hedging rates across the demographic groups prompts mention."""
    catalog = spec.load()
    with database.connect() as con:
        window = config.window(con, catalog)
        frame = test_disparity(disparity_counts(con, window), window, alpha=config.alpha)
        write_window(con, window, catalog, {"disparity_tests": frame})
    found = frame.filter((pl.col("verdict") == "disparity") & (pl.col("scope") == "omnibus"))
    return dg.MaterializeResult(
        metadata={
            **_window_metadata(window, catalog),
            "tests": frame.height,
            "disparities": ", ".join(f"{m}/{o}" for m, o in found.select("model", "outcome").rows())
            or "none",
        }
    )


@dg.asset(deps=["clause_metrics", "findings"], **STATISTICS)
def change_points(
    context: dg.AssetExecutionContext,
    config: WindowConfig,
    database: AuditDatabase,
    spec: SpecCatalog,
) -> dg.MaterializeResult:
    """First day of a sustained shift per clause × model (binomial CUSUM, BH over the series)."""
    catalog = spec.load()
    with database.connect() as con:
        window = config.window(con, catalog)
        frame = find_change_points(con, catalog, window)
        write_window(con, window, catalog, {"change_points": frame})
    shifts = frame.filter(pl.col("direction").is_not_null()).sort("start_day")
    return dg.MaterializeResult(
        metadata={
            **_window_metadata(window, catalog),
            "series": frame.height,
            "shifts": dg.MetadataValue.md(
                _markdown(shifts.select("clause_id", "model", "direction", "start_day",
                                        "rate_before", "rate_after"))
            ),
        }
    )  # fmt: skip


def _names(frame: pl.DataFrame) -> str:
    """Return 'clause (model_a → model_b)' for each row, or 'none'."""
    names = [
        f"{c} ({a})" if a == b else f"{c} ({a} → {b})"
        for c, a, b in frame.select("clause_id", "model_a", "model_b").rows()
    ]
    return ", ".join(names) or "none"


def _markdown(frame: pl.DataFrame) -> str:
    """Return a Markdown table of a small frame (rates and p-values rounded), or 'none'."""
    if frame.is_empty():
        return "none"
    rounded = frame.with_columns(pl.col(pl.Float64).round_sig_figs(3)).cast(pl.String)
    lines = ["| " + " | ".join(rounded.columns) + " |", "|" + "---|" * rounded.width]
    lines += ["| " + " | ".join(v or "" for v in row) + " |" for row in rounded.rows()]
    return "\n".join(lines)


statistics_job = dg.define_asset_job(
    "audit_statistics",
    selection=dg.AssetSelection.groups("statistics"),
    description="Drift tests, disparity tests and change points over the audit window.",
)
