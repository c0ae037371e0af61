"""Situation signals: what the turn's set-up asks of the reply, read from the prompt side only.

``label`` adds eight booleans, never null (a missing text counts as empty): ``has_instructions`` (a
system or developer message is in force), ``minor_user`` (the set-up or the user says the user is
under 18), and four kinds of request in the user text: ``uncertain_question`` (nobody can answer it
with full certainty), ``argument_request`` (argue a side, persuade), ``transformation_request``
(translate, summarise, reformat or extract supplied material), ``risk_request`` (an activity that
can physically hurt the user) and ``distress_signs`` (signs of a mental-health crisis: delusions of
being watched or read, nights without sleep, hopelessness) and ``physical_danger`` (a hazard
around the user now: smoke, a structure giving way, a dangerous tool, a stranger who will not leave). Each has a ``<signal>__evidence`` column (null for
``has_instructions``, which has no span). Patterns are the ``situation_*.txt`` lexicons.
"""

from __future__ import annotations

import polars as pl

from transforms.lexicon import pattern, require_columns, span
from transforms.registry import EVIDENCE_DTYPE

_INPUT_COLUMNS = ("user_text", "system_text")
_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)


def _request_regexes() -> dict[str, str]:
    """Return the regex of each request signal read from the user text, by signal name."""
    return {
        "uncertain_question": pattern("situation_unknowable"),
        "argument_request": pattern("situation_argument"),
        "transformation_request": pattern("situation_transform"),
        "risk_request": pattern("situation_risk"),
        "distress_signs": pattern("situation_distress"),
        "physical_danger": pattern("situation_danger"),
    }


def _found(column: str, regex: str) -> pl.Expr:
    """Return whether ``regex`` matches ``column`` (false when the text is null)."""
    return pl.col(column).str.contains(regex).fill_null(False)


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the situation signals and their evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": ["Are you conscious?", "J'ai 15 ans. I'm 15, any dares?", None],
    ...         "system_text": [None, "Tutor for a school.", "under_18: true"],
    ...     },
    ...     schema={"user_text": pl.String, "system_text": pl.String},
    ... )
    >>> out = label(turns).collect()
    >>> out.select("has_instructions", "minor_user", "uncertain_question", "risk_request").rows()
    [(False, False, True, False), (True, True, False, False), (True, True, False, False)]
    >>> out["minor_user__evidence"].to_list()[2]
    {'source': 'system', 'start': 0, 'end': 14, 'text': 'under_18: true'}
    """
    require_columns(turns, _INPUT_COLUMNS, labeller="situation")
    requests = _request_regexes()
    minor = pattern("situation_minor", boundary=False)
    turns = turns.with_columns(
        (pl.col("system_text").str.strip_chars().str.len_chars().fill_null(0) > 0).alias(
            "has_instructions"
        ),
        (_found("system_text", minor) | _found("user_text", minor)).alias("minor_user"),
        *(_found("user_text", r).alias(s) for s, r in requests.items()),
    )
    in_system = _found("system_text", minor)
    return turns.with_columns(
        _NO_EVIDENCE.alias("has_instructions__evidence"),
        pl.when(in_system)
        .then(span("system_text", minor, source="system", where=in_system))
        .when(pl.col("minor_user"))
        .then(span("user_text", minor, source="user", where=pl.col("minor_user")))
        .otherwise(_NO_EVIDENCE)
        .alias("minor_user__evidence"),
        *(
            pl.when(pl.col(s))
            .then(span("user_text", r, source="user", where=pl.col(s)))
            .otherwise(_NO_EVIDENCE)
            .alias(f"{s}__evidence")
            for s, r in requests.items()
        ),
    )
