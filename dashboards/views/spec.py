"""Spec browser: clauses by layer and authority, what changed between versions, and coverage."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.filters import current
from spec_audit.spec.diff import diff_catalogs
from spec_audit.spec.versions import available_versions

snap, filters = current()
spec = f"{filters.spec_id}@{filters.spec_version}"
st.title("Spec browser")
clauses = queries.clause_table(spec)
if clauses.is_empty():
    st.warning(f"{spec} is not a shipped catalog.")
    st.stop()

st.subheader(f"Clauses of {spec} by layer and authority")
st.dataframe(
    clauses.pivot(
        on="authority", index="layer", values="clause_id", aggregate_function="len"
    ).fill_null(0),
    hide_index=True,
    key="s_pivot",
)
cols = st.columns(2)
layers = cols[0].multiselect("Layer", ["rule", "default", "objective"], key="s_layer")
authorities = cols[1].multiselect(
    "Authority", ["root", "system", "developer", "user", "guideline"], key="s_authority"
)
shown = clauses.filter(
    pl.col("layer").is_in(layers) if layers else pl.lit(True),
    pl.col("authority").is_in(authorities) if authorities else pl.lit(True),
)
st.dataframe(shown, hide_index=True, key="s_clauses")

st.subheader("Versions side by side")
versions = available_versions()
cols = st.columns(2)
older = cols[0].selectbox("From", versions, index=0, key="s_from")
newer = cols[1].selectbox("To", versions, index=len(versions) - 1, key="s_to")
a, b = queries.catalog(older), queries.catalog(newer)
if a is not None and b is not None:
    diff = diff_catalogs(a, b)
    st.write(
        f"{diff.a} → {diff.b}: {len(diff.added)} added, {len(diff.removed)} removed, "
        f"{len(diff.changed)} changed, {diff.unchanged} unchanged"
    )
    changes = (
        [{"clause_id": c, "change": "added", "field": "", "from": "", "to": ""} for c in diff.added]
        + [
            {"clause_id": c, "change": "removed", "field": "", "from": "", "to": ""}
            for c in diff.removed
        ]
        + [
            {
                "clause_id": c.clause_id,
                "change": "changed",
                "field": field,
                "from": str(old),
                "to": str(new),
            }
            for c in diff.changed
            for field, (old, new) in c.fields.items()
        ]
    )
    st.dataframe(pl.DataFrame(changes), hide_index=True, key="s_diff")

st.subheader("Coverage")
covered = queries.coverage(snap, filters)
if covered is not None:
    testable = int(covered["testable"].sum())
    measured = int(covered["sensitivity"].is_not_null().sum())
    st.write(f"{testable} of {covered.height} clauses testable; accuracy measured for {measured}.")
    st.dataframe(
        covered.select(
            "clause_id",
            "layer",
            "authority",
            "testable",
            "applies_signals",
            "violation_signals",
            "findings",
            "violations",
            "sensitivity",
            "specificity",
            "n_pos",
            "n_neg",
        ),
        hide_index=True,
        key="s_coverage",
    )
