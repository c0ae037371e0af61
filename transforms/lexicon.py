"""Lexicons and evidence spans shared by every labeller: the pieces each labeller is built from.

A lexicon is a TXT file beside its labeller: a header of ``#`` comment lines saying what it is for,
then one regular-expression fragment per line (blank lines ignored). ``pattern`` joins the lines of
one or more lexicons into a single case-insensitive alternation with word boundaries, so a labeller
makes one regex pass over a column per lexicon instead of one per phrase. Labellers test for a
match through ``transforms.casefold.Text``, which runs the pattern's lower-cased form on a copy of
the text lower-cased once, and take evidence spans (``span``) from the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import polars as pl

from spec_audit.errors import UserError
from transforms.registry import EVIDENCE_DTYPE

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"


@cache
def load(name: str) -> tuple[str, ...]:
    """Return the entries of ``transforms/lexicons/<name>.txt`` without comments or blank lines."""
    path = LEXICON_DIR / f"{name}.txt"
    if not path.exists():
        raise UserError(f"{path}: lexicon not found")
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    entries = tuple(line for line in lines if line and not line.startswith("#"))
    if not entries:
        raise UserError(f"{path}: lexicon has no entries")
    return entries


#: The typographic apostrophe (right single quotation mark) keyboards and editors put in place
#: of "'" (U+2019).
APOSTROPHE = "’"


@cache
def either_apostrophe(regex: str) -> str:
    r"""Return ``regex`` with every apostrophe it spells matching the typographic one too.

    A lexicon spells "can't"; replies written on phones and in word processors say "can’t".
    ``alternation`` applies it to every entry, so no lexicon spells "’" itself.
    Outside a bracketed class "'" (or "\'") becomes "['’]"; inside one, "’" joins it.

    >>> print(either_apostrophe(r"can'?t|i[' ]m|x\'s|[[:alpha:]']"))
    can['’]?t|i['’ ]m|x['’]s|[[:alpha:]'’]
    """
    out: list[str] = []
    depth, i = 0, 0  # depth: how many bracketed classes the position is inside
    while i < len(regex):
        if regex.startswith("\\'", i) or regex[i] == "'":
            out.append(f"'{APOSTROPHE}" if depth else f"['{APOSTROPHE}]")
            i += 1 + (regex[i] == "\\")
            continue
        if regex[i] == "\\":
            step = regex[i : i + 2]
        elif depth and regex.startswith("[:", i) and ":]" in regex[i:]:
            step = regex[i : regex.index(":]", i) + 2]  # a POSIX class inside a class
        elif regex[i] == "[":
            step = class_opening(regex, i)
            depth += 1
        else:
            step = regex[i]
            depth -= step == "]" and depth > 0
        out.append(step)
        i += len(step)
    return "".join(out)


def pattern(*names: str, boundary: bool = True) -> str:
    """Return one case-insensitive regex matching any entry of the named lexicons.

    >>> import re
    >>> bool(re.search(pattern("hedges"), "It MIGHT rain"))
    True
    """
    return alternation((entry for name in names for entry in load(name)), boundary=boundary)


def alternation(entries: Iterable[str], *, boundary: bool = True) -> str:
    r"""Return one case-insensitive regex matching any of ``entries`` (as ``pattern`` joins them),
    each apostrophe also the typographic one (``either_apostrophe``).

    >>> print(alternation(["yo", "hey+", "y'all"]))
    (?i)\b(?:(?:yo)|(?:hey+)|(?:y['’]all))\b
    """
    body = "|".join(f"(?:{either_apostrophe(entry)})" for entry in entries)
    return rf"(?i)\b(?:{body})\b" if boundary else rf"(?i)(?:{body})"


#: ASCII spellings of the Unicode shorthand classes, for use inside a bracketed class.
_ASCII_CLASSES = {"w": "[:word:]", "d": "[:digit:]", "s": "[:space:]"}


@cache
def ascii_variant(regex: str) -> str:
    r"""Return ``regex`` with ``\w``, ``\d``, ``\s`` and ``\b`` restricted to ASCII.

    On a text made only of ASCII characters both regexes find exactly the same matches (the
    Unicode classes hold no other ASCII characters), but the ASCII one is far cheaper to search
    with: a Unicode ``\w`` inside a repetition such as ``(?:\w+ ){0,5}`` makes the reverse
    automaton that locates a match's start blow up. Negated shorthands (``\W``) and other
    escapes are kept as they are. A regex without those classes is returned unchanged: a word
    boundary alone costs little, and a second variant would only take room in Polars' small
    cache of compiled regexes.

    >>> print(ascii_variant(r"(?i)\b(?:\w+ ){0,3}[\w'-]+\d\b"))
    (?i)(?-u:\b)(?:[[:word:]]+ ){0,3}[[:word:]'-]+[[:digit:]](?-u:\b)
    >>> print(ascii_variant(r"(?i)\bcannot\b"))
    (?i)\bcannot\b
    """
    if not re.search(r"(?<!\\)(?:\\\\)*\\[wds]", regex):
        return regex
    out: list[str] = []
    depth, i = 0, 0  # depth: how many bracketed classes the position is inside
    while i < len(regex):
        char = regex[i]
        if char == "\\" and i + 1 < len(regex):
            escape = regex[i + 1]
            if escape in _ASCII_CLASSES:
                ascii_class = _ASCII_CLASSES[escape]
                out.append(ascii_class if depth else f"[{ascii_class}]")
            elif escape == "b" and not depth:
                out.append(r"(?-u:\b)")
            else:
                out.append(regex[i : i + 2])
            i += 2
        elif depth and regex.startswith("[:", i) and ":]" in regex[i:]:
            end = regex.index(":]", i) + 2  # a POSIX class such as [:alpha:] inside a class
            out.append(regex[i:end])
            i = end
        elif char == "[":
            depth += 1
            opening = class_opening(regex, i)
            i += len(opening)
            out.append(opening)
        else:
            depth -= char == "]" and depth > 0
            out.append(char)
            i += 1
    return "".join(out)


def class_opening(regex: str, i: int) -> str:
    """Return the opening of the bracketed class starting at ``regex[i]``: "[" or "[^", with a
    "]" right after it, which is a literal member, not the end of the class.

    >>> class_opening("a[]x]", 1), class_opening("[^-]", 0)
    ('[]', '[^')
    """
    opening = "[^" if regex.startswith("[^", i) else "["
    return opening + "]" if regex.startswith("]", i + len(opening)) else opening


def by_script(
    text: pl.Expr,
    regex: str,
    search: Callable[[pl.Expr, str], pl.Expr],
    *,
    ascii_rows: pl.Expr | None = None,
) -> pl.Expr:
    """Return ``search(text, regex)``, run with ``ascii_variant(regex)`` on the all-ASCII rows.

    The result is the same as ``search(text, regex)`` on every row; only the rows holding a
    non-ASCII character pay for the Unicode classes. The split is made only for a regex with a
    counted repetition (``{0,5}``), the construct that makes Unicode classes expensive; any other
    regex runs as it is, which saves a pass that finds the ASCII rows. ``ascii_rows`` may be
    passed when the caller has it already.
    """
    fast = ascii_variant(regex)
    if fast == regex or "{" not in regex:
        return search(text, regex)
    if ascii_rows is None:
        ascii_rows = is_ascii(text)
    return (
        pl.when(ascii_rows)
        .then(search(pl.when(ascii_rows).then(text), fast))
        .otherwise(search(pl.when(~ascii_rows).then(text), regex))
    )


def is_ascii(text: pl.Expr) -> pl.Expr:
    """Return whether each text is made of ASCII characters only (one byte per character)."""
    return text.str.len_bytes() == text.str.len_chars()


def replace_each(text: pl.Expr, steps: Iterable[tuple[str, str]]) -> pl.Expr:
    r"""Return ``text`` with ``str.replace_all(regex, replacement)`` applied for each step in turn.

    All-ASCII rows are rewritten with ``ascii_variant`` of each regex, the others with the regex
    itself: the same result, as long as the replacements add no letters, digits or spaces
    outside ASCII (tags such as "⟦3⟧" are fine).

    >>> df = pl.DataFrame({"t": ["kill the process", "tué le processus", None]})
    >>> steps = [(r"\b\w+\s+the\b", "<>"), (r"\w+us$", "X")]
    >>> df.select(replace_each(pl.col("t"), steps))["t"].to_list()
    ['<> process', 'tué le X', None]
    """
    ascii_rows = is_ascii(text)
    fast, slow = pl.when(ascii_rows).then(text), pl.when(~ascii_rows).then(text)
    for regex, replacement in steps:
        fast = fast.str.replace_all(ascii_variant(regex), replacement)
        slow = slow.str.replace_all(regex, replacement)
    return pl.when(ascii_rows).then(fast).otherwise(slow)


def span(
    column: str | pl.Expr, regex: str, *, source: str, where: pl.Expr | None = None
) -> pl.Expr:
    """Return the evidence struct of the first match of ``regex`` in ``column``, null without one.

    Offsets are UTF-8 byte offsets into the column's text. ``where`` limits the search to the
    rows where it is true (null elsewhere): evidence is wanted for few rows, and a search for a
    match's position and text costs far more than a test whether there is one, so a caller passes
    the condition under which it uses the span.

    >>> df = pl.DataFrame({"reply_text": ["Sí, I cannot help", "sure", None, "I cannot help"]})
    >>> df.select(ev=span("reply_text", r"(?i)cannot help", source="reply")).to_dicts()[0]["ev"]
    {'source': 'reply', 'start': 7, 'end': 18, 'text': 'cannot help'}
    >>> df.select(ev=span("reply_text", r"(?i)cannot help", source="reply"))["ev"].null_count()
    2
    >>> only_first = pl.int_range(pl.len()) == 0
    >>> df.select(ev=span("reply_text", r"(?i)cannot", source="reply", where=only_first))["ev"].null_count()
    3
    """
    text_column = pl.col(column) if isinstance(column, str) else column
    if where is not None:
        text_column = pl.when(where).then(text_column)
    # Group 0 is the whole match: the same pattern string as the detection pass, so Polars' cache
    # of compiled regexes (keyed by the string) serves both instead of compiling a wrapped copy.
    ascii_rows = is_ascii(text_column)
    text = by_script(text_column, regex, lambda t, rx: t.str.extract(rx, 0), ascii_rows=ascii_rows)
    start = by_script(text_column, regex, lambda t, rx: t.str.find(rx), ascii_rows=ascii_rows).cast(
        pl.Int32
    )
    return (
        pl.when(text.is_not_null())
        .then(
            pl.struct(
                source=pl.lit(source),
                start=start,
                end=start + text.str.len_bytes().cast(pl.Int32),
                text=text,
            )
        )
        .otherwise(pl.lit(None, dtype=EVIDENCE_DTYPE))
        .cast(EVIDENCE_DTYPE)
    )


def require_columns(lf: pl.LazyFrame, columns: Iterable[str], *, labeller: str) -> None:
    """Raise ``UserError`` naming the labeller, the missing columns and those present."""
    present = lf.collect_schema().names()
    missing = [c for c in columns if c not in present]
    if missing:
        raise UserError(
            f"labeller {labeller}: missing column(s) {', '.join(missing)}; "
            f"columns present: {', '.join(present)}"
        )
