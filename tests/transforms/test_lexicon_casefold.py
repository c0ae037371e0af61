"""Tests of transforms.casefold: detection patterns on folded text find what ``(?i)`` finds.

The proof is character by character over every Unicode scalar value: folding maps each character
to exactly one character, a case-insensitive letter matches a character exactly when its folded
form matches the folded character, and the classes the lexicons use (``\\w``, ``\\s``, ``\\d``,
letters, numbers) hold the same characters before and after folding. A regex built from those
pieces then matches folded text exactly where its ``(?i)`` form matches the original.
"""

from __future__ import annotations

import polars as pl
import pytest

from transforms.casefold import Text, detection, fold, with_lowered
from transforms.lexicon import LEXICON_DIR, load, pattern


@pytest.fixture(scope="module")
def every_character() -> pl.DataFrame:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    frame = pl.DataFrame({"c": chars})
    return frame.with_columns(folded=fold(pl.col("c")))


def _lexicon_letters() -> set[str]:
    entries = (e for path in LEXICON_DIR.glob("*.txt") for e in load(path.stem))
    return {c for entry in entries for c in entry if c.lower() != c.upper()}


def test_folding_maps_each_character_to_one(every_character: pl.DataFrame) -> None:
    assert every_character["folded"].str.len_chars().unique().to_list() == [1]


@pytest.mark.parametrize(
    "cls", [r"\w", r"\W", r"\s", r"\S", r"\d", r"\D", r"\p{N}", r"[^.?!]", r"(?i)[[:word:]]"]
)
def test_classes_hold_the_same_characters_after_folding(
    every_character: pl.DataFrame, cls: str
) -> None:
    out = every_character.select(
        before=pl.col("c").str.contains(f"^{cls}$"),
        after=pl.col("folded").str.contains(detection(f"^{cls}$")),
    )
    assert out.filter(pl.col("before") != pl.col("after")).height == 0


def test_case_insensitive_letters_match_exactly_their_folded_form(
    every_character: pl.DataFrame,
) -> None:
    letters = _lexicon_letters() | set("abcdefghijklmnopqrstuvwxyzσßµſkåİΣ")
    for letter in sorted(letters):
        regex = f"(?i)^{letter}$"
        out = every_character.select(
            before=pl.col("c").str.contains(regex),
            after=pl.col("folded").str.contains(detection(regex)),
        )
        differ = out.filter(pl.col("before") != pl.col("after")).height
        assert differ == 0, f"{letter!r}: {differ} characters differ"


def test_detection_folds_letters_and_keeps_escapes_and_group_names() -> None:
    assert detection(r"(?i)\b(?:Don['’]t|[A-Z]\S+)\B\W") == r"\b(?:don['’]t|[a-z]\S+)\B\W"
    assert detection(r"(?i)(?P<Rest>Kill)\p{N}\d{2}") == r"(?P<Rest>kill)\p{N}\d{2}"
    assert detection(r"(?is)^(.*?)(?m:^)X") == r"(?s)^(.*?)(?m:^)x"
    # Case-sensitive letters before the flag, or inside (?-i:...), have no detection form.
    assert detection(r"^please (?i)\bhelp") is None
    assert detection(r"(?i)\bmay\b|(?-i:May)") is None
    assert detection(r"(?i)\p{Lu}") is None
    assert detection(r"\p{L}+") is None
    assert detection(r"(?i)[[:upper:]]") is None
    # ASCII-only classes and boundaries: long s (U+017F) is not an ASCII letter, folded it is.
    assert detection(r"[[:word:]]") is None
    assert detection(r"(?i)(?-u:\b)who") is None
    assert detection(r"(?i)İ") is None
    # Letter-free case-sensitive parts are fine; the flag's scope ends with its group.
    assert detection(r"^\s*[^.!?\n]*?(?i)\bNo\b") == r"^\s*[^.!?\n]*?\bno\b"
    assert detection(r"(?:(?i)a)B") is None


@pytest.mark.parametrize("name", sorted(p.stem for p in LEXICON_DIR.glob("*.txt")))
def test_every_lexicon_finds_the_same_on_folded_text(name: str) -> None:
    texts = [
        "I'm SORRY, but I CAN'T help; call 911 NOW. Kill -9 the Python process!",
        "ΟΔΟΣ ſtraße İstanbul — Müller et al. (2019) said MAY 3rd: stocks WILL rise.",
        "You SHOULD take 200 mg TWICE a day. I am NOT a lawyer; AS AN AI I cannot.",
        "",
        None,
    ]
    regex = pattern(name)
    fast = detection(regex)
    if fast is None:
        # Only a lexicon with a case-sensitive part lacks a detection form; it is searched as is.
        assert "(?-i" in regex
        return
    df = pl.DataFrame({"t": texts}).with_columns(f=fold(pl.col("t")))
    out = df.select(
        pl.col("t").str.count_matches(regex).alias("before"),
        pl.col("f").str.count_matches(fast).alias("after"),
    )
    assert out["before"].to_list() == out["after"].to_list()


def test_text_searches_folded_copy_and_finds_offsets_of_the_original() -> None:
    lf = pl.LazyFrame({"r": ["Sí, I CANNOT help", "I Cannot", None, "ok"]})
    lf, added = with_lowered(lf, "r")
    assert added == ["__folded_r", "__ascii_r"]
    assert with_lowered(lf, "r")[1] == []
    assert lf.select("__ascii_r").collect()["__ascii_r"].to_list() == [False, True, None, True]
    text = Text.of("r")
    out = lf.select(
        has=text.contains(r"(?i)\bcannot\b"),
        n=text.count_matches(r"(?i)n"),
        at=text.find(r"(?i)cannot"),
        sensitive=text.contains(r"(?-i:Cannot)"),
    ).collect()
    assert out.rows() == [
        (True, 2, 7, False),
        (True, 2, 2, True),
        (None, None, None, None),
        (False, 0, None, False),
    ]


def test_text_replace_all_rewrites_both_copies_alike() -> None:
    lf = pl.LazyFrame({"r": ['He said "MAYBE" but MAY 3 is late', 'Perhaps "so"', None]})
    lf, _ = with_lowered(lf, "r")
    unquoted = Text.of("r").replace_all(r'"[^"\n]*"', " ")
    out = lf.select(
        original=unquoted.original,
        folded=unquoted.folded,
        hedges=unquoted.count_matches(r"(?i)\b(?:maybe|perhaps|may)\b"),
        month=unquoted.count_matches(r"(?-i:MAY) \d"),
    ).collect()
    assert out["original"].to_list() == ["He said   but MAY 3 is late", "Perhaps  ", None]
    assert out["folded"].to_list() == ["he said   but may 3 is late", "perhaps  ", None]
    assert out["hedges"].to_list() == [1, 1, None]
    assert out["month"].to_list() == [1, 0, None]
    with pytest.raises(ValueError, match="changes when folded"):
        Text.of("r").replace_all("x", "X")


def test_text_narrowed_by_when_searches_only_its_rows_with_the_same_answers() -> None:
    lf = pl.LazyFrame({"r": ["Sí, I CANNOT help", "I cannot", None, "ok", "CANNOT"]})
    lf, _ = with_lowered(lf, "r")
    keep = pl.Series([True, False, True, True, True])
    text = Text.of("r").when(pl.lit(keep))
    out = lf.select(
        has=text.contains(r"(?i)\bcannot\b"),
        at=text.find(r"(?i)cannot"),
        n=text.count_matches(r"(?i)n"),
    ).collect()
    # Rows left out by when() read null, like a null text; the others as without when().
    assert out.rows() == [
        (True, 7, 2),
        (None, None, None),
        (None, None, None),
        (False, None, 0),
        (True, 0, 2),
    ]
