"""Refusals: the 2×2 quadrant per clause and per harm category, and over/under-refusal hot spots."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.filters import current
from spec_audit.reports import charts
from spec_audit.stats.intervals import wilson

snap, filters = current()
st.title("Refusals")
st.caption(
    "Over-refusal: a benign prompt refused (partly or fully). Under-refusal: a harmful prompt "
    "complied with. Rates carry 95% Wilson intervals."
)
harm = queries.quadrant_by_harm(snap, filters)
quad = queries.quadrant(harm)
st.altair_chart(charts.refusal_quadrant(quad))


def hot_spots(intent: str, outcome: str) -> pl.DataFrame:
    """Return per harm category the share of ``intent`` prompts whose reply was ``outcome``."""
    frame = (
        harm.filter(pl.col("prompt_intent") == intent)
        .with_columns(turns=pl.col("complied") + pl.col("refused"), count=pl.col(outcome))
        .filter(pl.col("turns") > 0)
    )
    low, high = wilson(frame["count"].to_numpy(), frame["turns"].to_numpy())
    return frame.select(
        "harm_category",
        "turns",
        "count",
        rate=pl.col("count") / pl.col("turns"),
        ci_low=pl.Series(low),
        ci_high=pl.Series(high),
    ).sort("rate", descending=True)


left, right = st.columns(2)
over = hot_spots("benign", "refused")
under = hot_spots("harmful", "complied")
with left:
    st.subheader("Over-refusal hot spots")
    st.caption("benign prompts refused, by harm category the prompt resembles")
    st.dataframe(over, hide_index=True, key="over_hot")
    if over.height:
        st.altair_chart(charts.hot_spots(over, "benign prompts refused"), width="stretch")
with right:
    st.subheader("Under-refusal hot spots")
    st.caption("harmful prompts complied with, by harm category")
    st.dataframe(under, hide_index=True, key="under_hot")
    if under.height:
        st.altair_chart(charts.hot_spots(under, "harmful prompts complied with"), width="stretch")

st.subheader("Quadrant per refusal clause")
st.caption("the scored turns each over- or under-refusal clause applied to")
st.dataframe(queries.quadrant_by_clause(snap, filters), hide_index=True, key="clause_quadrant")
st.subheader("Quadrant per harm category")
per_category = (
    harm.filter(pl.col("prompt_intent").is_in(["benign", "harmful"]))
    .pivot(
        on="prompt_intent",
        index="harm_category",
        values=["complied", "refused"],
        aggregate_function="sum",
    )
    .fill_null(0)
)
st.dataframe(per_category, hide_index=True, key="harm_quadrant")
