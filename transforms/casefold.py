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

Only detection runs on the folded text: whether, how often, and (through ``Text.find``) where on
all-ASCII rows. Evidence spans are taken from the original text, since lower-casing changes the
byte length of some characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from transforms.lexicon import is_ascii
from transforms.scan import candidates, gate

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


@cache
def detection(regex: str) -> str | None:
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
    """
    try:
        return _Translator(regex).run()
    except _NoDetectionForm:
        return None


class _Translator:
    """One left-to-right pass over a regex, tracking where ``(?i)`` is in force."""

    def __init__(self, regex: str) -> None:
        self.regex, self.i, self.out = regex, 0, []
        self.insensitive, self.stack = False, []

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
        if self.insensitive and kind in "xuU":
            raise _NoDetectionForm(text)
        if kind in "pP" and text[2:].strip("{}") not in _CASELESS_PROPERTIES:
            raise _NoDetectionForm(text)
        return text

    def _class(self) -> None:
        """Copy a bracketed class, folding its letters and letter ranges."""
        regex = self.regex
        self.out.append("[")
        self.i += 1
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
        if "i" in off or "u" in off:
            raise _NoDetectionForm(flags)
        insensitive = self.insensitive or "i" in on
        kept = on.replace("i", "") + (f"-{off}" if off else "")
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

    ``Text.of(column)`` reads the copy from ``lowered_name(column)`` and whether each text is all
    ASCII from ``ascii_name(column)`` (both added by ``with_lowered``). ``text.str`` is the text
    itself, so code written for a string expression (``text.str.contains(regex)``) runs unchanged
    on a ``Text``. ``text.when(condition)`` narrows every later search to the rows where the
    condition holds: the other rows read null and are not searched (``transforms.scan`` says
    which searches skip null rows and which do not).
    """

    original: pl.Expr
    folded: pl.Expr
    #: Whether each original text is all ASCII, when known (a cached column); else computed.
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
        return cls(text, fold(text))

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

    def _pick(self, regex: str) -> tuple[pl.Expr, str]:
        fast = detection(regex)
        return (self.original, regex) if fast is None else (self.folded, fast)

    def contains(self, regex: str) -> pl.Expr:
        """Return whether ``regex`` matches."""
        text, regex = self._pick(regex)
        if self.sparse:
            return pl.when(text.is_not_null()).then(text.str.find(regex).is_not_null())
        return text.str.contains(regex)

    def count_matches(self, regex: str) -> pl.Expr:
        """Return how many times ``regex`` matches (non-overlapping, as on the original)."""
        text, regex = self._pick(regex)
        return text.str.count_matches(regex)

    def extract(self, regex: str, group: int) -> pl.Expr:
        """Return capture ``group`` of the first match, folded when the regex allows it.

        Folding keeps every character a character, so the result serves to count words or
        characters, never as evidence.
        """
        text, regex = self._pick(regex)
        return text.str.extract(regex, group)

    def slice(self, offset: int, length: int) -> Text:
        """Return ``length`` characters from ``offset`` of both texts (the same characters)."""
        return Text(self.original.str.slice(offset, length), self.folded.str.slice(offset, length))

    def replace_all(self, regex: str, replacement: str) -> Text:
        """Return both texts with every match of ``regex`` replaced by ``replacement``.

        ``replacement`` must read the same folded (no capital letters): the folded copy is
        rewritten with the detection form, or folded again after the original is rewritten.
        """
        if fold_literal(replacement) != replacement:
            raise ValueError(f"replacement {replacement!r} changes when folded")
        fast = detection(regex)
        if fast is None:
            original = self.original.str.replace_all(regex, replacement)
            return Text(original, fold(original))
        # Rows without one of the regex's required literals hold no match: they are kept as
        # they are instead of being copied by a search (``transforms.scan``).
        may_match = candidates(self.folded, fast)
        original = gate(self.original, regex, may_match).str.replace_all(regex, replacement)
        folded = gate(self.folded, fast, may_match).str.replace_all(fast, replacement)
        return Text(pl.coalesce(original, self.original), pl.coalesce(folded, self.folded))

    def find(self, regex: str) -> pl.Expr:
        """Return the byte offset of the first match in the original text, null without one.

        Offsets agree between the texts only on all-ASCII rows; the others search the original.
        """
        fast = detection(regex)
        if fast is None:
            return self.original.str.find(regex)
        ascii_rows = is_ascii(self.original) if self.ascii_rows is None else self.ascii_rows
        # Each search reads only its own rows (str.find skips nulls): one pass over the column.
        on_folded = pl.when(ascii_rows).then(self.folded).str.find(fast)
        on_original = pl.when(~ascii_rows).then(self.original).str.find(regex)
        return pl.when(ascii_rows).then(on_folded).otherwise(on_original)


def lowered_name(column: str) -> str:
    """Return the name of the folded scratch copy of ``column``."""
    return f"__folded_{column}"


def ascii_name(column: str) -> str:
    """Return the name of the scratch column saying whether each text of ``column`` is all ASCII."""
    return f"__ascii_{column}"


def with_lowered(turns: pl.LazyFrame, *columns: str) -> tuple[pl.LazyFrame, list[str]]:
    """Return ``turns`` with the folded copies of ``columns`` it lacks, and the names added.

    Each copy comes with a column saying which texts are all ASCII (``ascii_name``), computed
    once for every search that splits rows by script. Columns absent from ``turns`` are skipped
    (the labeller's own check names them). A labeller drops the names it added;
    ``transforms.label_frame`` adds every copy once up front, so each family finds them there
    and adds none.
    """
    present = set(turns.collect_schema().names())
    missing = [c for c in columns if c in present and lowered_name(c) not in present]
    if not missing:
        return turns, []
    turns = turns.with_columns(
        is_ascii(pl.col(c).cast(pl.String)).alias(ascii_name(c)) for c in missing
    )
    turns = turns.with_columns(
        fold(pl.col(c), pl.col(ascii_name(c))).alias(lowered_name(c)) for c in missing
    )
    return turns, [name for c in missing for name in (lowered_name(c), ascii_name(c))]
