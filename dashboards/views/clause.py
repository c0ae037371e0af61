"""Clause detail: one clause's rate over time per model, its change points, tests and text."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.filters import current
from spec_audit.reports import charts

snap, filters = current()
card = queries.scorecard(snap, filters)
clauses = card["clause_id"].to_list()
st.title("Clause detail")
if not clauses:
    st.info("No clause has findings for these filters.")
    st.stop()
wanted = st.query_params.get("clause")
clause_id = st.selectbox(
    "Clause", clauses, index=clauses.index(wanted) if wanted in clauses else 0, key="clause_pick"
)
st.query_params["clause"] = clause_id

row = card.row(clauses.index(clause_id), named=True)
spec = f"{filters.spec_id}@{filters.spec_version}"
catalog = queries.catalog(spec)
if catalog is not None:
    clause = catalog.clause(clause_id)
    st.subheader(clause.title)
    st.caption(
        f"{clause.layer} · authority {clause.authority} · severity {clause.severity} · "
        f"kind {clause.kind} · chapter {clause.chapter}"
    )
    st.text(clause.text.strip())
    st.code(f"applies_when: {clause.applies_when}\nviolation_when: {clause.violation_when}")
else:
    st.caption(f"{spec} is not a shipped catalog; clause text unavailable.")

if row["rate"] is not None:
    st.metric(
        "Violation rate",
        f"{row['rate']:.1%}",
        help=f"{row['violations']:,} of {row['applicable']:,} applicable turns; "
        f"95% interval {row['ci_low']:.1%}–{row['ci_high']:.1%}",
    )
    st.caption(
        f"{row['violations']:,} of {row['applicable']:,} turns · "
        f"95% interval {row['ci_low']:.1%}–{row['ci_high']:.1%}"
    )

series = queries.clause_series(snap, filters, clause_id)
changes = queries.change_points(snap, filters, clause_id)
st.subheader("Daily rate per model")
if series.height:
    chart = charts.rate_over_time(
        series.with_columns(clause_id=pl.lit(clause_id)),
        changes.with_columns(clause_id=pl.lit(clause_id)),
    )
    st.altair_chart(chart, width="stretch")
shifts = changes.filter(pl.col("start_day").is_not_null())
for shift in shifts.iter_rows(named=True):
    st.write(
        f"Change point: {shift['model']} shifted {shift['direction']} from {shift['start_day']} "
        f"(alarm {shift['alarm_day']}): {shift['rate_before']:.1%} → {shift['rate_after']:.1%}"
    )
if changes.height and not shifts.height:
    st.caption("No change point detected in the newest window.")

st.subheader("Drift tests")
tests = queries.drift(snap, filters, "window", clause_id).vstack(
    queries.drift(snap, filters, "model", clause_id)
)
st.dataframe(
    tests.select(
        "comparison",
        "model_a",
        "model_b",
        "a_applicable",
        "b_applicable",
        "a_rate",
        "b_rate",
        "test",
        "statistic",
        "effect",
        "effect_low",
        "effect_high",
        "q_value",
        "mde",
        "verdict",
        "start_day",
        "dated_by",
    ),
    hide_index=True,
    key="drift_table",
)
st.subheader("Disparity tests (across the group a prompt mentions)")
st.dataframe(queries.disparity(snap), hide_index=True, key="disparity_table")
