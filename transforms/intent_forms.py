"""How the intent labeller writes a regex for the texts it searches: as written, or ASCII-only.

A large lexicon regex compiles mostly into its Unicode classes (``\\w``, ``\\s``, ``\\b``). On a
text without letters, digits or spaces outside ASCII (``ascii_words``) the ASCII-only form of a
regex (``ascii_form``) finds the same matches for a fraction of the compiling, so the labeller
searches such texts with it (``regex_form`` picks the form for a whole column) and the others
with the regex as written (``as_written``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import polars as pl

from transforms.lexicon import ascii_variant
from transforms.stand_in import stand_in_form, stand_ins

#: The brackets the labeller tags a harm term with ("⟦3⟧ pipe bomb ⟦/3⟧"), and the ASCII control
#: characters standing for them on the stand-in copy (``copy_form``). Neither control is a
#: stand-in (``transforms.stand_in``), so a copy holds one only where its text did; a text
#: holding a bracket or its control is not read on the copy (``copy_readable``).
COPY_TAGS = {"⟦": "\x12", "⟧": "\x13"}


def as_written(regex: str) -> str:
    """Return ``regex`` unchanged: the form a regex is searched in when no cheaper one applies."""
    return regex


def ascii_form(regex: str) -> str:
    r"""Return ``regex`` with ``\w``, ``\d``, ``\s`` and ``\b`` restricted to ASCII.

    The same matches on a text without letters, digits or spaces outside ASCII
    (``ascii_words``), for a fraction of the compiling: the Unicode classes are most of the
    automaton of a large lexicon regex.

    >>> print(ascii_form(r"(?i)\bkill\b"))
    (?i)(?-u:\b)kill(?-u:\b)
    """
    fast = ascii_variant(regex)
    return fast if fast != regex else re.sub(r"(?<!\\)((?:\\\\)*)\\b", r"\1(?-u:\\b)", regex)


def ascii_words(text: pl.Expr) -> pl.Expr:
    """Return whether ``text`` holds no letter, digit or space outside ASCII (null for null).

    On such a text (curly quotes, dashes and emoji are fine) the ASCII form of a regex
    (``ascii_form``) finds the same matches: its classes and word boundaries differ from the
    Unicode ones only on such characters.

    >>> pl.Series(["it’s “ok” 👍", "café", "a\u00a0b"]).to_frame("t").select(ascii_words(pl.col("t")))["t"].to_list()
    [True, False, False]
    """
    # Only a text with a character outside ASCII (more characters than bytes) is searched.
    wide = pl.when(text.str.len_bytes() != text.str.len_chars()).then(text)
    found = wide.str.contains(r"[\w\s--[\x00-\x7F]]").fill_null(False)
    return pl.when(text.is_not_null()).then(~found)


class NoCopyForm(Exception):
    """The regex has no form for the stand-in copy: it is searched on the original text."""


def stand_in_copy(text: pl.Expr) -> pl.Expr:
    r"""Return ``text`` with the stand-ins of ``transforms.stand_in`` for its characters outside
    ASCII, not lower-cased: the copy ``copy_form`` regexes search, case flags and all.

    >>> pl.DataFrame({"t": ["It’s CAFÉ"]}).select(stand_in_copy(pl.col("t")))["t"].item()
    'It\x01s CAF_'
    """
    return stand_ins(text)


def copy_form(regex: str) -> str:
    r"""Return the form of ``regex`` for the stand-in copy of a text (``stand_in_copy``, on a
    row where ``copy_readable`` holds): the tag brackets as their controls (``COPY_TAGS``),
    rewritten for the stand-ins (``stand_in_form``), in its ASCII form (``ascii_form``: the
    copy holds no character outside ASCII). Raises ``NoCopyForm`` when it has none.

    Case flags are kept: on the copy they see the same letters, since the only characters
    outside ASCII that match an ASCII letter case-insensitively ("K", Kelvin sign, and "ſ")
    keep a text off the copy (``copy_readable``).

    >>> copy_form(r"(?i)don’t ⟦\d+⟧")
    '(?i)don\\x01t \x12[[:digit:]]+\x13'
    """
    copied = _copy_form(regex)
    if copied is None:
        raise NoCopyForm(regex)
    return copied


@cache
def _copy_form(regex: str) -> str | None:
    for bracket, control in COPY_TAGS.items():
        regex = regex.replace(bracket, control)
    rewritten = stand_in_form(regex)
    return None if rewritten is None else ascii_form(rewritten)


def copy_tags(text: str, form: Callable[[str], str]) -> str:
    """Return ``text`` (a tag, or a replacement writing tags) as the texts ``form`` is for hold
    it: with the controls of ``COPY_TAGS`` on the stand-in copy (``copy_form``)."""
    if form is not copy_form:
        return text
    for bracket, control in COPY_TAGS.items():
        text = text.replace(bracket, control)
    return text


def copy_readable(text: pl.Expr, copy: pl.Expr) -> pl.Expr:
    """Return whether ``text`` can be read on its stand-in ``copy`` with ``copy_form``: the copy
    is ASCII (digits outside ASCII are kept in it) and the text holds no tag bracket nor a
    control standing for one, nor a character outside ASCII matching an ASCII letter
    case-insensitively (Kelvin sign, long s)."""
    brackets = [*COPY_TAGS, *COPY_TAGS.values(), "\u212a", "\u017f"]
    return (copy.str.len_bytes() == copy.str.len_chars()) & ~text.str.contains_any(brackets)


def search_form(
    text: pl.Expr, original: pl.Expr, regex: str, form: Callable[[str], str]
) -> tuple[pl.Expr, str]:
    """Return the text to search for ``regex`` and the regex to search it with: ``text`` in
    ``form``, or, when ``form`` is ``copy_form`` and the regex has none, the ``original`` text
    as written."""
    try:
        return text, form(regex)
    except NoCopyForm:
        return original, regex


def holds(text: pl.Expr, regex: str) -> pl.Expr:
    r"""Return whether ``text`` holds a match of ``regex``, null where ``text`` is null: the
    result of ``str.contains``, searching only the non-null rows.

    ``str.contains`` reads every row's string, also the rows a ``when`` set to null, while
    ``str.find`` skips them: a text gated to the rows that need the search costs only those.

    >>> df = pl.DataFrame({"t": ["go on", "no", None]})
    >>> df.select(holds(pl.when(pl.col("t") != "no").then(pl.col("t")), r"\bon\b"))["t"].to_list()
    [True, None, None]
    """
    return pl.when(text.is_not_null()).then(text.str.find(regex).is_not_null())


def more_words_than(text: pl.Expr, count: int, form: Callable[[str], str] = as_written) -> pl.Expr:
    r"""Return whether ``text`` holds more than ``count`` words (runs of ``\S``), null for null.

    The same as ``text.str.count_matches(r"\S+") > count``, for one search that stops at the
    word after the ``count``-th instead of a match per word. ``form`` writes the regex for the
    texts searched (``regex_form``).

    >>> df = pl.DataFrame({"t": ["one two  three", " one\ttwo ", None]})
    >>> df.select(more_words_than(pl.col("t"), 2))["t"].to_list()
    [True, False, None]
    """
    return holds(text, form(rf"(?:\S+\s+){{{count}}}\S"))


def regex_form(frame: pl.DataFrame, column: str) -> Callable[[str], str]:
    """Return how to write a regex searched on ``column`` of ``frame``: the ASCII form when no
    text of the column holds a letter, digit or space outside ASCII (``ascii_words``: the same
    matches there), as written otherwise."""
    if frame.select(ascii_words(pl.col(column).cast(pl.String)).fill_null(True).all()).item():
        return ascii_form
    return as_written
