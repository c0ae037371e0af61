"""Conversation explorer: find conversations by finding and text, read one with its evidence.

Deep link: ``/explorer?conversation=<id>``. Conversation text is escaped before it is shown.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboards import queries
from dashboards.evidence import highlight
from dashboards.filters import current
from spec_audit.errors import UserError

snap, filters = current()
st.title("Conversation explorer")
clauses = queries.scorecard(snap, filters)["clause_id"].sort().to_list()
cols = st.columns(4)
clause_id = cols[0].selectbox("Clause", clauses, index=None, placeholder="any", key="x_clause")
verdict = cols[1].selectbox(
    "Verdict",
    ["violation", "compliant", "unscored"],
    index=None,
    placeholder="any",
    key="x_verdict",
)
kind = cols[2].selectbox(
    "Kind",
    ["under_refusal", "over_refusal", "hallucination", "bias", "style", "other"],
    index=None,
    placeholder="any",
    key="x_kind",
)
search = (
    cols[3].text_input("Text contains", key="x_search", help=queries.SEARCH_HELP).strip() or None
)

try:
    found = queries.explorer(snap, filters, clause_id, verdict, kind, search)
except UserError as error:
    st.warning(str(error))
    st.stop()
st.caption(f"{found.height} conversations shown (newest first, at most {queries.EXPLORER_LIMIT})")
picked = st.dataframe(
    found,
    hide_index=True,
    key="x_results",
    on_select="rerun",
    selection_mode="single-row",
)
rows = picked.selection.rows if picked is not None else []
if rows:
    st.query_params["conversation"] = found["conversation_id"][rows[0]]
conversation_id = st.text_input(
    "Conversation id", value=st.query_params.get("conversation", ""), key="x_id"
).strip()
if not conversation_id:
    st.stop()
st.query_params["conversation"] = conversation_id
detail = queries.conversation(snap, filters, conversation_id)
if detail is None:
    st.warning(f"No conversation with id {conversation_id!r}.")
    st.stop()

head = detail["conversation"]
st.subheader(f"Conversation {conversation_id}")
st.caption(
    f"{head['model']} · {head['surface'] or 'no surface'} · started {head['started_at']} · "
    f"{head['n_turns']} turns · link: ?conversation={conversation_id}"
)
catalog = queries.catalog(f"{filters.spec_id}@{filters.spec_version}")
evidence, findings = detail["evidence"], detail["findings"]
for turn in detail["turns"].iter_rows(named=True):
    turn_id = turn["turn_id"]
    spans = evidence.filter(pl.col("turn_id") == turn_id)

    def marked(source: str, text: str | None, spans: pl.DataFrame = spans) -> str:
        rows = spans.filter(pl.col("source") == source).select("start", "end", "signal").rows()
        return highlight(text, rows)

    st.markdown(f"**Turn {turn['turn_index']}**")
    if turn["system_text"]:
        st.html(
            f"<div class='sa-system'><b>system</b>: {marked('system', turn['system_text'])}</div>"
        )
    st.html(f"<div class='sa-user'><b>user</b>: {marked('user', turn['user_text'])}</div>")
    st.html(f"<div class='sa-reply'><b>assistant</b>: {marked('reply', turn['reply_text'])}</div>")
    verdicts = findings.filter(pl.col("turn_id") == turn_id)
    reasons = []
    for finding in verdicts.iter_rows(named=True):
        why = ""
        if catalog is not None:
            clause = catalog.clause(finding["clause_id"])
            values = ", ".join(f"{s}={turn.get(s)}" for s in (finding["evidence"] or []))
            why = f"violation_when: {clause.violation_when} — with {values}"
        reasons.append({**finding, "why": why})
    if reasons:
        st.dataframe(
            pl.DataFrame(reasons).select("clause_id", "verdict", "kind", "why", "overlay_id"),
            hide_index=True,
            key=f"x_findings_{turn_id}",
        )
    with st.expander("Signals and evidence"):
        signals = {
            k: v for k, v in turn.items() if k not in ("system_text", "user_text", "reply_text")
        }
        st.dataframe(
            pl.DataFrame({"signal": list(signals), "value": [str(v) for v in signals.values()]}),
            hide_index=True,
            key=f"x_signals_{turn_id}",
        )
        st.dataframe(spans, hide_index=True, key=f"x_spans_{turn_id}")
