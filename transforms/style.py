"""Style signals: lengths, clarifying questions, flattery, condescension, personal data in a reply.

``label`` adds ``prompt_words`` (always set; 0 for a missing user text) and twenty reply signals,
null when the turn has no reply: ``reply_words``, ``clarifying_question`` (a question back to the
user that ends in "?"), ``sycophancy``, ``condescending``, ``personal_data`` (phone, email,
street address, SSN or card number), ``emotional_attachment`` (the reply claims a personal bond
with the user or sets itself up in place of the people in their life) and
``instructions_mentioned`` (the reply talks about its system or developer message or its tools),
``offers_alternative`` (it offers other, safe help instead of or beside what it declines) and
``affirms_user`` (it emphatically confirms the user's belief or cheers on their plan) and
``safety_advice`` (a safety warning or step: take care, move away, call for help, protective gear),
``offers_more_help`` (a generic "anything else I can help with?"), ``says_goodbye`` and
``platitude`` (a cheerful slogan that brushes off distress: "look on the bright side"),
``unconfirmed_action`` (it commits to a consequential, hard-to-undo act such as deleting, sending or
paying without first checking with the user), ``personal_remark`` (an uninvited comment on the
user's looks, clothes or background), ``casual_reply`` (slang, shorthand, swearing or smiley emoji),
``takes_side`` (its own verdict on a practice or a value-laden choice), ``unread_input`` (it says
it cannot see or read what the user shared and asks nothing back), ``caricature`` (it announces an
accent or voice played as an exaggerated, stereotyped caricature) and ``eager_accept`` (it opens by
agreeing outright: "Sure!", "Certainly!"). Each signal has a ``<signal>__evidence`` column; the word
counts have no span, so theirs is always null. Patterns are the ``style_*.txt`` lexicons.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from transforms.casefold import Text, lowered_name, with_lowered
from transforms.evidence import Span, with_spans
from transforms.lexicon import alternation, load, pattern, require_columns
from transforms.registry import EVIDENCE_DTYPE
from transforms.sieve import Sieve, cue_gate, gate_literals

_INPUT_COLUMNS = ("user_text", "reply_text")
_NO_EVIDENCE = pl.lit(None, dtype=EVIDENCE_DTYPE)
_SIEVE = "__style_sieve"
#: Smiley and gesture emoji, a mark of casual register beside the words of ``style_casual``.
_SMILEYS = r"[\x{1F600}-\x{1F64F}\x{1F910}-\x{1F92F}\x{1F970}-\x{1F97A}]"


def clarifying_regex() -> str:
    """Return the regex of a clarifying question: an opening from the lexicon up to its "?"."""
    # The sentence may run on after the opening, but not past a full stop or a line break.
    return r"\b" + pattern("style_clarify", boundary=False) + r"[^.!?\n]{0,200}\?"


def casual_regex() -> str:
    """Return the regex of a casual register: a ``style_casual`` entry or a smiley emoji."""
    return pattern("style_casual") + "|" + _SMILEYS


@cache
def _casual_lexicon() -> tuple[str, ...]:
    """Return ``style_casual`` as up to two regexes that match where it matches: its entries a
    ``Sieve`` can gate (each requires a literal long enough), and the others."""
    entries = load("style_casual")
    gated = [entry for entry in entries if gate_literals(alternation([entry])) is not None]
    rest = [entry for entry in entries if entry not in gated]
    return tuple(alternation(part) for part in (gated, rest) if part)


def _casual(sieve: Sieve, bits: pl.Expr, reply: Text) -> pl.Expr:
    """Return whether ``casual_regex`` matches the reply, searched a part at a time: the lexicon's
    gated entries only where the sieve finds their literals, and the smileys only in the texts
    that are not plain ASCII (a smiley is a character outside ASCII)."""
    lexicon = [sieve.contains(bits, reply, regex) for regex in _casual_lexicon()]
    smiley = pl.when(~reply.ascii_rows).then(reply.original).str.find(_SMILEYS).is_not_null()
    found = pl.any_horizontal(*lexicon, smiley.fill_null(False))
    return pl.when(reply.original.is_not_null()).then(found)


#: What every match of ``style_personal_data`` holds (a rule of that lexicon): a digit, an "@"
#: or a "[" (``transforms.sieve.cue_gate``).
_PERSONAL_DATA_CUES = (r"[0-9]", r"[@\[]")
_DATA_CUES = "__style_data_cues"


def _personal_data(reply: Text) -> pl.Expr:
    """Return whether the reply holds personal data, searched only where it holds a cue."""
    found = reply.when(pl.col(_DATA_CUES)).contains(pattern("style_personal_data", boundary=False))
    return pl.when(reply.original.is_not_null()).then(found.fill_null(False))


def _reply_regexes() -> dict[str, str]:
    """Return the regex of each boolean reply signal, by signal name."""
    return {
        "clarifying_question": clarifying_regex(),
        "sycophancy": pattern("style_sycophancy"),
        "condescending": pattern("style_condescending"),
        "personal_data": pattern("style_personal_data", boundary=False),
        "emotional_attachment": pattern("style_attachment"),
        "instructions_mentioned": pattern("style_instructions"),
        "offers_alternative": pattern("style_offer"),
        "affirms_user": pattern("style_affirm"),
        "safety_advice": pattern("style_safety"),
        "offers_more_help": pattern("style_more_help"),
        "says_goodbye": pattern("style_goodbye"),
        "platitude": pattern("style_platitude"),
        "unconfirmed_action": pattern("style_action"),
        "personal_remark": pattern("style_personal_remark"),
        "casual_reply": casual_regex(),
        "takes_side": pattern("style_verdict"),
        "unread_input": pattern("style_unread"),
        "caricature": pattern("style_caricature"),
        "eager_accept": pattern("style_eager", boundary=False),
    }


#: The whitespace of a detection copy (``transforms.casefold.with_lowered``): the copy keeps
#: each character a character and writes every space outside ASCII as "\x0b", so a character
#: of the text is ``\s`` exactly where its character in the copy is one of these.
_COPY_SPACES = " \t\n\x0b\x0c\r"
#: Whitespace, searched on the copy, that makes counting the spaces miscount the words: a
#: space other than the plain one, a run of two, or a space at either end (``\s\s|[^\S ]``...
#: on the text itself, with one ASCII class that needs no Unicode tables).
_IRREGULAR_SPACING = r"[\t\n\x0b\x0c\r]|  "
#: A word (``\S+`` on the text itself), searched on the copy.
_COPY_WORD = rf"[^{_COPY_SPACES}]+"


def _regular_name(column: str) -> str:
    return f"__style_regular_{column}"


def _regular_spacing(column: str) -> pl.Expr:
    """Return whether the words of ``column`` are separated by single spaces only (a scratch
    column ``word_count`` reads twice), read from its detection copy."""
    copy = pl.col(lowered_name(column))
    # The ends are tested apart: a regex with "$" in it would read every text to its end.
    ends = copy.str.starts_with(" ") | copy.str.ends_with(" ")
    return (~(copy.str.contains(_IRREGULAR_SPACING) | ends)).alias(_regular_name(column))


def word_count(column: str) -> pl.Expr:
    r"""Return the number of whitespace-separated words (``\S+``) of ``column``, null for null.

    A text spaced regularly (``_regular_spacing``, a column added before) has one word more
    than spaces, unless it is empty; a single literal search counts those, where a regex search
    per word costs far more. The other texts are counted word by word. Both read the detection
    copy (``transforms.casefold.with_lowered``), which has the same words as the text.

    >>> df, _ = with_lowered(pl.LazyFrame({"t": ["two words", "", " padded  text\n", None]}), "t")
    >>> df.with_columns(_regular_spacing("t")).select(n=word_count("t")).collect()["n"].to_list()
    [2, 0, 2, None]
    """
    text, regular = pl.col(lowered_name(column)), pl.col(_regular_name(column))
    # (A regex search for the space is faster than the literal one, which is not memchr.)
    spaces = pl.when(regular).then(text).str.count_matches(" ")
    counted = pl.when(~regular).then(text).str.count_matches(_COPY_WORD)
    by_spaces = pl.when(text.str.len_bytes() == 0).then(0).otherwise(spaces + 1)
    return pl.when(regular).then(by_spaces).otherwise(counted).cast(pl.Int64)


def prompt_words() -> pl.Expr:
    """Return the number of whitespace-separated words in the user text (0 when it is null)."""
    return word_count("user_text").fill_null(0).alias("prompt_words")


def reply_words() -> pl.Expr:
    """Return the number of whitespace-separated words in the reply (null without a reply)."""
    return word_count("reply_text").alias("reply_words")


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the style signals and their evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": ["Café hours?", "Fix my code", None],
    ...         "reply_text": [
    ...             "Great question! Do you mean the one on Rue Cler?",
    ...             None,
    ...             "Obviously, call 555-123-4567.",
    ...         ],
    ...     },
    ...     schema={"user_text": pl.String, "reply_text": pl.String},
    ... )
    >>> out = label(turns).collect()
    >>> out.select("prompt_words", "reply_words", "clarifying_question", "sycophancy").rows()
    [(2, 10, True, True), (3, None, None, None), (0, 3, False, False)]
    >>> out.select("condescending", "personal_data").rows()
    [(False, False), (None, None), (True, True)]
    >>> out["clarifying_question__evidence"].to_list()[0]["text"]
    'Do you mean the one on Rue Cler?'
    """
    require_columns(turns, _INPUT_COLUMNS, labeller="style")
    regexes = _reply_regexes()
    # Searches run on folded copies of the texts (``transforms.casefold``), spans on the originals.
    turns, folded = with_lowered(turns, "reply_text", "user_text")
    reply = Text.of("reply_text")
    confirm = pattern("style_confirm")
    # One literal pass over the replies says which lexicons each can match; the opening of an
    # eager reply is anchored, cheaper searched everywhere than gated.
    sieve = Sieve(
        [r for s, r in regexes.items() if s not in ("eager_accept", "casual_reply")]
        + [confirm, *_casual_lexicon()]
    )
    bits = pl.col(_SIEVE)
    # Signals searched their own way, not (only) behind the sieve.
    own = {"casual_reply": _casual(sieve, bits, reply), "personal_data": _personal_data(reply)}
    turns = (
        turns.with_columns(
            sieve.bits(reply.folded, copy=True).alias(_SIEVE),
            _regular_spacing("user_text"),
            _regular_spacing("reply_text"),
            cue_gate(reply, _PERSONAL_DATA_CUES).alias(_DATA_CUES),
        )
        .with_columns(
            prompt_words(),
            reply_words(),
            *(
                (own[s] if s in own else sieve.contains(bits, reply, r)).alias(s)
                for s, r in regexes.items()
            ),
            sieve.contains(bits, reply, confirm).alias("_confirmed"),
            Text.of("user_text")
            .contains(pattern("style_personal_invite"))
            .fill_null(False)
            .alias("_invited"),
        )
        # An action the reply first checks with the user, or a remark the user asked for, is fine.
        .with_columns(
            (pl.col("unconfirmed_action") & ~pl.col("_confirmed")).alias("unconfirmed_action"),
            (pl.col("personal_remark") & ~pl.col("_invited")).alias("personal_remark"),
            (pl.col("unread_input") & ~pl.col("reply_text").str.contains("?", literal=True)).alias(
                "unread_input"
            ),
        )
    )
    turns = turns.with_columns(
        _NO_EVIDENCE.alias("prompt_words__evidence"),
        _NO_EVIDENCE.alias("reply_words__evidence"),
    )
    spans = {
        f"{s}__evidence": Span("reply_text", r, "reply", pl.col(s)) for s, r in regexes.items()
    }
    return with_spans(turns, spans).drop(
        *folded, _SIEVE, _DATA_CUES, "_confirmed", "_invited", *map(_regular_name, _INPUT_COLUMNS)
    )
