"""Polars labellers: each module adds one family of signal columns (and their evidence) to turns.

``label_turns`` runs every family over a LazyFrame of turns (the columns of
``transforms.registry.TURN_COLUMNS``) and returns it with one column per registered signal and one
``<signal>__evidence`` struct column per signal that has evidence. Families read only turn columns,
never each other's output, so they can run in any order in one lazy plan.
"""

from __future__ import annotations

import polars as pl

from transforms import bias, domain, intent, refusal, situation, style, truthfulness
from transforms.registry import SIGNALS

FAMILIES = (refusal, intent, domain, truthfulness, bias, style, situation)


def label_turns(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with every registered signal column and its evidence column added."""
    for module in FAMILIES:
        turns = module.label(turns)
    return turns.with_columns(pl.col(s.name).cast(s.polars_dtype) for s in SIGNALS)
