"""Scale-out: the daily audit with one step per day, run in parallel by the multiprocess executor.

``parallel_audit`` fans out over the days of a range (``plan_days``), computes each day in its own
process into Parquet (``audit_day``: the database opened read-only, because DuckDB has a single
writer), then one step merges every day into the database (``merge_days``). The result equals the
serial ``daily_audit`` job's tables; see ``spec_audit.scaleout`` for why it is split that way.

Locally: at most ``max_concurrent`` step processes at once via the multiprocess executor
(deploy/local/parallel_audit.yaml). On Kubernetes the same job runs with ``k8s_job_executor``
(one pod per step) and the staging location on object storage: deploy/k8s/ holds that
configuration.
"""

import datetime as dt
import os

import dagster as dg

from dagster_project.defs.resources import AuditDatabase, SpecCatalog, Staging
from spec_audit import scaleout
from spec_audit.audit import days_with_turns
from spec_audit.errors import UserError

#: ``SPEC_AUDIT_EXECUTOR``: ``multiprocess`` (default) or ``k8s`` (needs the dagster-k8s package).
EXECUTOR_ENV = "SPEC_AUDIT_EXECUTOR"


def executor() -> dg.ExecutorDefinition:
    """Return the executor ``parallel_audit`` runs with, chosen by ``SPEC_AUDIT_EXECUTOR``.

    ``multiprocess``: one process per step on this machine, at most ``max_concurrent`` at once
    (run config ``execution.config.max_concurrent``; default the number of CPUs). ``k8s``: one
    Kubernetes job per step (dagster-k8s ``k8s_job_executor``; see deploy/k8s/).
    """
    name = os.environ.get(EXECUTOR_ENV, "multiprocess")
    if name == "multiprocess":
        return dg.multiprocess_executor
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError:
            raise UserError(
                f"{EXECUTOR_ENV}=k8s needs the dagster-k8s package (pip install dagster-k8s)"
            ) from None
        return k8s_job_executor
    raise UserError(f"{EXECUTOR_ENV}={name!r}: expected multiprocess or k8s")


class DaysConfig(dg.Config):
    """The days to audit: [start, end] (YYYY-MM-DD); every day with turns when both are unset."""

    start: str | None = None
    end: str | None = None


def _day(text: str | None, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError as error:
        raise UserError(f"parallel_audit {name}: {error}") from None


@dg.op(out=dg.DynamicOut(str))
def plan_days(config: DaysConfig, database: AuditDatabase):
    """Yield one output per day with turns in the configured range."""
    with database.connect(read_only=True) as con:
        days = days_with_turns(con, _day(config.start, "start"), _day(config.end, "end"))
    for day in days:
        yield dg.DynamicOutput(day.isoformat(), mapping_key=day.isoformat().replace("-", "_"))


@dg.op
def audit_day(
    context: dg.OpExecutionContext,
    day: str,
    database: AuditDatabase,
    spec: SpecCatalog,
    staging: Staging,
) -> str:
    """Label, judge and measure one day into Parquet under the staging location."""
    rows = scaleout.stage_day(
        database.path, dt.date.fromisoformat(day), spec.load(), staging.url, staging.storage_options
    )
    context.log.info(f"{day}: staged {rows}")
    return day


@dg.op
def merge_days(
    context: dg.OpExecutionContext,
    days: list[str],
    database: AuditDatabase,
    spec: SpecCatalog,
    staging: Staging,
) -> dict[str, int]:
    """Replace every staged day in the database (the only step that writes it)."""
    with database.connect() as con:
        written = scaleout.merge_days(
            con,
            sorted(dt.date.fromisoformat(d) for d in days),
            spec.load(),
            staging.url,
            staging.storage_options,
        )
    context.log.info(f"merged {len(days)} days: {written}")
    return written


@dg.job(
    executor_def=executor(),
    description="Audit a range of days in parallel (one step a day), then merge them.",
)
def parallel_audit():
    merge_days(plan_days().map(audit_day).collect())


def job_with_resources() -> dg.JobDefinition:
    """Return ``parallel_audit`` bound to the code location's resources (from the environment).

    A multiprocess run rebuilds the job in every step process from this function
    (``dg.reconstructable``), so each step reads the same ``SPEC_AUDIT_*`` settings.
    """
    from dagster_project.defs.resources import resources

    return dg.Definitions(jobs=[parallel_audit], resources=resources()).resolve_job_def(
        "parallel_audit"
    )
