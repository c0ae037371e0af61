"""Tests of transforms.stand_in: texts with characters outside ASCII searched on an ASCII copy.

The proof is character by character over every Unicode scalar value, as for folding
(``test_lexicon_casefold``): a regex ``stand_in_form`` accepts is built from literal ASCII
characters that are not stand-ins, the characters of ``SPELLED`` (rewritten to their stand-ins),
the classes ``\\w \\W \\s \\S \\d \\D . \\p{Nd}``, the POSIX classes of ``_SAFE_POSIX``, ranges of
ASCII over no stand-in, and assertions that read only ``\\w`` (``\\b``) or line ends. If each of
those holds a character exactly when it holds the character's stand-in, the regex matches the
copy exactly where it matches the folded text, at the same character offsets.
"""

from __future__ import annotations

import polars as pl
import pytest

from transforms.casefold import Text, detection, detection_copy, fold, with_lowered
from transforms.lexicon import LEXICON_DIR, pattern
from transforms.stand_in import (
    _RESERVED,
    _SAFE_POSIX,
    SPELLED,
    STAND_IN,
    gate_form,
    stand_in_form,
)


@pytest.fixture(scope="module")
def every_character() -> pl.DataFrame:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and c != 0x0A]
    frame = pl.DataFrame({"c": chars}).with_columns(folded=fold(pl.col("c")))
    return frame.with_columns(copy=detection_copy(pl.col("folded")))


def test_each_character_stands_in_as_one_character(every_character: pl.DataFrame) -> None:
    assert every_character["copy"].str.len_chars().unique().to_list() == [1]
    kept = every_character.filter(~pl.col("copy").str.contains(r"^[\x00-\x7f]$"))
    # Only digits outside ASCII are kept as they are (no ASCII character is \d and not [0-9]).
    assert kept["copy"].str.contains(r"^\d$").all()


@pytest.mark.parametrize(
    "cls",
    [
        r"\w",
        r"\W",
        r"\s",
        r"\S",
        r"\d",
        r"\D",
        r".",
        r"\p{Nd}",
        r"[^.?!\n]",
        *(f"[[:{name}:]]" for name in sorted(_SAFE_POSIX)),
    ],
)
def test_classes_hold_a_character_exactly_when_they_hold_its_stand_in(
    every_character: pl.DataFrame, cls: str
) -> None:
    out = every_character.select(
        before=pl.col("folded").str.contains(f"^{cls}$"),
        after=pl.col("copy").str.contains(f"^{stand_in_form(cls)}$"),
    )
    assert out.filter(pl.col("before") != pl.col("after")).height == 0


#: Characters the regex syntax reads as operators, escaped to be read as themselves.
_META = set("\\.+*?()|[]{}^$#&-~ ")


def test_literals_match_a_character_exactly_when_they_match_its_stand_in(
    every_character: pl.DataFrame,
) -> None:
    # Every ASCII character a regex may spell, and every character of SPELLED.
    spellable = [chr(c) for c in range(0x80) if chr(c) not in _RESERVED | {"\n"}]
    for char in [*spellable, *SPELLED]:
        regex = stand_in_form("^" + ("\\" + char if char in _META else char) + "$")
        assert regex is not None, char
        out = every_character.select(
            before=pl.col("folded") == char, after=pl.col("copy").str.contains(regex)
        )
        assert out.filter(pl.col("before") != pl.col("after")).height == 0, repr(char)


def test_stand_in_form_rewrites_spelled_characters_and_refuses_what_it_cannot_keep() -> None:
    assert stand_in_form(r"\bcan['’]t\b|“[^”]*”") == r"\bcan['\x01]t\b|\x03[^\x04]*\x04"
    assert stand_in_form(r"(?P<user_name>\w+)[a-z0-9 -]") == r"(?P<user_name>\w+)[a-z0-9 -]"
    assert stand_in_form(r"caf[eé]") is None  # "é" shares its stand-in with every letter
    assert stand_in_form(r"[\W_]") is None  # "_" stands in for "é"
    assert stand_in_form(r"[!-~]") is None  # a range over "_"
    assert stand_in_form(r"[[:word:]]") is None
    assert stand_in_form(r"\p{P}") is None
    assert stand_in_form(r"(?-u:\b)x") is None
    assert stand_in_form(r"\x{1f600}") is None


def test_gate_form_matches_wherever_the_regex_matches() -> None:
    texts = ["under_18: yes", "ünder 18", "😀 lol", "it’s naïve", "plain words", None]
    df = pl.DataFrame({"t": texts}).with_columns(copy=detection_copy(pl.col("t")))
    for regex in [r"\bunder[_ -]?18\b", r"[\x{1f600}-\x{1f64f}]", r"na[iï]ve", r"[\W_]+s\b"]:
        gate = gate_form(regex)
        assert gate is not None, regex
        out = df.select(
            exact=pl.col("t").str.contains(regex), gate=pl.col("copy").str.contains(gate)
        )
        assert out.filter(pl.col("exact") & ~pl.col("gate")).height == 0, regex


_TEXTS = [
    "I’m SORRY, but I can’t help; “maybe” later — call 911. Kill -9 the process!",
    "Café Müller: ΟΔΟΣ ſtraße İstanbul, 5 € or £4… you’re right 👍 lol",
    "Sure!\u00a0Here\u00a0you go: I cannot help with THAT, as an AI.",
    "Прошу: ٣ apples, １２ pears; may 3rd, May 3rd; she can sue_me",
    "I'm sorry, but I can't help. Obviously it's fine.",
    "",
    None,
]


@pytest.mark.parametrize("name", sorted(p.stem for p in LEXICON_DIR.glob("*.txt")))
def test_every_lexicon_reads_the_same_on_the_copy(name: str) -> None:
    regex = pattern(name)
    lf, _ = with_lowered(pl.LazyFrame({"t": _TEXTS}), "t")
    text = Text.of("t")
    out = lf.select(
        has=text.contains(regex),
        has_expected=pl.col("t").str.contains(regex),
        n=text.count_matches(regex),
        n_expected=pl.col("t").str.count_matches(regex),
        at=text.find(regex),
        at_expected=pl.col("t").str.find(regex),
        sparse=text.when(pl.lit(True)).contains(regex),
    ).collect()
    assert out["has"].to_list() == out["has_expected"].to_list()
    assert out["sparse"].to_list() == out["has_expected"].to_list()
    assert out["n"].to_list() == out["n_expected"].to_list()
    assert out["at"].to_list() == out["at_expected"].to_list()
    # Every lexicon is searched on the copy, exactly or behind a gate.
    fast = detection(regex)
    assert (fast is not None and stand_in_form(fast) is not None) or gate_form(
        detection(regex, relaxed=True) or ""
    ) is not None


def test_find_gives_byte_offsets_of_the_original_on_every_kind_of_row() -> None:
    rows = ["naïve — I CANNOT help", "I cannot", "٣ so I cannot", "x\x01 I cannot", None]
    lf, _ = with_lowered(pl.LazyFrame({"r": rows}), "r")
    out = lf.select(
        at=Text.of("r").find(r"(?i)\bcannot\b"),
        expected=pl.col("r").str.find(r"(?i)\bcannot\b"),
        copy=pl.col("__folded_r"),
    ).collect()
    assert out["at"].to_list() == [13, 2, 8, 5, None]
    assert out["at"].to_list() == out["expected"].to_list()
    # The copy: stand-ins for letters, dashes; a kept digit; a control made a stand-in.
    assert out["copy"].to_list()[0] == "na_ve \x05 i cannot help"
    assert out["copy"].to_list()[2] == "٣ so i cannot"
    assert out["copy"].to_list()[3] == "x\x1a i cannot"


def test_regex_without_stand_in_form_is_searched_behind_its_gate() -> None:
    rows = ["In May we met", "in may we met", "Ún May", "Über 😀 met", None]
    lf, _ = with_lowered(pl.LazyFrame({"r": rows}), "r")
    month = r"(?i)(?:\bin (?-i:May)|[\x{1f600}-\x{1f64f}] met)\b"
    out = lf.select(
        has=Text.of("r").contains(month),
        n=Text.of("r").count_matches(month),
        at=Text.of("r").find(month),
        got=Text.of("r").extract(month, 0),
        expected=pl.col("r").str.extract(month, 0),
    ).collect()
    assert out["got"].to_list() == out.drop_in_place("expected").to_list()
    assert out.rows() == [
        (True, 1, 0, "In May"),
        (False, 0, None, None),
        (False, 0, None, None),
        (True, 1, 6, "😀 met"),
        (None, None, None, None),
    ]


def test_replace_all_keeps_the_copy_a_copy() -> None:
    lf, _ = with_lowered(pl.LazyFrame({"r": ["Il a dit “PEUT-ÊTRE” — oui", None]}), "r")
    unquoted = Text.of("r").replace_all(r'"[^"\n]*"|“[^”]*”', " ")
    out = lf.select(
        original=unquoted.original,
        copy=unquoted.folded,
        expected=detection_copy(unquoted.original),
    ).collect()
    assert out["original"].to_list() == ["Il a dit   — oui", None]
    assert out["copy"].to_list() == out["expected"].to_list()
    with pytest.raises(ValueError, match="changes when folded"):
        Text.of("r").replace_all("x", "’")
    assert STAND_IN["’"] == "\x01"


_MIXED = ["Müller et al. (2019) 😀", "see Smith et al. 2020", "lol, naïve", "ok 🙂", "plain", None]


def test_extract_all_searches_only_rows_the_copy_may_match() -> None:
    lf, _ = with_lowered(pl.LazyFrame({"r": _MIXED}), "r")
    citation = r"\b(?-i:[A-Z][\p{L}'’-]+) et al\.?,? \(?(?:19|20)\d{2}\)?"
    out = lf.select(
        got=Text.of("r").extract_all(citation), expected=pl.col("r").str.extract_all(citation)
    ).collect()
    assert out["got"].to_list() == out["expected"].to_list()
    assert out["got"].to_list()[:3] == [["Müller et al. (2019)"], ["Smith et al. 2020"], []]


def test_alternation_without_stand_in_form_is_read_branch_by_branch() -> None:
    lf, _ = with_lowered(pl.LazyFrame({"r": _MIXED}), "r")
    casual = r"(?i)\b(?:lol|omg)\b|[\x{1F600}-\x{1F64F}]"
    out = lf.select(
        got=Text.of("r").contains(casual), expected=pl.col("r").str.contains(casual)
    ).collect()
    assert out["got"].to_list() == [True, False, True, True, False, None]
    assert out["got"].to_list() == out["expected"].to_list()


def test_relaxed_detection_reads_every_letter_case_insensitively() -> None:
    assert detection(r"(?i)(?-i:[A-Z]\p{L}+) et al", relaxed=True) == r"(?:[a-z]\p{L}+) et al"
    # A letter property in a negated class is no superset once folded ("\u0345" becomes a letter).
    assert detection(r"(?i)[^\p{L}]+", relaxed=True) is None
    assert detection(r"(?i)(?-i:[A-Z]\p{L}+)") is None


@pytest.mark.parametrize(
    "regex",
    [
        r"(?i)\bin (?-i:May)\b",  # a gate: case relaxed
        r"(?i)(?:\bin (?-i:May))?",  # matches the empty string: every row is a candidate
        r"(?i)^[\W_]*(?:sure|ok)\b",  # spells "_", a stand-in
        r"(?i)\bcaf[eé]\b",  # spells a letter outside ASCII
        r"(?i)\b(?-i:[A-Z]\p{L}+) et al\b",
    ],
)
def test_searches_behind_a_gate_read_as_on_the_original(regex: str) -> None:
    rows = [*_TEXTS, *_MIXED, "In May", "_sure thing", "Café au lait", "¡Sure! café"]
    lf, _ = with_lowered(pl.LazyFrame({"r": rows}), "r")
    text = Text.of("r")
    out = lf.select(
        has=text.contains(regex),
        sparse=text.when(pl.lit(True)).contains(regex),
        n=text.count_matches(regex),
        at=text.find(regex),
        got=text.extract(regex, 0),
        has_expected=pl.col("r").str.contains(regex),
        n_expected=pl.col("r").str.count_matches(regex),
        at_expected=pl.col("r").str.find(regex),
        got_expected=pl.col("r").str.extract(regex, 0),
    ).collect()
    for name in ("has", "n", "at", "got"):
        assert out[name].to_list() == out[f"{name}_expected"].to_list(), name
    assert out["sparse"].to_list() == out["has_expected"].to_list()
