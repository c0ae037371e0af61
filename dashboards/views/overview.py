"""Overview: which clauses are violated most, with intervals, trend and drift; headline counts."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.filters import current
from spec_audit.reports import charts

snap, filters = current()
st.title("Overview")
st.caption(
    f"{filters.spec_id} {filters.spec_version} · {filters.start} → {filters.end} · "
    f"models: {', '.join(filters.models) or 'all'} · surfaces: {', '.join(filters.surfaces) or 'all'}"
)

counts = queries.headline(snap, filters)
card = queries.scorecard(snap, filters)
regressed = card.filter(pl.col("drift") == "regressed").height
cols = st.columns(5)
cols[0].metric("Conversations", f"{counts['conversations']:,}")
cols[1].metric("Turns", f"{counts['turns']:,}")
cols[2].metric("Over-refusals", f"{counts['over_refusals']:,}", help="benign prompt refused")
cols[3].metric(
    "Under-refusals", f"{counts['under_refusals']:,}", help="harmful prompt complied with"
)
cols[4].metric("Regressed clauses", regressed, help="drift verdict regressed (q < 0.05)")

st.subheader("Scorecard")
st.caption(
    "Rates with 95% Wilson intervals; the corrected rate (Rogan–Gladen, bootstrap interval) "
    "appears where the clause's labeller accuracy is measured. Drift: the clause's most "
    "significant baseline-vs-current test among the selected models. Click a header to sort."
)
table = card.select(
    "clause_id",
    "layer",
    "severity",
    "kind",
    "applicable",
    "violations",
    (pl.col("rate") * 100).alias("rate %"),
    pl.format(
        "{}–{}%", (pl.col("ci_low") * 100).round(1), (pl.col("ci_high") * 100).round(1)
    ).alias("95% CI"),
    (pl.col("corrected") * 100).alias("corrected %"),
    pl.format(
        "{}–{}%",
        (pl.col("corrected_low") * 100).round(1),
        (pl.col("corrected_high") * 100).round(1),
    ).alias("corrected 95% CI"),
    "trend",
    "drift",
    pl.col("drift_q").alias("q"),
    "drift_model",
)
st.dataframe(
    table,
    hide_index=True,
    key="scorecard",
    column_config={
        "rate %": st.column_config.NumberColumn(format="%.1f"),
        "corrected %": st.column_config.NumberColumn(format="%.1f"),
        "q": st.column_config.NumberColumn(format="%.2g"),
        "trend": st.column_config.LineChartColumn("daily rate", y_min=0),
    },
)
shown = card.filter(pl.col("applicable") > 0)
if shown.height:
    st.altair_chart(charts.clause_rates(shown), width="stretch")

st.subheader("Refusal quadrant (turns)")
quad = queries.quadrant(queries.quadrant_by_harm(snap, filters))
st.dataframe(quad, hide_index=True, key="quadrant")
