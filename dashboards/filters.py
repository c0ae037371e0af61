"""The sidebar filters every page shares: spec version, date range, models and surfaces."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboards.queries import Filters, Snapshot, options


def sidebar(snap: Snapshot) -> Filters | None:
    """Return the filters chosen in the sidebar (None when the snapshot has no audited days)."""
    choices = options(snap)
    if not choices["specs"]:
        return None
    with st.sidebar:
        spec = st.selectbox(
            "Spec version", choices["specs"], index=len(choices["specs"]) - 1, key="f_spec"
        )
        first, last = choices["first_day"], choices["last_day"]
        picked = st.date_input(
            "Days", value=(first, last), min_value=first, max_value=last, key="f_days"
        )
        models = st.multiselect(
            "Models", choices["models"], placeholder="all models", key="f_models"
        )
        surfaces = st.multiselect(
            "Surfaces", choices["surfaces"], placeholder="all surfaces", key="f_surfaces"
        )
    start, end = _range(picked, first, last)
    spec_id, _, version = spec.partition("@")
    return Filters(spec_id, version, start, end, tuple(models), tuple(surfaces))


def _range(picked: object, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """Return (start, end) of a date_input value; a half-picked range runs to the last day."""
    if isinstance(picked, tuple | list):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], last
        return first, last
    return (picked, picked) if isinstance(picked, dt.date) else (first, last)


def current() -> tuple[Snapshot, Filters]:
    """Return the snapshot and filters the router set for this run (pages call this first)."""
    return st.session_state["snapshot"], st.session_state["filters"]
