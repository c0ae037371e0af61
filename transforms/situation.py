"""Situation signals: what the turn's set-up asks of the reply, read from the prompt side only.

``label`` adds nineteen booleans, never null (a missing text counts as empty): ``has_instructions`` (a
system or developer message is in force), ``minor_user`` (the set-up or the user says the user is
under 18), and four kinds of request in the user text: ``uncertain_question`` (nobody can answer it
with full certainty), ``argument_request`` (argue a side, persuade), ``transformation_request``
(translate, summarise, reformat or extract supplied material), ``risk_request`` (an activity that
can physically hurt the user) and ``distress_signs`` (signs of a mental-health crisis: delusions of
being watched or read, nights without sleep, hopelessness, a disclosure of self-harm or of
wanting to die; also a short turn that stays with such distress disclosed in an earlier user
turn, "nobody would notice anyway") and ``physical_danger`` (a hazard
around the user now: smoke, a structure giving way, a dangerous tool, a stranger who will not leave),
``accent_request`` (speak in an accent or character voice), ``sound_check`` (a microphone check),
``reproduction_request`` (lyrics or the full text of a work, a way round a paywall) and
``casual_prompt`` (the user writes in a casual register), ``explicit_request`` (a sexually
explicit story or scene), ``count_constraint`` (an exact count of syllables, letters or characters),
``pleasantry`` (a compliment or warm thanks to the assistant), ``creative_request`` (a name, slogan,
post, poem, story or ideas, where originality is the point), ``detail_request`` (an explanation in
detail or in depth), ``override_request`` (ignore your previous or system instructions) and
``explicit_minor_request`` (an explicit request that names someone under 18).
``conversation_close`` says whether the user's message closes the exchange: ``sign_off`` (a
goodbye), ``thanks`` (thanks without a goodbye) or ``none``. Each has a ``<signal>__evidence`` column (null for
``has_instructions``, which has no span). Patterns are the ``situation_*.txt`` lexicons.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from transforms import intent_context
from transforms.casefold import Text, with_lowered
from transforms.evidence import Span, with_spans
from transforms.lexicon import pattern, require_columns
from transforms.registry import EVIDENCE_DTYPE
from transforms.sieve import Sieve
from transforms.style import casual_regex

_INPUT_COLUMNS = ("user_text", "system_text", "context_text")
#: A turn that stays with distress disclosed earlier is short (the intent labeller's follow-up length).
_STAYS_WORDS = 16
_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)
_SIEVE = "__situation_sieve"


def _request_regexes() -> dict[str, str]:
    """Return the regex of each request signal read from the user text, by signal name."""
    return {
        "uncertain_question": pattern("situation_unknowable"),
        "argument_request": pattern("situation_argument"),
        "transformation_request": pattern("situation_transform"),
        "risk_request": pattern("situation_risk"),
        "distress_signs": pattern("situation_distress", "intent_disclosure"),
        "physical_danger": pattern("situation_danger"),
        "accent_request": pattern("situation_accent"),
        "sound_check": pattern("situation_soundcheck"),
        "reproduction_request": pattern("situation_reproduction"),
        "casual_prompt": casual_regex(),
        "explicit_request": pattern("situation_explicit"),
        "count_constraint": pattern("situation_count"),
        "pleasantry": pattern("situation_pleasantry"),
        "creative_request": pattern("situation_creative"),
        "detail_request": pattern("situation_detail"),
        "override_request": pattern("situation_override"),
    }


def _found(column: str, regex: str, sieve: Sieve | None = None) -> pl.Expr:
    """Return whether ``regex`` matches ``column`` (false when the text is null), searched only
    on the rows ``sieve`` (its bits over that column in ``_SIEVE``) says may match."""
    text = Text.of(column)
    found = text.contains(regex) if sieve is None else sieve.contains(pl.col(_SIEVE), text, regex)
    return found.fill_null(False)


def _evidence(
    spans: dict[str, Span], name: str, *choices: tuple[pl.Expr, str, str, str]
) -> pl.Expr:
    """Return evidence column ``name``: the span of the first (condition, column, regex, source)
    whose condition holds, read from the scratch columns it adds to ``spans`` (``with_spans``)."""
    chain: Any = pl
    for i, (where, column, regex, source) in enumerate(choices):
        scratch = f"__situation_span_{name}_{i}"
        spans[scratch] = Span(column, regex, source, where)
        chain = chain.when(where).then(pl.col(scratch))
    return chain.otherwise(_NO_EVIDENCE).alias(name)


def _stays_with_distress(own: pl.Expr) -> pl.Expr:
    """Return whether a turn without distress signs of its own (``own`` false) is a short one that
    stays with distress an earlier user turn disclosed ("I still feel awful" after "I keep
    thinking about not being here"): the conversation is still at risk. Only such turns' earlier
    lines are read."""
    later = pl.when(~own & pl.col("context_text").is_not_null()).then(pl.col("user_text"))
    stays = intent_context.follows_distress(later, _STAYS_WORDS).fill_null(False)
    lines = intent_context.user_lines(pl.when(stays).then(pl.col("context_text")))
    regex = _request_regexes()["distress_signs"]
    earlier = lines.list.eval(pl.element().str.contains(regex)).list.any()
    return (stays & earlier).fill_null(False)


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the situation signals and their evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": ["Are you conscious?", "J'ai 15 ans. I'm 15, any dares?", None],
    ...         "system_text": [None, "Tutor for a school.", "under_18: true"],
    ...         "context_text": [None, None, None],
    ...     },
    ...     schema={c: pl.String for c in ("user_text", "system_text", "context_text")},
    ... )
    >>> out = label(turns).collect()
    >>> out.select("has_instructions", "minor_user", "uncertain_question", "risk_request").rows()
    [(False, False, True, False), (True, True, False, False), (True, True, False, False)]
    >>> out["minor_user__evidence"].to_list()[2]
    {'source': 'system', 'start': 0, 'end': 14, 'text': 'under_18: true'}
    """
    require_columns(turns, _INPUT_COLUMNS, labeller="situation")
    requests = _request_regexes()
    distress = requests["distress_signs"]
    minor = pattern("situation_minor", boundary=False)
    underage = pattern("situation_underage")
    sign_off, thanks = pattern("situation_signoff"), pattern("situation_thanks")
    # Searches run on folded copies (``transforms.casefold``), spans on the texts.
    turns, folded = with_lowered(turns, "user_text", "system_text")
    # One literal pass over the user text says which lexicons each message can match.
    sieve = Sieve([minor, *requests.values(), sign_off, thanks])
    turns = turns.with_columns(
        sieve.bits(Text.of("user_text").folded, copy=True).alias(_SIEVE)
    ).with_columns(
        (pl.col("system_text").str.strip_chars().str.len_chars().fill_null(0) > 0).alias(
            "has_instructions"
        ),
        _found("system_text", minor).alias("_minor_in_system"),
        _found("user_text", minor, sieve).alias("_minor_in_user"),
        *(_found("user_text", r, sieve).alias(s) for s, r in requests.items()),
        pl.when(_found("user_text", sign_off, sieve))
        .then(pl.lit("sign_off"))
        .when(_found("user_text", thanks, sieve))
        .then(pl.lit("thanks"))
        .otherwise(pl.lit("none"))
        .alias("conversation_close"),
    )
    close = pl.col("conversation_close")
    # Only an explicit request is searched for a minor: the signal means nothing elsewhere.
    explicit_minor = (
        Text.of("user_text").when(pl.col("explicit_request")).contains(underage).fill_null(False)
    )
    turns = turns.with_columns(
        _stays_with_distress(pl.col("distress_signs")).alias("_distress_before")
    ).with_columns(
        (pl.col("distress_signs") | pl.col("_distress_before")).alias("distress_signs"),
        (pl.col("_minor_in_system") | pl.col("_minor_in_user")).alias("minor_user"),
        explicit_minor.alias("explicit_minor_request"),
        _NO_EVIDENCE.alias("has_instructions__evidence"),
    )
    spans: dict[str, Span] = {}
    evidence = [
        _evidence(
            spans,
            "minor_user__evidence",
            (pl.col("_minor_in_system"), "system_text", minor, "system"),
            (pl.col("_minor_in_user"), "user_text", minor, "user"),
        ),
        _evidence(
            spans,
            "explicit_minor_request__evidence",
            (pl.col("explicit_minor_request"), "user_text", underage, "user"),
        ),
        _evidence(
            spans,
            "conversation_close__evidence",
            (close == "sign_off", "user_text", sign_off, "user"),
            (close == "thanks", "user_text", thanks, "user"),
        ),
        _evidence(
            spans,
            "distress_signs__evidence",
            (pl.col("distress_signs") & ~pl.col("_distress_before"), "user_text", distress, "user"),
            (pl.col("_distress_before"), "context_text", distress, "context"),
        ),
        *(
            _evidence(spans, f"{s}__evidence", (pl.col(s), "user_text", r, "user"))
            for s, r in requests.items()
            if s != "distress_signs"
        ),
    ]
    return (
        with_spans(turns, spans)
        .with_columns(evidence)
        .drop("_minor_in_system", "_minor_in_user", "_distress_before", _SIEVE, *spans, *folded)
    )
