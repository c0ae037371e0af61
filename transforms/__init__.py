"""Polars labellers: each module adds one family of signal columns (and their evidence) to turns.

``label_frame`` runs every family over a frame of turns (the columns of
``transforms.registry.TURN_COLUMNS``) and returns it with one column per registered signal and one
``<signal>__evidence`` struct column per signal that has evidence. Families read only turn columns,
never each other's output, so they can run in any order.
"""

from __future__ import annotations

import polars as pl

from transforms import bias, domain, intent, refusal, situation, style, truthfulness
from transforms.casefold import with_lowered
from transforms.registry import SIGNALS

FAMILIES = (refusal, intent, domain, truthfulness, bias, style, situation)

#: Text columns the families search; each gets one folded copy (``transforms.casefold``).
TEXT_COLUMNS = ("user_text", "reply_text", "context_text", "system_text")

#: Polars engine that collects the labelling plan. The in-memory engine evaluates each expression
#: once over the whole column; the streaming engine evaluates it per morsel, and with some 130
#: distinct regexes (Polars keeps 32 compiled per thread) each morsel recompiles them and rebuilds
#: their lazy DFAs: about 10% more CPU here, for no less memory on a frame already in memory.
ENGINE = "in-memory"


def label_frame(turns: pl.DataFrame) -> pl.DataFrame:
    """Return ``turns`` with every registered signal column and its evidence column added.

    Families are collected with ``ENGINE`` one at a time. One lazy plan of every family gives the
    same columns at about twice the time: it holds every family's regexes at once, more than Polars
    keeps compiled, so each is compiled and its lazy DFA rebuilt again and again; a family at a
    time keeps its own few in the cache (measured 6.5 s against 3.5 s wall on 39,622 turns).
    The text columns are lower-cased once here for every family (``transforms.casefold``).
    """
    lf, folded = with_lowered(turns.lazy(), *TEXT_COLUMNS)
    turns = lf.collect(engine=ENGINE)
    for module in FAMILIES:
        turns = module.label(turns.lazy()).collect(engine=ENGINE)
    return turns.drop(folded).with_columns(pl.col(s.name).cast(s.polars_dtype) for s in SIGNALS)
