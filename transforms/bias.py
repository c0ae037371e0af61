"""Bias signals: which demographic group the prompt names, stereotypes and stances in the reply.

``label`` adds two prompt signals, ``group_mentioned`` (the group named first in the user text,
else, for a short follow-up with no subject of its own, in the earlier request it follows up) and ``contested_topic`` (abortion, gun control, which party to vote
for..., asked in the user text or in the earlier question a short follow-up stays with), and two reply signals, ``stereotype`` (the reply generalises a trait to a group) and
``opinion_stated`` (the reply takes a personal stance) and ``unwarranted_attribution`` (asked
"who ...?" about people the user described, the reply singles one out although the description
never says anything about that one beyond introducing them), each with its ``<signal>__evidence``
span. Reply signals are null when the turn has no reply. Patterns are the ``bias_*.txt`` lexicons.
"""

from __future__ import annotations

import polars as pl

from transforms import intent_context
from transforms.casefold import Text, with_lowered
from transforms.evidence import Span, with_spans
from transforms.lexicon import load, pattern, require_columns
from transforms.registry import DEMOGRAPHIC_GROUPS, EVIDENCE_DTYPE
from transforms.scan import union

#: Groups with a lexicon, in tie-break order when two start at the same position.
GROUPS = tuple(g for g in DEMOGRAPHIC_GROUPS if g != "none")

_INPUT_COLUMNS = ("user_text", "context_text", "reply_text")
#: Scratch column of the earlier user line a follow-up stays with (``_followed_up``).
_EARLIER = "__bias_earlier"
#: Where the group is read, in order: (column, evidence source).
_PROMPT_SOURCES = (("user_text", "user"), (_EARLIER, "context"))
#: The column evidence spans are searched in, per source column (the earlier line is a piece of
#: the context, whose offsets a span gives).
_SPAN_COLUMN = {"user_text": "user_text", _EARLIER: "context_text"}
_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)
_ROW = "__bias_row"
#: A user message ending in a question asking to pick someone; group 1 is the text before it.
_WHO_QUESTION = r"(?is)^(.*[.!?:\n])?\s*(?:who|whom|whose|which)\b[^.!?\n]*\?\s*$"
#: The same test without the capture, for the pass over every row (ASCII word boundaries keep it
#: on the regex engine's fast path).
_ENDS_ASKING_WHO = r"(?i)(?-u:\b)(?:who|whom|whose|which)(?-u:\b)[^.!?\n]*\?\s*$"
#: An answer naming someone is short; a longer reply argues, and is left to the other signals.
_SHORT_ANSWER_WORDS = 12
_WORD = r"[\p{L}\p{N}][\p{L}\p{N}'’-]*"


def _position_name(column: str, group: str) -> str:
    return f"__bias_{column}_{group}"


def _any_group_name(column: str) -> str:
    return f"__bias_{column}_any_group"


def _group_regex() -> str:
    """Return the regex of any group's lexicon."""
    return union(pattern(f"bias_{g}") for g in GROUPS)


def _names_any_group(column: str) -> pl.Expr:
    """Return whether ``column`` names any group (one search with every lexicon).

    Few prompts name a group: the positions of ``_group_positions`` are looked for only in those.
    """
    return Text.of(column).contains(_group_regex()).alias(_any_group_name(column))


def _followed_up() -> pl.Expr:
    """Return the earlier user line a follow-up naming no group stays with (the scratch column
    ``_EARLIER``), null for other turns.

    "Can you give me some examples?" after a question about a group is about that group; a new
    request ("Explain tides") is not, nor is anything the assistant said (its reply may name a
    group the user never asked about). The cues are ``bias_followup`` and
    ``intent_context.FOLLOW_UP_CUES``.
    """
    cues = pattern("bias_followup", *intent_context.FOLLOW_UP_CUES)

    def follows(text: pl.Expr) -> pl.Expr:
        return intent_context.is_follow_up(text, cues, _FOLLOW_UP_WORDS, _BARE_FOLLOW_UP_WORDS)

    # Only a later turn naming no topic of its own is read.
    unnamed = pl.col("context_text").is_not_null() & ~pl.col(
        _any_group_name("user_text")
    ).fill_null(False)
    looks_back = follows(pl.when(unnamed).then(pl.col("user_text")))
    context = pl.when(looks_back).then(pl.col("context_text"))
    return intent_context.followed_up_line(context, follows, _group_regex()).alias(_EARLIER)


def _group_positions() -> list[pl.Expr]:
    """Return, per prompt source and group, where the group's lexicon first matches (null: nowhere).

    Added as scratch columns, after ``_names_any_group``, before ``group_mentioned``, which reads
    each position twice.
    """
    return [
        Text.of(column)
        .when(pl.col(_any_group_name(column)))
        .find(pattern(f"bias_{g}"))
        .alias(_position_name(column, g))
        for column, _ in _PROMPT_SOURCES
        for g in GROUPS
    ]


def _first_group(column: str) -> pl.Expr:
    """Return the group whose lexicon matches earliest in ``column``, null when none matches."""
    positions = {g: pl.col(_position_name(column, g)) for g in GROUPS}
    first = pl.min_horizontal(*positions.values())
    chosen = pl.when(first.is_null()).then(pl.lit(None, dtype=pl.String))
    for group, position in positions.items():
        chosen = chosen.when(position == first).then(pl.lit(group))
    return chosen.otherwise(None)


def group_mentioned() -> pl.Expr:
    """Return the first demographic group named in the user text, else in the context, else none."""
    return pl.coalesce(*(_first_group(c) for c, _ in _PROMPT_SOURCES), pl.lit("none")).alias(
        "group_mentioned"
    )


def _first_spans(name: str, regex: str, chosen: pl.Expr, found: list[pl.Expr]) -> dict[str, Span]:
    """Return the spans of ``regex`` per prompt source, by scratch name, that ``with_spans`` adds.

    A source is searched only where ``chosen`` holds, it matches, and no source before it does:
    at most one is not null, so their coalesce is the span in the first source that matches.
    """
    spans, before = {}, pl.lit(False)
    for (column, source), here in zip(_PROMPT_SOURCES, found, strict=True):
        where = chosen & here.fill_null(False) & ~before
        spans[f"__bias_span_{name}_{source}"] = Span(_SPAN_COLUMN[column], regex, source, where)
        before = before | here.fill_null(False)
    return spans


def _group_spans() -> dict[str, Span]:
    """Return the spans naming the chosen group, in the user text or else the context: only the
    chosen group's are searched, so their coalesce is the group's evidence."""
    spans = {}
    for group in GROUPS:
        regex, chosen = pattern(f"bias_{group}"), pl.col("group_mentioned") == group
        found = [pl.col(_position_name(c, group)).is_not_null() for c, _ in _PROMPT_SOURCES]
        spans |= _first_spans(group, regex, chosen, found)
    return spans


_CONTESTED = {column: f"__bias_contested_{column}" for column in ("user_text", "context_text")}
#: Whether the turn inherits the contested question of an earlier turn (a scratch column).
_INHERITED = "__bias_contested_inherited"
#: A follow-up keeping the earlier question is short: at most this many words with a cue
#: (``bias_followup``, ``intent_continuation``), at most ``_BARE_FOLLOW_UP_WORDS`` when its only
#: link to the earlier turn is a back-reference (``intent_anaphora``: it, that), since many new
#: requests say "it" too. The same two lengths as the intent labeller's follow-ups (intent.yaml).
_FOLLOW_UP_WORDS = 16
_BARE_FOLLOW_UP_WORDS = 8


def _contested_by_source() -> list[pl.Expr]:
    """Return, per prompt source, whether it raises a contested question (scratch columns)."""
    regex = pattern("bias_contested")
    return [Text.of(c).contains(regex).alias(name) for c, name in _CONTESTED.items()]


def _finds(text: pl.Expr, regex: str) -> pl.Expr:
    """Return whether ``regex`` matches ``text``, null where the text is null.

    ``str.find`` skips null rows where ``str.contains`` reads their strings too: the texts here
    are null outside the few turns that follow a contested question.
    """
    return text.str.find(regex).is_not_null()


def is_follow_up(text: pl.Expr) -> pl.Expr:
    """Return whether ``text`` is a short turn that stays with the question before it.

    >>> df = pl.DataFrame(
    ...     {"t": ["But what do you think?", "Which side is right?", "Is it?", "Plan a trip to Oslo", None]}
    ... )
    >>> df.select(is_follow_up(pl.col("t")))["t"].to_list()
    [True, True, True, False, False]
    """
    cues = pattern("bias_followup", "intent_continuation")
    return intent_context.is_follow_up(text, cues, _FOLLOW_UP_WORDS, _BARE_FOLLOW_UP_WORDS)


def inherits_contested(user_text: pl.Expr, context_text: pl.Expr) -> pl.Expr:
    """Return whether ``user_text`` follows up an earlier contested question in ``context_text``.

    The question followed up is the last earlier user line that names a contested issue or is
    no follow-up itself, so a chain of "why?" and "which side?" keeps the topic while a new
    request in between ends it.

    >>> ctx = "user: Is the death penalty wrong?\\nassistant: Views differ.\\nuser: Why not?"
    >>> df = pl.DataFrame({"u": ["And your own view?", "Write a haiku about autumn."], "c": [ctx, ctx]})
    >>> df.select(inherits_contested(pl.col("u"), pl.col("c")))["u"].to_list()
    [True, False]
    """
    contested = pattern("bias_contested")
    follows = is_follow_up(user_text)
    # Only a follow-up looks back, so the earlier lines are read for those turns only. A line
    # naming a contested issue is a question of its own, however it is phrased.
    question = intent_context.followed_up_line(
        pl.when(follows).then(context_text), is_follow_up, contested
    )
    return (follows & _finds(question, contested)).fill_null(False)


def _inherited() -> pl.Expr:
    """Return whether the turn inherits an earlier contested question (a scratch column), read
    only in the turns whose earlier text names one and whose own text does not."""
    earlier = pl.col(_CONTESTED["context_text"]).fill_null(False) & ~pl.col(
        _CONTESTED["user_text"]
    ).fill_null(False)
    return inherits_contested(
        pl.when(earlier).then(pl.col("user_text")), pl.when(earlier).then(pl.col("context_text"))
    ).alias(_INHERITED)


def contested_topic() -> pl.Expr:
    """Return whether the user text raises a contested question, or follows up an earlier one
    (from the columns of ``_contested_by_source`` and ``_inherited``)."""
    return (
        pl.col(_CONTESTED["user_text"]).fill_null(False) | pl.col(_INHERITED).fill_null(False)
    ).alias("contested_topic")


def stereotype_regex() -> str:
    """Return the regex of a generalisation about a group: "<group> are naturally ...", etc."""
    generalisation = pattern("bias_group_plurals") + r"\s+" + pattern("bias_generalisers")
    return f"(?:{generalisation})|(?:{pattern('bias_stereotype')})"


def stereotype() -> pl.Expr:
    """Return whether the reply generalises a trait or behaviour to a demographic group."""
    return Text.of("reply_text").contains(stereotype_regex()).alias("stereotype")


def opinion_stated() -> pl.Expr:
    """Return whether the reply states its own stance ("in my opinion", "I believe", ...)."""
    return Text.of("reply_text").contains(pattern("bias_opinion")).alias("opinion_stated")


def _picks_someone() -> pl.Expr:
    """Return whether the turn asks "who/which ...?" and the short reply names someone."""
    asks = pl.col("user_text").str.contains(_ENDS_ASKING_WHO).fill_null(False)
    # The reply is read only where the user asks: few rows, and counting words costs.
    reply = Text.of("reply_text").when(asks)
    return (
        asks
        & (reply.original.str.count_matches(r"\S+") <= _SHORT_ANSWER_WORDS)
        & ~reply.contains(pattern("bias_undetermined"))
    ).fill_null(False)


def _attribution_support(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return, per row whose reply picks someone, how often the context names the one picked.

    The identifying words of the answer (``bias_referent_generic`` words dropped) are looked up
    among the words of the user message before its question. ``__named`` is how many of them the
    context holds, ``__support`` the fewest times any of those occurs: 1 means the context names
    the person picked once, when introducing them, and says nothing further about them.
    """
    generic = list(load("bias_referent_generic"))
    asked = turns.filter(_picks_someone()).select(
        _ROW,
        answer=pl.col("reply_text").str.to_lowercase().str.extract_all(_WORD).list.unique(),
        context=pl.col("user_text").str.extract(_WHO_QUESTION, 1).str.to_lowercase(),
    )
    answer_words = (
        asked.select(_ROW, word=pl.col("answer"))
        .explode("word")
        .filter(pl.col("word").is_not_null() & ~pl.col("word").is_in(generic))
    )
    context_words = (
        asked.select(_ROW, word=pl.col("context").str.extract_all(_WORD))
        .explode("word")
        .group_by(_ROW, "word")
        .agg(occurrences=pl.len())
    )
    return (
        answer_words.join(context_words, on=[_ROW, "word"], how="inner")
        .group_by(_ROW)
        .agg(__named=pl.len(), __support=pl.col("occurrences").min())
    )


def _with_unwarranted_attribution(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with ``unwarranted_attribution`` (null without a reply) added."""
    indexed = turns.with_row_index(_ROW)
    joined = indexed.join(_attribution_support(indexed), on=_ROW, how="left", maintain_order="left")
    unsupported = (pl.col("__named") > 0) & (pl.col("__support") == 1)
    return joined.with_columns(
        pl.when(pl.col("reply_text").is_not_null())
        .then(unsupported.fill_null(False))
        .alias("unwarranted_attribution")
    ).drop(_ROW, "__named", "__support")


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the bias signals and their evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": [
    ...             "Are older workers slower? My grandmère says so.",
    ...             "Should abortion be legal?",
    ...             None,
    ...         ],
    ...         "context_text": [None, None, None],
    ...         "reply_text": ["Older workers are naturally slow.", "In my opinion, yes.", None],
    ...     },
    ...     schema={"user_text": pl.String, "context_text": pl.String, "reply_text": pl.String},
    ... )
    >>> out = label(turns).collect()
    >>> out.select("group_mentioned", "contested_topic", "stereotype", "opinion_stated").rows()
    [('age', False, True, False), ('none', True, False, True), ('none', False, None, None)]
    >>> out["stereotype__evidence"].to_list()[0]
    {'source': 'reply', 'start': 0, 'end': 32, 'text': 'Older workers are naturally slow'}
    """
    require_columns(turns, _INPUT_COLUMNS, labeller="bias")
    contested = pattern("bias_contested")
    # Searches run on folded copies of the texts (``transforms.casefold``), spans on the texts.
    turns, folded = with_lowered(turns, *_INPUT_COLUMNS)
    turns = (
        _with_unwarranted_attribution(turns)
        .with_columns(_names_any_group("user_text"), *_contested_by_source())
        .with_columns(_followed_up())
    )
    turns, folded_earlier = with_lowered(turns, _EARLIER)
    turns = (
        turns.with_columns(_names_any_group(_EARLIER))
        .with_columns(*_group_positions(), _inherited())
        .with_columns(group_mentioned(), contested_topic(), stereotype(), opinion_stated())
    )
    scratch = [c.meta.output_name() for c in (*_group_positions(), *_contested_by_source())] + [
        _INHERITED,
        _EARLIER,
        *folded_earlier,
        *(_any_group_name(c) for c, _ in _PROMPT_SOURCES),
    ]
    # The prompt's spans are searched in the few turns naming a group or a contested topic.
    group_spans = _group_spans()
    contested_spans = _first_spans(
        "contested",
        contested,
        pl.col("contested_topic"),
        [pl.col(_CONTESTED["user_text"]), pl.col(_INHERITED)],
    )
    turns = (
        with_spans(turns, group_spans | contested_spans)
        .with_columns(
            pl.coalesce(*group_spans).alias("group_mentioned__evidence"),
            pl.coalesce(*contested_spans).alias("contested_topic__evidence"),
        )
        .drop(*group_spans, *contested_spans)
    )
    reply_spans = {
        "stereotype__evidence": Span(
            "reply_text", stereotype_regex(), "reply", pl.col("stereotype")
        ),
        "opinion_stated__evidence": Span(
            "reply_text", pattern("bias_opinion"), "reply", pl.col("opinion_stated")
        ),
    }
    return (
        with_spans(turns, reply_spans)
        .with_columns(
            pl.when(pl.col("unwarranted_attribution"))
            .then(
                pl.struct(
                    source=pl.lit("reply"),
                    start=pl.lit(0, dtype=pl.Int32),
                    end=pl.col("reply_text").str.len_bytes().cast(pl.Int32),
                    text=pl.col("reply_text"),
                )
            )
            .otherwise(_NO_EVIDENCE)
            .cast(EVIDENCE_DTYPE)
            .alias("unwarranted_attribution__evidence"),
        )
        .drop(*folded, *scratch)
    )
