r"""The detection copy of a text in ASCII: each character outside ASCII replaced by a stand-in.

The regex engine's fast automaton cannot decide a Unicode word boundary (``\b``) at a character
outside ASCII: at the first such byte it gives the search up to a much slower engine, so a
reply with one curly apostrophe, accented name or emoji cost about 1.7 ms per turn against
microseconds for an ASCII one. The detection copy (``transforms.casefold``: the text folded to
lower case) is therefore written in ASCII, one character for one, so offsets in characters
are kept:

- a character a detection regex spells (``SPELLED``: curly quotes, dashes, bullets ...) becomes
  its own control character, and the regex is rewritten to spell that control character
  (``stand_in_form``);
- any other word character becomes "_" (``\w``, not ``\d``), a space "\x0b" (``\s``), and
  anything else "\x1a" (neither): the classes and word boundaries of a regex see the stand-in
  exactly as they saw the character, as long as the regex does not spell the stand-in itself
  or a character outside ASCII it does not keep, nor use a class that tells them apart
  (``[[:word:]]``, ``\p{P}``, a range over them); ``stand_in_form`` refuses such a regex
  (None), which is then searched on the original text, only in the rows where its
  ``gate_form`` (matching wherever it matches, perhaps elsewhere) matches the copy;
- digits outside ASCII (``\d`` but not ``[0-9]``) are kept as they are: exact, only slower.

Control characters used as stand-ins for ``SPELLED`` that occur in a text are themselves
replaced by "\x1a"; a text made of ASCII without them (``is_plain``) is its own stand-in copy.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from transforms.lexicon import class_opening, is_ascii

#: Characters outside ASCII that detection regexes spell: typographic quotes and dashes, and
#: the symbols a lexicon may plausibly spell. Each has its own stand-in; a regex spelling
#: another is searched behind a gate (``gate_form``).
SPELLED = "’‘“”—–•…€£«»"

#: The control characters standing in for ``SPELLED``, in order (none is a space). Twelve,
#: so that a text is checked for them in four searches of three bytes (``is_plain``), each far
#: faster than one search for more.
_CONTROLS = [chr(c) for c in (*range(0x01, 0x09), *range(0x0E, 0x12))]
#: Each character of ``SPELLED`` with its stand-in.
STAND_IN = dict(zip(SPELLED, _CONTROLS, strict=True))

#: Stand-ins of the other characters outside ASCII: word characters, spaces, the rest.
WORD, SPACE, OTHER = "_", "\x0b", "\x1a"

#: The replacements made character for character before the classes (``class_stand_ins``):
#: ``SPELLED`` to their stand-ins, and the controls standing in for them to ``OTHER``. Curly
#: quotes and dashes are most of what replies hold outside ASCII: most copies need no more.
SPELLED_STAND_INS = {**STAND_IN, **dict.fromkeys(_CONTROLS, OTHER)}

#: Characters a regex searched on the copy must not spell: each stands for others there.
_RESERVED = frozenset(_CONTROLS) | {WORD, SPACE, OTHER}

#: POSIX classes (ASCII only) that hold none of the stand-ins.
_SAFE_POSIX = frozenset({"alpha", "alnum", "digit", "xdigit", "lower", "upper", "blank"})

#: Escapes a stand-in regex may keep as they are: classes and assertions that see each stand-in
#: as they see the characters it stands for, and ASCII characters that are not stand-ins.
_SAFE_ESCAPES = frozenset("wWsSdDbBAz<>ntrf")


def is_plain(text: pl.Expr) -> pl.Expr:
    """Return whether each text is its own stand-in copy: ASCII without stand-in controls."""
    controls = (text.str.contains_any(_CONTROLS[i : i + 3]) for i in range(0, len(_CONTROLS), 3))
    return is_ascii(text) & ~pl.any_horizontal(controls)


def stand_ins(folded: pl.Expr) -> pl.Expr:
    r"""Return ``folded`` with every character outside ASCII replaced by its stand-in.

    >>> df = pl.DataFrame({"t": ["it’s café\u00a0time 👍", "٣ ok", None]})
    >>> df.select(stand_ins(pl.col("t")))["t"].to_list()
    ['it\x01s caf_\x0btime \x1a', '٣ ok', None]
    """
    return class_stand_ins(folded.str.replace_many(SPELLED_STAND_INS))


def class_stand_ins(text: pl.Expr) -> pl.Expr:
    """Return ``text`` (after ``SPELLED_STAND_INS``) with the stand-ins of word characters,
    spaces and the rest outside ASCII; digits outside ASCII are kept."""
    return (
        text.str.replace_all(r"[\w--\d--[\x00-\x7f]]", WORD)
        .str.replace_all(r"[\s--[\x00-\x7f]]", SPACE)
        .str.replace_all(r"[^\w\s\x00-\x7f]", OTHER)
    )


def copy_literal(text: str) -> str | None:
    """Return ``text`` as the stand-in copy reads it when that is ``text`` itself, else None.

    Only such a string may be written into both a text and its copy (a replacement).
    """
    return text if text.isascii() and not set(text) & set(_CONTROLS) else None


class _NoStandInForm(Exception):
    """The regex tells apart characters that share a stand-in, or spells a stand-in."""


@cache
def stand_in_form(regex: str) -> str | None:
    r"""Return the form of a detection regex that finds the same matches on the stand-in copy.

    ``regex`` is a detection form (``casefold.detection``: lower case, no case flags). Each
    character of ``SPELLED`` becomes an escape of its stand-in; None when the regex spells
    another character outside ASCII or a stand-in, or holds a class or escape that tells
    stand-ins from what they stand for (the check is by construction, character by character).

    >>> print(stand_in_form(r"\bdon['’]t\b|[^”]+|\w+ \d"))
    \bdon['\x01]t\b|[^\x04]+|\w+ \d
    >>> print(stand_in_form(r"\bunder[_ -]18\b"))
    None
    """
    try:
        return _StandIns(regex, superset=False).run()
    except _NoStandInForm:
        return None


@cache
def gate_form(regex: str) -> str | None:
    r"""Return a regex that matches the stand-in copy wherever ``regex`` matches the folded
    text, and perhaps elsewhere: a necessary condition, for a regex without ``stand_in_form``.

    A character the copy replaces is read as any stand-in it may have become.

    >>> print(gate_form(r"\bunder[_ -]18\b|[\x{1f600}-\x{1f64f}]|é"))
    \bunder[_ -]18\b|[\x{1f600}-\x{1f64f}_\x0b\x1a]|[é_\x0b\x1a]
    """
    try:
        return _StandIns(regex, superset=True).run()
    except _NoStandInForm:
        return None


#: What a character outside ASCII (not in ``SPELLED``) may have become in the copy, inside a
#: class: itself (a digit), or a stand-in of a word character, a space or anything else.
_ANY_STAND_IN = r"_\x0b\x1a"


class _StandIns:
    """One left-to-right pass over a regex, rewriting or refusing what it spells.

    ``superset``: a character outside ASCII may be any stand-in (``gate_form``), and a stand-in
    spelled where no class is negated reads as itself.
    """

    def __init__(self, regex: str, *, superset: bool) -> None:
        self.regex, self.i, self.out = regex, 0, []
        self.superset = superset
        #: The bracketed classes the position is inside: whether each is negated, and whether
        #: it must also hold every stand-in (``_ANY_STAND_IN``, added where it closes).
        self.classes: list[list[bool]] = []
        #: In a class, the previous member when it is a plain character ("" after an escape
        #: naming a character, None otherwise): a "-" after it makes a range.
        self.last: str | None = None

    def run(self) -> str:
        regex = self.regex
        while self.i < len(regex):
            char = regex[self.i]
            if char == "\\":
                self._escape()
            elif self.classes and regex.startswith("[:", self.i) and ":]" in regex[self.i :]:
                self._posix()
            elif char == "[":
                self._open_class()
            elif char == "]" and self.classes:
                _, widen = self.classes.pop()
                self._copy("]")
                if widen:
                    self.out.insert(-1, _ANY_STAND_IN)
            elif self.classes and char == "-" and self.last is not None:
                self._range()
            elif not self.classes and regex.startswith("(?", self.i):
                self._group()
            else:
                self.out.append(self._char(char, char))
                self.i += 1
                self.last = char if self.classes else None
        return "".join(self.out)

    def _copy(self, text: str) -> None:
        self.out.append(text)
        self.i += len(text)
        self.last = None

    def _negated(self) -> bool:
        return any(negated for negated, _ in self.classes)

    def _char(self, char: str, text: str) -> str:
        """Return how the regex on the copy spells ``char``, spelled ``text`` in ``regex``."""
        if char in STAND_IN:
            return f"\\x{ord(STAND_IN[char]):02x}"
        if char.isascii() and char not in _RESERVED:
            return text
        if not self.superset or char in _CONTROLS or self._negated():
            raise _NoStandInForm(char)
        if char.isascii():
            return text  # a stand-in reads as itself: a superset of what the regex matches
        return self._widened(text)

    def _widened(self, text: str) -> str:
        """Return ``text`` (where no class is negated) with every stand-in as an alternative."""
        if not self.classes:
            return f"[{text}{_ANY_STAND_IN}]"
        self.classes[-1][1] = True
        return text

    def _open_class(self) -> None:
        opening = class_opening(self.regex, self.i)
        if self.superset and self.classes:
            raise _NoStandInForm("nested class")
        self.classes.append([opening.startswith("[^"), False])
        self._copy(opening)
        self.last = "]" if opening.endswith("]") else None

    def _escape(self) -> None:
        regex, start = self.regex, self.i
        end = _escape_end(regex, start)
        text, kind = regex[start:end], regex[start + 1 : start + 2]
        if kind in _SAFE_ESCAPES:
            self._copy(text)
            return
        if kind in ("p", "P"):
            # Decimal digits are the one property that puts no stand-in with other characters.
            if text[2:].strip("{}") in ("Nd", "Decimal_Number"):
                self._copy(text)
                return
            if not self.superset or self._negated():
                raise _NoStandInForm(text)
            self.out.append(self._widened(text))
        elif kind in ("x", "u", "U"):
            self.out.append(self._char(chr(int(text[2:].strip("{}"), 16)), text))
        elif kind and not kind.isalnum() and kind.isascii():
            self.out.append(self._char(kind, text))  # an escaped punctuation character
        else:  # \v and \a (stand-ins), or an escape this pass does not know
            raise _NoStandInForm(text)
        self.i = end
        self.last = "" if self.classes else None

    def _posix(self) -> None:
        end = self.regex.index(":]", self.i) + 2
        name = self.regex[self.i + 2 : end - 2].lstrip("^")
        if name not in _SAFE_POSIX and not (self.superset and not self._negated()):
            raise _NoStandInForm(self.regex[self.i : end])
        self._copy(self.regex[self.i : end])

    def _range(self) -> None:
        """Copy a "-" in a class: a range, a set difference, or a literal before "]"."""
        regex, last = self.regex, self.last
        after = regex[self.i + 1 : self.i + 2]
        if after == "]":
            self._copy("-")
            return
        if after == "-" and self.superset:
            raise _NoStandInForm("class set difference")
        if after == "-":
            self._copy("--")
            return
        if self.superset and not self._negated():
            # Any range: its characters outside ASCII may be any stand-in.
            end = _escape_end(regex, self.i + 1) if after == "\\" else self.i + 2
            self._widened("")
            self._copy(regex[self.i : end])
            return
        # A range is kept only between ASCII characters and over no stand-in.
        if not last or not after.isascii() or after in "\\[" or not last.isascii():
            raise _NoStandInForm(f"{last}-{after}")
        if any(last <= c <= after for c in _RESERVED):
            raise _NoStandInForm(f"{last}-{after}")
        self._copy("-" + after)

    def _group(self) -> None:
        """Copy a group opening: its name as it is; the flags that change what classes hold
        are refused."""
        regex, start = self.regex, self.i
        if regex.startswith(("(?P<", "(?<"), start) and regex[start + 3] not in "=!":
            self._copy(regex[start : regex.index(">", start) + 1])
            return
        end = start + 2
        while end < len(regex) and regex[end] not in ":)":
            end += 1
        on, _, off = regex[start + 2 : end].partition("-")
        # Verbose mode reads spaces differently; ASCII mode ("-u") sees only ASCII letters as
        # word characters, which "_" is and what it stands for is not.
        if "x" in on or "u" in off:
            raise _NoStandInForm(regex[start:end])
        self._copy(regex[start : end + 1])


def _escape_end(regex: str, start: int) -> int:
    """Return where the escape starting at ``regex[start]`` (a backslash) ends."""
    kind = regex[start + 1 : start + 2]
    if kind in ("p", "P", "x", "u", "U") and regex.startswith("{", start + 2):
        return regex.index("}", start) + 1
    return start + {"p": 3, "P": 3, "x": 4, "u": 6, "U": 10}.get(kind, 2)
