r"""Case-insensitive detection on a text lower-cased once: the fast form of a lexicon search.

A case-insensitive regex (``(?i)``) turns each letter into a set of its case variants, and with
hundreds of phrases the regex engine can no longer pick a few literal bytes to scan for first: it
falls back to running its automaton over every byte (measured 2.7 times slower on replies).
Lower-casing the text once (``fold``) and searching it with the lower-cased regex without the flag
(``detection``) finds the same matches and keeps that literal prefilter.

The same, exactly: ``fold`` maps every character to the one lower-case letter standing for all the
letters a case-insensitive search treats as equal to it (Unicode simple case folding: "ſ", "S"
and "s" all become "s"), and ``detection`` maps the letters of the regex the same way. Letters
outside a ``(?i)`` region, property classes (``\p{Lu}``) and escapes naming a code point
cannot be translated: such a regex has no detection form and is searched on the original text.

The folded copy a labeller searches (``detection_copy``) is also written in ASCII, each
character outside ASCII replaced by a stand-in (``transforms.stand_in``), and each detection regex
rewritten to match (``stand_in_form``): the regex engine's fast automaton then serves every row,
not only the all-ASCII ones.

Only detection runs on the copy: whether, how often, and (through ``Text.find``) where, as a
character offset turned into a byte offset of the original. Evidence spans are taken from the
original text, since lower-casing changes the byte length of some characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import polars as pl

from transforms.lexicon import is_ascii
from transforms.scan import candidates, gate
from transforms.stand_in import (
    SPELLED_STAND_INS,
    class_stand_ins,
    copy_literal,
    gate_form,
    is_plain,
    stand_in_form,
    stand_ins,
)

#: Characters a case-insensitive search treats as another letter that is already lower case
#: (long s, U+017F, matches "(?i)s"), mapped to that letter before lower-casing; "Σ", which lower-cases to
#: "ς" at the end of a word; and "İ", the one capital whose lower case is two characters ("i"
#: and a combining dot) although no case-insensitive "i" matches it, mapped to a letter that no
#: lexicon spells.
FOLDS = {
    "İ": "ǀ",
    "Σ": "σ",
    "ſ": "s",
    "µ": "μ",
    "\u0345": "ι",
    "\u1fbe": "ι",
    "ϐ": "β",
    "ϵ": "ε",
    "ϑ": "θ",
    "ϰ": "κ",
    "ϖ": "π",
    "ϱ": "ρ",
    "ς": "σ",
    "ϕ": "φ",
    "ᲀ": "в",
    "ᲁ": "д",
    "ᲂ": "о",
    "ᲃ": "с",
    "ᲄ": "т",
    "ᲅ": "т",
    "ᲆ": "ъ",
    "ᲇ": "ѣ",
    "ᲈ": "ꙋ",
    "ẛ": "ṡ",
    # Letters newer than the regex engine's Unicode tables (not \w to it) whose lower case is
    # known to Polars' tables: kept out of \w as a replacement character.
    "\ua7d2": "\ufffd",
    "\ua7d4": "\ufffd",
}

#: Characters a detection regex cannot spell: those folded to a stand-in, and the stand-ins.
_UNSPELLABLE = {"İ", "ǀ", "\ua7d2", "\ua7d4", "\ufffd"}

#: Property classes with the same members before and after folding (letters are not: "\u0345",
#: a combining mark, folds to the letter iota).
_CASELESS_PROPERTIES = {"N", "Number", "Nd", "P", "Punctuation", "Z"}


def fold(text: pl.Expr, ascii_rows: pl.Expr | None = None) -> pl.Expr:
    """Return ``text`` lower-cased (with ``FOLDS``) for the detection form of a regex.

    >>> df = pl.DataFrame({"t": ["Ich SAGE: ſo", "ΟΔΟΣ", None]})
    >>> df.select(fold(pl.col("t")))["t"].to_list()
    ['ich sage: so', 'οδοσ', None]
    """
    text = text.cast(pl.String)
    # An all-ASCII text holds none of FOLDS: those rows skip the search for them.
    return (
        pl.when(is_ascii(text) if ascii_rows is None else ascii_rows)
        .then(text.str.to_lowercase())
        .otherwise(text.str.replace_many(FOLDS).str.to_lowercase())
    )


def detection_copy(text: pl.Expr, plain_rows: pl.Expr | None = None) -> pl.Expr:
    r"""Return ``text`` folded, with stand-ins for the characters outside ASCII: the copy that
    ``Text`` searches with ``stand_in_form(detection(regex))``.

    ``plain_rows`` (``transforms.stand_in.is_plain``) may be passed when the caller has it.

    >>> df = pl.DataFrame({"t": ["It’s ſo CAFÉ", "OK", None]})
    >>> df.select(detection_copy(pl.col("t")))["t"].to_list()
    ['it\x01s so caf_', 'ok', None]
    """
    text = text.cast(pl.String)
    return class_stand_ins(
        _spelled_copy(text, is_plain(text) if plain_rows is None else plain_rows)
    )


def _spelled_copy(text: pl.Expr, plain: pl.Expr) -> pl.Expr:
    """Return ``detection_copy`` of ``text`` but for its ``class_stand_ins`` (the first step)."""
    # A plain text is its own copy once lower-cased; only the others are searched for FOLDS
    # and SPELLED (uncased, so replaced in the same pass). Each branch reads the other rows
    # as empty strings: a rewrite reads every row's string, also the rows a ``when`` set to
    # null.
    lowered = pl.when(plain).then(text).otherwise(pl.lit("")).str.to_lowercase()
    wide = pl.when(plain).then(pl.lit("")).otherwise(text).str.replace_many(_first_step())
    return pl.when(plain).then(lowered).otherwise(wide.str.to_lowercase())


#: Blocks whose characters the first step maps straight to their stand-ins: Latin, Greek,
#: Cyrillic and general punctuation, most of what texts hold outside ASCII besides emoji and
#: CJK (left to the class passes).
_COMMON_BLOCKS = ((0x80, 0x530), (0x2000, 0x2070))


@cache
def _first_step() -> dict[str, str]:
    """Return the replacements of the copy's first step, made before lower-casing.

    ``FOLDS`` and ``SPELLED_STAND_INS``, and for each character of ``_COMMON_BLOCKS`` the
    character the whole copy (``fold``, then ``stand_ins``) makes of it, computed here by the
    regex engine itself, so one replacement pass stands for the class passes: exact by
    construction (a text is folded character by character once FOLDS has taken "Σ").
    """
    chars = [chr(c) for start, end in _COMMON_BLOCKS for c in range(start, end)]
    made = pl.DataFrame({"c": chars}).select(stand_ins(fold(pl.col("c"))))["c"].to_list()
    common = {c: m for c, m in zip(chars, made, strict=True) if m != c and len(m) == 1}
    return {**FOLDS, **SPELLED_STAND_INS, **common}


def _class_copy(column: str) -> pl.Expr:
    """Return the copy ``_spelled_copy`` gave, with ``class_stand_ins`` where it needs them."""
    copy = pl.col(lowered_name(column))
    wide = ~is_ascii(copy)  # (cheap: is_ascii compares two lengths)
    return (
        pl.when(wide)
        .then(class_stand_ins(pl.when(wide).then(copy).otherwise(pl.lit(""))))
        .otherwise(copy)
    )


def fold_literal(text: str) -> str:
    """Return a Python string folded as ``fold`` folds a column."""
    return "".join(FOLDS.get(c, c) for c in text).lower()


def _letter(char: str) -> str | None:
    """Return the folded form of one letter of a case-insensitive region, None if it has none."""
    lower = FOLDS.get(char, char).lower()
    return FOLDS.get(lower, lower) if len(lower) == 1 else None


def _is_cased(char: str) -> bool:
    return char.lower() != char or char.upper() != char


class _NoDetectionForm(Exception):
    """The regex holds something that cannot be searched on folded text."""


def _class_body(regex: str, start: int) -> str:
    """Return the text of the bracketed class whose "[" is at ``start - 1``, up to its "]"."""
    i, depth = start + 1, 1  # a "]" right after the opening is a member
    while i < len(regex) and depth:
        if regex[i] == "\\":
            i += 2
            continue
        if regex.startswith("[:", i) and ":]" in regex[i:]:
            i = regex.index(":]", i) + 2
            continue
        depth += {"[": 1, "]": -1}.get(regex[i], 0)
        i += 1
    return regex[start:i]


def _code_point(escape: str) -> str:
    r"""Return the character an escape such as ``\x41`` or ``\x{1F600}`` names ("A" if unknown)."""
    digits = escape[2:].strip("{}")
    try:
        return chr(int(digits, 16))
    except ValueError:
        return "A"  # read as a letter with case: the escape is then refused


@cache
def detection(regex: str, relaxed: bool = False) -> str | None:
    r"""Return the form of ``regex`` that finds the same matches on ``fold``-ed text, or None.

    Letters in a ``(?i)`` region are folded and the flag dropped; escapes (``\S``, ``\W``, ``\b``),
    group names and letters-free case-sensitive parts are kept. None when a letter is case-sensitive
    (outside ``(?i)``, or inside ``(?-i:...)``), or a case-insensitive region holds an escape
    whose meaning depends on case (``\p{Lu}``, ``\x41``, ``[[:upper:]]``).

    >>> print(detection(r"(?i)\b(?:I(?:'m| am) sorry|[A-Z]\S+ Ltd)\b"))
    \b(?:i(?:'m| am) sorry|[a-z]\S+ ltd)\b
    >>> print(detection(r"^\s*[^.!?\n]*?(?i)\bNO\b"))
    ^\s*[^.!?\n]*?\bno\b
    >>> print(detection(r"(?i)\bmay\b|(?-i:May)"))
    None

    ``relaxed``: every letter is read as case-insensitive, so the result matches wherever
    ``regex`` matches and perhaps elsewhere: a gate, not a replacement.

    >>> print(detection(r"(?i)\bmay\b|(?-i:May)", relaxed=True))
    \bmay\b|(?:may)
    """
    try:
        return _Translator(regex, relaxed).run()
    except _NoDetectionForm:
        return None


class _Translator:
    """One left-to-right pass over a regex, tracking where ``(?i)`` is in force."""

    def __init__(self, regex: str, relaxed: bool = False) -> None:
        self.regex, self.i, self.out = regex, 0, []
        #: Relaxed: every letter is read case-insensitively, "(?-i)" included.
        self.relaxed, self.negated = relaxed, False
        self.insensitive, self.stack = relaxed, []

    def run(self) -> str:
        regex = self.regex
        while self.i < len(regex):
            char = regex[self.i]
            if char == "\\":
                self.out.append(self._escape())
            elif char == "[":
                self._class()
            elif char == "(":
                self._open()
            elif char == ")":
                self.insensitive = self.stack.pop() if self.stack else self.insensitive
                self.out.append(char)
                self.i += 1
            else:
                self.out.append(self._literal(char))
                self.i += 1
        return "".join(self.out)

    def _literal(self, char: str) -> str:
        if char in _UNSPELLABLE:
            raise _NoDetectionForm(char)
        if not _is_cased(char):
            return char
        folded = _letter(char) if self.insensitive else None
        if folded is None:
            raise _NoDetectionForm(char)
        return folded

    def _escape(self) -> str:
        """Return the escape at the position (a backslash and what it names), moving past it."""
        regex, start = self.regex, self.i
        kind = regex[start + 1] if start + 1 < len(regex) else ""
        end = start + 2
        if kind in "pPxuU" and regex.startswith("{", end):
            end = regex.index("}", end) + 1
        elif kind in "pP":
            end += 1
        elif kind == "x":
            end += 2
        self.i = end
        text = regex[start:end]
        # A code point is kept unless it names a letter with case (no such escape is folded).
        if self.insensitive and kind in "xuU" and _is_cased(_code_point(text)):
            raise _NoDetectionForm(text)
        name = text[2:].strip("{}")
        # Relaxed, letters of any case may stay letters: folding maps a letter to a letter.
        letters = self.relaxed and kind == "p" and not self.negated and name in ("L", "Letter")
        if kind in "pP" and name not in _CASELESS_PROPERTIES and not letters:
            raise _NoDetectionForm(text)
        return text

    def _class(self) -> None:
        """Copy a bracketed class, folding its letters and letter ranges."""
        regex = self.regex
        self.out.append("[")
        self.i += 1
        # Whether a class here is negated: a gate then keeps no letter property (``_escape``).
        self.negated = regex.startswith("^", self.i) or "[^" in _class_body(regex, self.i)
        if regex.startswith("^", self.i):
            self.out.append("^")
            self.i += 1
        if regex.startswith("]", self.i):
            self.out.append("]")
            self.i += 1
        depth = 1
        while depth:
            char = regex[self.i]
            if char == "\\":
                self.out.append(self._escape())
                continue
            if regex.startswith("[:", self.i) and ":]" in regex[self.i :]:
                end = regex.index(":]", self.i) + 2
                name = regex[self.i + 2 : end - 2].lstrip("^")
                # ASCII classes: under (?i) they also hold the long s and the Kelvin sign, as folded.
                if not self.insensitive or name in ("upper", "lower"):
                    raise _NoDetectionForm(name)
                self.out.append(regex[self.i : end])
                self.i = end
                continue
            if char in "[]":
                depth += 1 if char == "[" else -1
                self.out.append(char)
                self.i += 1
                continue
            is_range = regex.startswith("-", self.i + 1) and regex[self.i + 2 : self.i + 3] not in (
                "]",
                "",
            )
            if is_range and (_is_cased(char) or _is_cased(regex[self.i + 2])):
                self.out.append(self._range(char, regex[self.i + 2]))
                self.i += 3
                continue
            self.out.append(self._literal(char))
            self.i += 1
        self.negated = False

    def _range(self, first: str, last: str) -> str:
        """Return a range of ASCII letters of one case, folded (``A-Z`` → ``a-z``)."""
        same_case = (first.isupper() and last.isupper()) or (first.islower() and last.islower())
        if not (self.insensitive and first.isascii() and last.isascii() and same_case):
            raise _NoDetectionForm(f"{first}-{last}")
        return f"{first.lower()}-{last.lower()}"

    def _open(self) -> None:
        """Copy a group opening; a flag group switches case-insensitivity on or refuses ``-i``."""
        regex, start = self.regex, self.i
        self.stack.append(self.insensitive)
        if not regex.startswith("(?", start):
            self.out.append("(")
            self.i += 1
            return
        if regex.startswith(("(?P<", "(?<"), start):
            end = regex.index(">", start) + 1
            self.out.append(regex[start:end])
            self.i = end
            return
        end = start + 2
        while regex[end] not in ":)":
            end += 1
        flags = regex[start + 2 : end]
        on, _, off = flags.partition("-")
        # "-u": ASCII-only classes and boundaries, which the long s folded to "s" would enter.
        if ("i" in off and not self.relaxed) or "u" in off:
            raise _NoDetectionForm(flags)
        insensitive = self.insensitive or "i" in on
        on, off = on.replace("i", ""), off.replace("i", "")
        kept = on + (f"-{off}" if off else "")
        self.i = end + 1
        if regex[end] == ":":
            self.out.append(f"(?{kept}:")
            self.insensitive = insensitive
        else:  # "(?i)": in force to the end of the enclosing group, which it does not open
            self.stack.pop()
            self.insensitive = insensitive
            if kept:
                self.out.append(f"(?{kept})")


@dataclass(frozen=True)
class Text:
    """A text expression with its folded copy: searches run on the copy when the regex allows it.

    The copy is ``detection_copy``: folded, in ASCII (``transforms.stand_in``). A regex whose
    stand-in form exists is searched on the copy; any other on the original, where a
    plain-ASCII row or its gate on the copy says it may match. ``Text.of(column)`` reads the
    copy from ``lowered_name(column)`` and whether each text is plain ASCII from
    ``ascii_name(column)`` (both added by ``with_lowered``). ``text.str`` is the text
    itself, so code written for a string expression (``text.str.contains(regex)``) runs unchanged
    on a ``Text``. ``text.when(condition)`` narrows every later search to the rows where the
    condition holds: the other rows read null and are not searched (``transforms.scan`` says
    which searches skip null rows and which do not).
    """

    original: pl.Expr
    folded: pl.Expr
    #: Whether each original text is plain ASCII (``is_plain``: its copy has no stand-ins, and
    #: byte offsets are character offsets), when known (a cached column); else computed.
    ascii_rows: pl.Expr | None = None
    #: Whether most rows were set to null by ``when``: searches then avoid ``str.contains``,
    #: which reads every row's string, null or not (a null made by ``when`` keeps its string),
    #: where ``str.find`` reads only the rows that are not null.
    sparse: bool = False

    @property
    def str(self) -> Text:
        """Return the text itself: the searches below are its string namespace."""
        return self

    @classmethod
    def folding(cls, text: pl.Expr) -> Text:
        """Return ``text`` with its folded copy computed from it (for a text built on the way)."""
        return cls(text, detection_copy(text))

    @classmethod
    def of(cls, column: str) -> Text:
        """Return the text of ``column`` and of its folded and is-ASCII scratch columns."""
        return cls(pl.col(column), pl.col(lowered_name(column)), pl.col(ascii_name(column)))

    def when(self, condition: pl.Expr) -> Text:
        """Return the text where ``condition`` holds, null elsewhere (such rows are not searched).

        ``condition`` is evaluated again in every search made on the result: pass a column.
        """
        ascii_rows = None if self.ascii_rows is None else pl.when(condition).then(self.ascii_rows)
        return Text(
            pl.when(condition).then(self.original),
            pl.when(condition).then(self.folded),
            ascii_rows,
            sparse=True,
        )

    def _plain_rows(self) -> pl.Expr:
        return is_plain(self.original) if self.ascii_rows is None else self.ascii_rows

    def _search(
        self, regex: str, search: Callable[[pl.Expr, str], pl.Expr], absent: object = None
    ) -> pl.Expr:
        """Return ``search(text, regex)`` run on the copy where the regex allows it.

        A regex without a stand-in form is searched on the original text, only in the rows
        where its ``gate`` matches the copy; ``search`` must give null for a null text, and
        ``absent`` is its answer on a text without a match.
        """
        copy_form = _copy_form(regex)
        if copy_form is not None:
            return search(self.folded, copy_form)
        gate = _gate(regex)
        if gate is None or not _WORD_BOUNDARY.search(regex):
            # Without a word boundary the regex engine's fast automaton reads any text.
            return search(self.original, regex)
        found = search(pl.when(self._may_match(gate)).then(self.original), regex)
        if absent is None:
            return found
        return pl.when(self.original.is_not_null()).then(found.fill_null(absent))

    def _may_match(self, gate: str) -> pl.Expr:
        """Return whether the original may match a regex whose ``gate`` is given: on a plain row
        always (the regex is as fast there as its gate), elsewhere where the gate matches."""
        plain = self._plain_rows()
        return plain | _found(pl.when(~plain).then(self.folded), gate)

    def _matches(self, text: pl.Expr, regex: str) -> pl.Expr:
        """Return whether ``regex`` matches ``text``, read as ``sparse`` says."""
        return _found(text, regex) if self.sparse else text.str.contains(regex)

    def contains(self, regex: str) -> pl.Expr:
        """Return whether ``regex`` matches.

        A regex without a stand-in form that is an alternation is searched a branch at a time,
        each in its own best way (a lexicon on the copy, a class of emoji on the original).
        """
        copy_form = _copy_form(regex)
        branches = _branches(regex) if copy_form is None else []
        if len(branches) > 1:
            return pl.any_horizontal(self.contains(branch) for branch in branches)
        gate = None if copy_form is not None or self.sparse else _gate(regex)
        if gate is not None and _WORD_BOUNDARY.search(regex) and not _matches_empty(regex):
            # str.contains reads every row's string, null or not: a row that cannot match is
            # read as an empty string, where the regex does not match either.
            may_match = self._may_match(gate) | self.original.is_null()
            return pl.when(may_match).then(self.original).otherwise(pl.lit("")).str.contains(regex)
        if self.sparse or copy_form is None:
            return self._search(regex, _found, False)
        return self.folded.str.contains(copy_form)

    def count_matches(self, regex: str) -> pl.Expr:
        """Return how many times ``regex`` matches (non-overlapping, as on the original)."""
        return self._search(regex, lambda text, rx: text.str.count_matches(rx), 0)

    def extract(self, regex: str, group: int) -> pl.Expr:
        """Return capture ``group`` of the first match, from the copy when the regex allows it.

        The copy keeps every character a character, a word character a word character and a
        space a space, so the result serves to count words or characters, never as evidence.
        """
        return self._search(regex, lambda text, rx: text.str.extract(rx, group))

    def extract_all(self, regex: str) -> pl.Expr:
        """Return every match of ``regex`` in the original text (as evidence may use them).

        Only the rows where the regex (or its gate) matches the copy are searched: the others
        read as the search would read them, an empty list (null for a null text).
        """
        copy_form, gate = _copy_form(regex), _gate(regex)
        if copy_form is not None:
            may_match = self._matches(self.folded, copy_form)
        elif gate is not None:
            may_match = self._may_match(gate)
        else:
            return self.original.str.extract_all(regex)
        found = pl.when(may_match).then(self.original).str.extract_all(regex)
        none = pl.lit([], dtype=pl.List(pl.String))
        return pl.when(self.original.is_not_null()).then(found.fill_null(none))

    def slice(self, offset: int, length: int) -> Text:
        """Return ``length`` characters from ``offset`` of both texts (the same characters)."""
        return Text(self.original.str.slice(offset, length), self.folded.str.slice(offset, length))

    def replace_all(self, regex: str, replacement: str) -> Text:
        """Return both texts with every match of ``regex`` replaced by ``replacement``.

        ``replacement`` must read the same in the copy (ASCII, no capital letters): the copy is
        rewritten with the stand-in form, or made again after the original is rewritten.
        """
        if fold_literal(replacement) != replacement or copy_literal(replacement) is None:
            raise ValueError(f"replacement {replacement!r} changes when folded")
        copy_form = _copy_form(regex)
        if copy_form is None:
            original = self.original.str.replace_all(regex, replacement)
            return Text(original, detection_copy(original))
        # Rows without one of the regex's required literals hold no match: they are kept as
        # they are instead of being copied by a search (``transforms.scan``).
        may_match = candidates(self.folded, copy_form)
        original = gate(self.original, regex, may_match).str.replace_all(regex, replacement)
        folded = gate(self.folded, copy_form, may_match).str.replace_all(copy_form, replacement)
        return Text(pl.coalesce(original, self.original), pl.coalesce(folded, self.folded))

    def find(self, regex: str) -> pl.Expr:
        """Return the byte offset of the first match in the original text, null without one.

        On a plain row (``is_plain``) an offset in the copy is one in the original. Elsewhere
        the copy is ASCII but for digits outside ASCII (kept as they are): where it is, the
        offset in the copy counts characters of the original, turned into bytes; the few other
        rows search the original.
        """
        copy_form = _copy_form(regex)
        if copy_form is None:
            return self._search(regex, lambda text, rx: text.str.find(rx))
        plain = self._plain_rows()
        # Each search reads only its own rows (str.find skips nulls): one pass over the column.
        on_plain = pl.when(plain).then(self.folded).str.find(copy_form)
        wide_copy = pl.when(~plain).then(self.folded)
        ascii_copy = is_ascii(wide_copy)
        chars = pl.when(ascii_copy).then(wide_copy).str.find(copy_form)
        on_copy = pl.when(ascii_copy).then(self.original).str.head(chars).str.len_bytes()
        on_original = pl.when(~ascii_copy).then(self.original).str.find(regex)
        return (
            pl.when(plain)
            .then(on_plain)
            .when(ascii_copy)
            .then(on_copy)  # null where the copy holds no match (head of null is null)
            .otherwise(on_original)
        )


#: A word boundary (``\b``, ``\B``, ``\<``, ``\>``): what makes a search of a text outside ASCII slow.
_WORD_BOUNDARY = re.compile(r"(?<!\\)(?:\\\\)*\\[bB<>]")


def _branches(regex: str) -> list[str]:
    """Return the top-level alternatives of ``regex``, each with the flags set at its start."""
    flags = re.match(r"\(\?[a-zA-Z]+\)", regex)
    head = flags.group() if flags else ""
    parts, depth, start, i = [], 0, len(head), len(head)
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i += 1 + len(_class_body(regex, i + 1))
            continue
        if not depth and re.match(r"\(\?[a-zA-Z-]+\)", regex[i:]):
            return [regex]  # flags set here hold in the later branches too
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and not depth:
            parts.append(head + regex[start:i])
            start = i + 1
        i += 1
    return [*parts, head + regex[start:]]


@cache
def _matches_empty(regex: str) -> bool:
    """Return whether ``regex`` matches the empty string."""
    return bool(pl.Series([""]).str.contains(regex).item())


def _copy_form(regex: str) -> str | None:
    """Return the regex's form for the stand-in copy, None when it has none."""
    plain_form = detection(regex)
    return None if plain_form is None else stand_in_form(plain_form)


@cache
def _gate(regex: str) -> str | None:
    """Return a regex matching the copy wherever ``regex`` matches the original, or None."""
    relaxed = detection(regex, relaxed=True)
    return None if relaxed is None else gate_form(relaxed)


def _found(text: pl.Expr, regex: str) -> pl.Expr:
    """Return whether ``regex`` matches, reading only the texts that are not null."""
    return pl.when(text.is_not_null()).then(text.str.find(regex).is_not_null())


def lowered_name(column: str) -> str:
    """Return the name of the folded scratch copy of ``column``."""
    return f"__folded_{column}"


def ascii_name(column: str) -> str:
    """Return the name of the scratch column saying whether each text of ``column`` is plain
    ASCII (``transforms.stand_in.is_plain``)."""
    return f"__ascii_{column}"


def with_lowered(turns: pl.LazyFrame, *columns: str) -> tuple[pl.LazyFrame, list[str]]:
    """Return ``turns`` with the folded copies of ``columns`` it lacks, and the names added.

    Each copy (``detection_copy``) comes with a column saying which texts are plain ASCII
    (``ascii_name``), computed once for every search that splits rows by script. Columns absent from ``turns`` are skipped
    (the labeller's own check names them). A labeller drops the names it added;
    ``transforms.label_frame`` adds every copy once up front, so each family finds them there
    and adds none.
    """
    present = set(turns.collect_schema().names())
    missing = [c for c in columns if c in present and lowered_name(c) not in present]
    if not missing:
        return turns, []
    turns = turns.with_columns(
        is_plain(pl.col(c).cast(pl.String)).alias(ascii_name(c)) for c in missing
    )
    turns = turns.with_columns(
        _spelled_copy(pl.col(c).cast(pl.String), pl.col(ascii_name(c))).alias(lowered_name(c))
        for c in missing
    )
    # Only the copies still holding a character outside ASCII need the class stand-ins.
    turns = turns.with_columns(_class_copy(c).alias(lowered_name(c)) for c in missing)
    return turns, [name for c in missing for name in (lowered_name(c), ascii_name(c))]
