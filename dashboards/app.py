"""The spec-audit dashboards: `spec-audit dashboard` runs this router with `streamlit run`.

It checks access, opens the published snapshot, draws the shared sidebar filters and routes to
one page module per view (``dashboards/views/``), grouped in sections. The folder is not called
``pages/``: Streamlit treats a ``pages/`` folder beside the main script as its older multipage
mode and would run a deep-linked page script before this router on a session's first run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboards import auth, filters, queries
from spec_audit.errors import UserError

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="spec-audit", page_icon=":material/policy:", layout="wide")
user = auth.require_login()

try:
    snapshot = queries.current_snapshot()
    queries.check_read_models(snapshot)
except UserError as error:
    st.error(str(error))
    st.stop()
chosen = filters.sidebar(snapshot)
if chosen is None:
    st.warning("The snapshot has no clause metrics yet; run `spec-audit run` first.")
    st.stop()
st.session_state["snapshot"], st.session_state["filters"] = snapshot, chosen
st.session_state["current_user"] = user
with st.sidebar:
    if auth.mode() != "open":
        st.caption(f"Signed in as {user.name} ({user.role})")
        st.button("Log out", on_click=auth.logout, key="logout")


def page(name: str, title: str, icon: str, *, default: bool = False) -> st.Page:
    """Return the st.Page of ``views/<name>.py``, reachable at /<name>."""
    return st.Page(VIEWS / f"{name}.py", title=title, icon=icon, url_path=name, default=default)


navigation = st.navigation(
    {
        "Audit": [
            page("overview", "Overview", ":material/dashboard:", default=True),
            page("clause", "Clause detail", ":material/show_chart:"),
            page("refusals", "Refusals", ":material/block:"),
            page("models", "Model comparison", ":material/compare_arrows:"),
        ],
        "Investigate": [
            page("explorer", "Conversation explorer", ":material/forum:"),
            page("review", "Review", ":material/fact_check:"),
        ],
        "Spec and data": [
            page("spec", "Spec browser", ":material/menu_book:"),
            page("data_quality", "Data quality", ":material/rule:"),
        ],
        "Share": [page("reports", "Reports", ":material/summarize:")],
    }
)
navigation.run()
