"""Schedules: audit yesterday's partition every morning."""

import dagster as dg

from dagster_project.defs.audit import audit_job

daily_audit_schedule = dg.build_schedule_from_partitioned_job(
    audit_job, hour_of_day=3, minute_of_hour=0, name="daily_audit_schedule"
)
