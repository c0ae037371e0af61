"""Review: auditors confirm or correct verdicts on a stratified random sample of findings.

Reviews are stored in their own file beside the audit database (``dashboards.reviews``); the
labeller agreement they measure can be written to the audit database's ``labeller_accuracy``.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.auth import can_review
from dashboards.evidence import highlight
from dashboards.filters import current
from dashboards.reviews import (
    accuracy_rows,
    agreement,
    load_reviews,
    record_reviews,
    reviews_path,
    write_accuracy,
)
from spec_audit.errors import UserError

snap, filters = current()
user = st.session_state["current_user"]
path = reviews_path(queries.audit_db())
st.title("Review")
st.caption(
    "A stratified random sample: the same number of findings per clause and labeller verdict, "
    "so rare violations are reviewed as often as compliant turns; agreement is weighted back to "
    f"the population. Reviews are stored in {path.name}."
)
allowed = can_review(user)
if not allowed:
    st.info(f"{user.name} can read the reviews; only the reviewer role can record them.")

clauses = queries.scorecard(snap, filters).filter(pl.col("applicable") > 0)["clause_id"]
cols = st.columns(3)
clause_id = cols[0].selectbox("Clause", clauses.sort().to_list(), key="r_clause")
per_stratum = cols[1].number_input("Per clause and verdict", 1, 20, 3, key="r_per")
if cols[2].button("Draw a new sample", key="r_redraw"):
    st.session_state["r_seed"] = st.session_state.get("r_seed", 0) + 1
seed = st.session_state.get("r_seed", 0)

done = load_reviews(path, filters.spec_id, filters.spec_version)
sample = queries.review_sample(snap, filters, clause_id, int(per_stratum), seed).join(
    done.select("turn_id", "clause_id"), on=["turn_id", "clause_id"], how="anti"
)
if allowed and sample.height:
    texts = queries.turns_text(snap, tuple(sample["turn_id"].unique().sort()))
    sample = sample.join(texts, on="turn_id", how="left")
    reviewer = user.name or st.text_input("Your name (recorded with each review)", key="r_name")
    with st.form("review_form"):
        choices = {}
        for i, row in enumerate(sample.iter_rows(named=True)):
            st.markdown(
                f"**{row['clause_id']}** · labeller says **{row['verdict']}** · {row['turn_id']}"
            )
            st.html(f"<div><b>user</b>: {highlight(row['user_text'], [])}</div>")
            st.html(f"<div><b>assistant</b>: {highlight(row['reply_text'], [])}</div>")
            choices[i] = st.radio(
                "Your verdict",
                ["violation", "compliant"],
                index=None,
                horizontal=True,
                key=f"r_verdict_{i}",
            )
        note = st.text_input("Note (optional, saved with every review in this batch)", key="r_note")
        submitted = st.form_submit_button("Record reviews")
    if submitted:
        chosen = [i for i, verdict in choices.items() if verdict]
        batch = sample[chosen].select(
            pl.lit(reviewer).alias("reviewer"),
            "turn_id",
            "conversation_id",
            "day",
            "model",
            "surface",
            pl.lit(filters.spec_id).alias("spec_id"),
            pl.lit(filters.spec_version).alias("spec_version"),
            "clause_id",
            pl.col("verdict").alias("labeller_verdict"),
            pl.Series("auditor_verdict", [choices[i] for i in chosen], dtype=pl.String),
            "stratum_size",
            pl.lit(note or None, dtype=pl.String).alias("note"),
        )
        try:
            recorded = record_reviews(path, batch) if batch.height else 0
        except UserError as error:
            st.error(str(error))
        else:
            st.session_state["r_flash"] = f"Recorded {recorded} reviews."
            st.rerun()
elif allowed:
    st.info("Every finding of this sample is reviewed; draw a new sample.")
if flash := st.session_state.pop("r_flash", None):
    st.success(flash)

st.subheader("Labeller agreement with the auditors")
done = load_reviews(path, filters.spec_id, filters.spec_version)
if done.is_empty():
    st.caption("No reviews yet for this spec version.")
    st.stop()
measured = agreement(done)
st.caption(
    f"{done.height} reviewed findings. Precision with its Wilson interval; recall (sensitivity), "
    "specificity and Cohen's kappa weighted to the population with 95% bootstrap intervals "
    "(both strata of a clause must be reviewed)."
)
st.dataframe(measured, hide_index=True, key="r_agreement")
if allowed:
    rows = accuracy_rows(measured, filters.spec_version)
    if st.button(
        f"Write {rows.height} clauses' accuracy to the audit database",
        key="r_write",
        disabled=not rows.height,
    ):
        try:
            written = write_accuracy(queries.audit_db(), rows, filters.spec_version)
        except UserError as error:
            st.warning(
                f"{error} (an audit may be running; the reviews are kept, write again later)"
            )
        else:
            st.success(
                f"Wrote {written} rows to labeller_accuracy; the next `spec-audit run` corrects "
                "rates with them and publishes them to this dashboard."
            )
with st.expander("All reviews"):
    st.dataframe(done, hide_index=True, key="r_all")
