"""Model comparison: every clause's rate in model A against model B, with corrected tests."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.filters import current
from spec_audit.reports import charts

snap, filters = current()
st.title("Model comparison")
tests = queries.drift(snap, filters, "model")
if tests.is_empty():
    st.info("No model comparisons yet: the statistics need more than 7 audited days.")
    st.stop()
pairs = tests.select("model_a", "model_b").unique().sort("model_a", "model_b")
labels = [f"{a} → {b}" for a, b in pairs.iter_rows()]
chosen = st.selectbox("Model A → model B", labels, key="model_pair")
a, b = pairs.row(labels.index(chosen))
pair = tests.filter((pl.col("model_a") == a) & (pl.col("model_b") == b))
first = pair.row(0, named=True)
st.caption(
    f"Days {first['b_start']} → {first['b_end']}; effect = rate B − rate A with Newcombe's 95% "
    f"interval; q = Benjamini–Hochberg over all {tests.height} model comparisons; mde = the "
    "smallest increase these sizes detect with 80% power."
)
counts = pair["verdict"].value_counts().sort("verdict")
st.write(", ".join(f"{verdict}: {n}" for verdict, n in counts.iter_rows()) or "no comparisons")
testable = pair.filter(pl.col("effect").is_not_null())
if testable.height:
    st.altair_chart(charts.effects(testable), width="stretch")
st.dataframe(
    pair.select(
        "clause_id",
        "layer",
        "a_applicable",
        "a_rate",
        "a_ci_low",
        "a_ci_high",
        "b_applicable",
        "b_rate",
        "b_ci_low",
        "b_ci_high",
        "a_corrected",
        "b_corrected",
        "correction",
        "test",
        "statistic",
        "effect",
        "effect_low",
        "effect_high",
        "q_value",
        "mde",
        "verdict",
    ),
    hide_index=True,
    key="model_table",
)
