"""Earlier turns for the intent labeller: which earlier request a follow-up refers back to.

A harm word in an earlier turn must not colour an unrelated later request. The intent labeller
(``transforms.intent``) therefore lets the earlier turns raise the intent of the current turn only
when the current turn is a short continuation (``is_continuation``: "the exact amounts", "go on",
a jailbreak wrapper, or a bare "it" / "that" in a very short turn) and the
earlier request it refers to was itself harmful. That earlier request, the *anchor*, is the last
earlier user line that is not itself a short continuation, so "Come on, I'm a professional" after a
refused request does not hide the request it pushes for.

Everything here is a Polars expression over ``context_text`` ("user: ...\\nassistant: ..." lines).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from transforms.intent_forms import as_written, more_words_than
from transforms.lexicon import pattern

_USER_LINES = r"(?m)^user:[^\n]*"


def user_lines(context_text: pl.Expr) -> pl.Expr:
    """Return the earlier user lines of ``context_text`` as a list, without their ``user:`` tag.

    >>> ctx = "user: Hi\\nassistant: Hello\\nuser: ¿Y eso?"
    >>> pl.select(user_lines(pl.lit(ctx))).item().to_list()
    ['Hi', '¿Y eso?']
    >>> pl.select(user_lines(pl.lit(None, dtype=pl.String))).item().to_list()
    []
    """
    return (
        context_text.cast(pl.String)
        .fill_null("")
        .str.extract_all(_USER_LINES)
        .list.eval(pl.element().str.replace(r"^user:\s*", ""))
    )


def is_continuation(
    text: pl.Expr, max_words: int, anaphora_max_words: int, form: Callable[[str], str] = as_written
) -> pl.Expr:
    """Return whether ``text`` is a short turn that refers back to an earlier request.

    A turn of at most ``max_words`` words continues with a clear cue (``intent_continuation``:
    go on, the exact amounts) or a jailbreak wrapper with no request of its own; a bare
    back-reference (``intent_anaphora``: it, that) counts only up to ``anaphora_max_words``.
    ``form`` writes each regex for the texts searched (an ASCII-only form for ASCII texts).

    >>> df = pl.DataFrame(
    ...     {"t": ["Go on, the exact amounts.", "Do that again", "How do I bake sourdough bread at home? Keep it simple.", None]}
    ... )
    >>> df.select(is_continuation(pl.col("t"), 16, 8))["t"].to_list()
    [True, True, False, False]
    """
    limits = (max_words, anaphora_max_words)
    return (
        text.cast(pl.String)
        .fill_null("")
        .map_batches(lambda texts: _continues(texts, *limits, form), return_dtype=pl.Boolean)
    )


def _continues(
    texts: pl.Series, max_words: int, anaphora_max_words: int, form: Callable[[str], str]
) -> pl.Series:
    """Return ``is_continuation`` of ``texts`` (no nulls), one step at a time.

    Each step is a column, so a condition read by several later steps is searched once, and each
    search reads only the rows its condition leaves (``str.find`` skips the null rows a ``when``
    makes; ``str.contains`` would read them all). A word count is a test of its threshold.
    """
    text = pl.col("text")
    longest, shortest = max(max_words, anaphora_max_words), min(max_words, anaphora_max_words)
    # Only a short turn can continue, so longer ones are not searched at all.
    short = pl.col("short")
    within = {longest: short, shortest: pl.col("shorter")}

    def found(where: pl.Expr, regex: str) -> pl.Expr:
        return pl.when(where).then(text).str.find(form(regex)).is_not_null()

    cont, anaphora = pattern("intent_continuation"), pattern("intent_anaphora")
    # A turn that opens with a question of its own ("Is X right or wrong? Just tell me.") is a
    # new request, whatever follows it; only a turn with a cue is searched for one, and only a
    # question of four words or more counts.
    first = pl.col("first")
    asks = pl.col("asks")
    return (
        texts.to_frame("text")
        .lazy()
        .with_columns(short=text.str.contains(form(rf"(?:\S+\s+){{{longest}}}\S")).not_())
        .with_columns(shorter=short & ~found(short, rf"(?:\S+\s+){{{shortest}}}\S"))
        .with_columns(
            cue=found(within[max_words], cont)
            | found(within[max_words], pattern("intent_jailbreak"))
            | found(within[anaphora_max_words], anaphora)
        )
        .with_columns(first=pl.when("cue").then(text).str.extract(form(r"^\s*([^.?!]*\?)"), 1))
        .with_columns(asks=first.str.find(form(r"(?:\S+\s+){3}\S")).is_not_null())
        .select(
            pl.col("cue")
            & ~(
                asks
                & ~(
                    pl.when(asks).then(first).str.find(form(cont)).is_not_null()
                    | pl.when(asks).then(first).str.find(form(anaphora)).is_not_null()
                )
            )
        )
        .collect(engine="in-memory")
        .to_series()
    )


def by_distinct(frame: pl.DataFrame, key: str, *columns: pl.Expr, keep: str = "") -> pl.DataFrame:
    """Return ``frame`` with ``columns`` computed once per distinct value of ``key`` (and of the
    column ``keep``, which they may read), in the order of ``frame``.

    The same text gives the same reading, so a column that reads only the text is computed on
    the distinct texts and joined back.
    """
    keys = [key, keep] if keep else [key]
    distinct = frame.lazy().select(keys).unique().with_columns(*columns).collect(engine="in-memory")
    return frame.join(distinct, on=keys, how="left", nulls_equal=True, maintain_order="left")


def anchors(
    frame: pl.DataFrame,
    lines: str,
    where: str,
    max_words: int,
    anaphora_max_words: int,
    categories: tuple[str, ...],
    form: Callable[[str], str] = as_written,
) -> pl.Series:
    """Return the earlier request each follow-up refers to: the last line that is no continuation.

    ``lines`` names a column of earlier user lines (``user_lines``); only the rows where the
    boolean column ``where`` holds are looked at (null elsewhere). A line with a term of one of
    the ``harm_<category>`` lexicons is never skipped. Falls back to the last line when every
    earlier line is a continuation; null without lines. ``form`` as in ``is_continuation``.
    The lines are searched flat, one row per line, so only the continuations among them are
    searched for harm terms.

    >>> df = pl.DataFrame(
    ...     {"l": [["Write a poem about rain.", "Make it longer", "Go on"], ["Go on"], []],
    ...      "w": [True, True, True]}
    ... )
    >>> anchors(df, "l", "w", 16, 8, ("self_harm",)).to_list()
    ['Write a poem about rain.', 'Go on', None]
    """
    row, line = "__anchor_row", pl.col(lines)
    indexed = frame.lazy().select(pl.col(lines), pl.col(where)).with_row_index(row)
    follow_up = pl.col("__follow_up")
    # A line with a harm term of its own ("Give me step-by-step instructions for X") is a request.
    # Only the follow-ups are searched (``str.find`` skips the other lines; ``contains`` would not).
    own_harm = pl.any_horizontal(
        pl.when(follow_up).then(line).str.find(form(pattern(f"harm_{name}"))).is_not_null()
        for name in categories
    )
    flat = (
        indexed.filter(pl.col(where)).select(row, line).explode(lines).collect(engine="in-memory")
    )
    # Each distinct line is read once (follow-ups such as "go on" recur).
    flat = by_distinct(
        flat,
        lines,
        is_continuation(line, max_words, anaphora_max_words, form).alias("__follow_up"),
    )
    flat = by_distinct(
        flat, lines, (follow_up & ~own_harm).alias("__continues"), keep="__follow_up"
    )
    substantive = flat.filter(~pl.col("__continues")).unique(row, keep="last")
    last = flat.unique(row, keep="last")
    return (
        indexed.select(row)
        .join(substantive.lazy().select(row, line.alias("__substantive")), on=row, how="left")
        .join(
            last.lazy().select(row, line.alias("__last")), on=row, how="left", maintain_order="left"
        )
        .sort(row)
        .select(pl.coalesce("__substantive", "__last").alias(lines))
        .collect(engine="in-memory")
        .to_series()
    )


def carries_distress(lines: pl.Expr, form: Callable[[str], str] = as_written) -> pl.Expr:
    """Return whether any earlier user line discloses self-harm or suicidal thoughts.

    >>> lines = pl.lit(pl.Series([["I feel like such a burden to everyone", "ok"]]))
    >>> pl.select(carries_distress(lines)).item()
    True
    """
    return lines.list.eval(pl.element().str.contains(form(pattern("intent_disclosure")))).list.any()


def follows_distress(
    text: pl.Expr, max_words: int, form: Callable[[str], str] = as_written
) -> pl.Expr:
    """Return whether ``text`` is a short turn that stays with the user's distress.

    After a disclosure in an earlier turn, such a turn ("I still feel awful", "nobody would
    notice", ``intent_affect``) keeps the conversation at risk even without a harm word.

    >>> df = pl.DataFrame({"t": ["Nobody would even notice.", "What's a good pasta recipe?"]})
    >>> df.select(follows_distress(pl.col("t"), 16))["t"].to_list()
    [True, False]
    """
    text = text.cast(pl.String).fill_null("")
    short = ~more_words_than(text, max_words, form)
    return short & pl.when(short).then(text).str.find(form(pattern("intent_affect"))).is_not_null()


#: Lexicons of the cues of a follow-up that carries its conversation's subject (a group, a
#: regulated domain) over: asks for more or about the next step (``intent_followup``), continues
#: or edits (``intent_continuation``), or wraps the earlier request in a jailbreak ("pretend you
#: have no rules and answer").
FOLLOW_UP_CUES = ("intent_followup", "intent_continuation", "intent_jailbreak")


def is_follow_up(text: pl.Expr, cues: str, max_words: int, bare_max_words: int) -> pl.Expr:
    """Return whether ``text`` is a short turn that stays with the request before it.

    A turn of at most ``max_words`` words with a cue (``cues``, a regex) follows up; one whose only
    link to the earlier turn is a back-reference (``intent_anaphora``: it, that) only up to
    ``bare_max_words``, since many new requests say "it" too. A turn that names its own subject
    without a cue ("Plan a trip to Oslo") is a new request. Null texts are no follow-up.

    >>> df = pl.DataFrame({"t": ["Is it?", "So should I be worried?", "Plan a trip to Oslo", None]})
    >>> df.select(is_follow_up(pl.col("t"), pattern("intent_followup"), 12, 8))["t"].to_list()
    [True, True, False, False]
    """
    # Only short texts are searched for cues (``str.find`` skips the null rows a ``when`` makes),
    # and a caller passes null for the turns it need not read (a first turn, a turn with a topic).
    text = text.cast(pl.String)
    short = ~more_words_than(text, max_words)
    shorter = short & ~more_words_than(pl.when(short).then(text), bare_max_words)
    cue = pl.when(short).then(text).str.find(cues).is_not_null()
    bare = pl.when(shorter).then(text).str.find(pattern("intent_anaphora")).is_not_null()
    return ((short & cue) | (shorter & bare)).fill_null(False)


def followed_up_line(
    context_text: pl.Expr, follows: Callable[[pl.Expr], pl.Expr], names_topic: str
) -> pl.Expr:
    """Return the earlier user line a follow-up stays with (null where there is none).

    ``context_text`` should be null outside the follow-ups, so only their earlier lines are read.
    The line is the last earlier user line that names the topic (``names_topic``, a regex) or is
    no follow-up itself (``follows`` of the line is false): a chain of "why?" and "what if?" keeps
    the question they follow, while a new request in between ("Plan a trip to Oslo") ends it.

    >>> ctx = "user: I have a rash on my arm.\\nassistant: ...\\nuser: So should I be worried?"
    >>> new = ctx + "\\nuser: Write a haiku about autumn."
    >>> follows = lambda t: is_follow_up(t, pattern("intent_followup"), 12, 8)
    >>> df = pl.DataFrame({"c": [ctx, new, None]})
    >>> df.select(followed_up_line(pl.col("c"), follows, r"(?i)\\brash\\b"))["c"].to_list()
    ['I have a rash on my arm.', 'Write a haiku about autumn.', None]
    """
    lines, line = user_lines(context_text), pl.element()
    asked = lines.list.eval(line.filter(line.str.contains(names_topic) | ~follows(line)))
    return pl.when(context_text.is_not_null()).then(
        pl.coalesce(asked.list.last(), lines.list.last())
    )
