"""Data quality: the newest validation results, rejected records by reason, ingest history."""

from __future__ import annotations

import streamlit as st

from dashboards import queries
from dashboards.filters import current

snap, _ = current()
st.title("Data quality")

st.subheader("Validation results")
results = queries.validation_results(snap)
if results is None:
    st.caption("No validation_results table in this snapshot yet.")
elif results.is_empty():
    st.caption("No validation run recorded yet.")
else:
    failed = results.filter(~results["success"])
    st.write(
        f"Run of {results['run_at'][0]}: {results.height - failed.height} of {results.height} "
        f"checks passed, {failed.height} failed "
        f"({failed.filter(failed['severity'] == 'error').height} errors)."
    )
    st.dataframe(results, hide_index=True, key="d_validation")

history = queries.ingest_history(snap)
rejected = queries.rejected(snap)
totals = queries.ingest_totals(snap)
cols = st.columns(4)
cols[0].metric("Files ingested", f"{totals['files']:,}")
cols[1].metric("Records read", f"{totals['rows_read']:,}")
cols[2].metric("Accepted", f"{totals['rows_accepted']:,}")
cols[3].metric("Rejected", f"{totals['rows_rejected']:,}")

st.subheader("Rejected records by reason")
st.dataframe(rejected, hide_index=True, key="d_rejected")
st.subheader("Ingest history")
st.dataframe(history, hide_index=True, key="d_history")
