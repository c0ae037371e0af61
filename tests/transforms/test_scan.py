"""Tests of transforms.scan: required literals of a regex, and gating that never changes a result."""

from __future__ import annotations

import random
import re
from re import _constants as sre
from re import _parser as sre_parse

import polars as pl
import pytest
from polars.testing import assert_series_equal

from transforms import bias, domain, intent, refusal, truthfulness
from transforms.casefold import Text, detection, fold, fold_literal
from transforms.lexicon import LEXICON_DIR, pattern
from transforms.scan import (
    _python_syntax,
    candidates,
    choose,
    gate,
    leaves,
    literal_tree,
    required_literals,
)


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        # One literal: itself.
        ("refuse", ("refuse",)),
        # Alternation: one literal per branch.
        (r"\b(?:sorry|apologi[sz]e)\b", ("apologise", "apologize", "sorry")),
        # Concatenation: the parts that are always there, joined when short enough.
        (r"\bi (?:can't|cannot) help\b", ("i can't help", "i cannot help")),
        # An optional part is expanded (and "very rare" holds "rare"); a repeated one only keeps
        # what it requires.
        (r"(?:very )?(?:rare|scarce)", ("rare", "scarce")),
        (r"(?:in|with) (?:very )?rare", ("in rare", "in very rare", "with rare", "with very rare")),
        (r"\d+ mg\b", (" mg",)),
        # The last copy of a repeated part precedes what follows it.
        (r"(?:ab)+c", ("abc",)),
        (r"\bxxx+", ("xxx",)),
        # A literal that contains another is dropped: the shorter one already gates.
        (r"note|notes|footnote", ("note",)),
        # Rust syntax that Python reads otherwise is read as Rust means it.
        # The longer literals win over the one-character "?".
        (r"(?-u:\b)wh(?:o|ich)(?-u:\b)[^?]*\?", ("which", "who")),
        (r"[[:word:]]+ly\b", ("ly",)),
        (r"[\p{L}\p{N}]+ et al\.", (" et al.",)),
        (r"(?s)^(.*?)\bsorry\b", ("sorry",)),
        (r"(?<name>abc)", ("abc",)),
    ],
)
def test_required_literals(regex: str, expected: tuple[str, ...]) -> None:
    assert required_literals(regex) == expected


@pytest.mark.parametrize(
    "regex",
    [
        r"\S+",  # nothing is required
        r"sorry|\w+",  # one branch requires nothing
        r"(?:sorry)?",  # optional as a whole
        r"(?i)sorry",  # case-insensitive: literals would not be the ones searched
        r"(?x)so rry",  # verbose: spaces are not literals
        r"[a[bc]]x",  # a nested class (Rust) that Python would read as a literal "["
        r"[a&&b]x",  # a class set operation
        r"\x{41}",  # an escape Python does not read
        r"(?P<a>x)(?P=a)",  # a back-reference
        r"(unclosed",  # not a regex
    ],
)
def test_no_required_literals(regex: str) -> None:
    assert required_literals(regex) is None


def test_candidates_and_gate_keep_nulls_and_skip_rows() -> None:
    regex = r"\b(?:sorry|cannot help)\b"
    df = pl.DataFrame({"t": ["i'm sorry", "here you go", None, "i cannot help you"]})
    out = df.select(
        may=candidates(pl.col("t"), regex),
        gated=gate(pl.col("t"), regex),
        found=gate(pl.col("t"), regex).str.contains(regex),
    )
    assert out["may"].to_list() == [True, False, None, True]
    assert out["gated"].to_list() == ["i'm sorry", None, None, "i cannot help you"]
    assert out["found"].to_list() == [True, None, None, True]
    assert candidates(pl.col("t"), r"\w+") is None


def test_text_replace_all_rewrites_only_matching_rows() -> None:
    df = pl.DataFrame({"t": ['He said "maybe" once', "No QUOTES here", None, "Ünïcode “perhaps”"]})
    text = Text.folding(pl.col("t")).replace_all(r'"[^"\n]*"|“[^”]*”', " ")
    out = df.select(original=text.original, folded=text.folded)
    assert out["original"].to_list() == ["He said   once", "No QUOTES here", None, "Ünïcode  "]
    # The copy holds stand-ins for the characters outside ASCII (transforms.stand_in).
    assert out["folded"].to_list() == ["he said   once", "no quotes here", None, "_n_code  "]


# --- Property: on random texts, gating by the required literals never changes a result. ---

_POOL = "abcdefghijklmnopqrstuvwxyz  ,.'’\"?!\n0123456789-éßſΣİ"
_CATEGORY_SAMPLES = {
    sre.CATEGORY_DIGIT: "0123456789",
    sre.CATEGORY_SPACE: " \n\t",
    sre.CATEGORY_WORD: "abz_09é",
}


def _sample(items: object, rng: random.Random) -> str:
    """Return a random string that the parsed regex ``items`` may match (boundaries ignored)."""
    out = []
    for op, arg in items:  # type: ignore[attr-defined]
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op in (sre.NOT_LITERAL, sre.ANY):
            out.append(rng.choice(_POOL))
        elif op is sre.IN:
            choices = []
            for kind, value in arg:
                if kind is sre.LITERAL:
                    choices.append(chr(value))
                elif kind is sre.RANGE:
                    choices.append(chr(rng.randint(*value)))
                elif kind is sre.CATEGORY:
                    choices.extend(_CATEGORY_SAMPLES.get(value, _POOL))
            out.append(rng.choice(choices or list(_POOL)))
        elif op is sre.BRANCH:
            out.append(_sample(rng.choice(arg[1]), rng))
        elif op is sre.SUBPATTERN:
            out.append(_sample(arg[3], rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, sub = arg
            out.extend(_sample(sub, rng) for _ in range(rng.randint(low, min(high, low + 2))))
    return "".join(out)


def _shipped_regexes() -> list[str]:
    """Return the regexes of every shipped lexicon and of the labellers' compounds, as written."""
    regexes = [pattern(path.stem) for path in sorted(LEXICON_DIR.glob("*.txt"))]
    regexes += [
        refusal._OPENING + pattern("refusal_implicit"),
        rf"(?s)^(.*?){pattern('refusal_decline', 'refusal_inability')}",
        domain._advice_regex()[1],
        truthfulness._certainty_regex()[1],
        truthfulness._QUOTED,
        bias.stereotype_regex(),
        *intent._category_regexes(),
    ]
    return regexes


def _detection_regexes() -> list[str]:
    """Return the detection forms of the shipped regexes that have required literals."""
    regexes = map(detection, _shipped_regexes())
    return [d for d in regexes if d is not None and required_literals(d)]


def _random_texts(regexes: list[str], rng: random.Random, case_matters: bool) -> list[str | None]:
    """Return texts holding samples of matches of ``regexes`` amid noise, and noise alone."""
    texts: list[str | None] = [None, ""]
    for regex in regexes:
        parsed = sre_parse.parse(_python_syntax(regex, case_matters))
        for _ in range(8):
            noise = "".join(rng.choice(_POOL) for _ in range(rng.randint(0, 30)))
            sample = _sample(parsed.data, rng)
            gap = rng.choice(("", " "))  # next to noise letters a sample may miss its word boundary
            half = len(noise) // 2
            texts.append(f"{noise[:half]}{gap}{sample}{gap}{noise[half:]}")
            texts.append(noise)  # mostly no literal at all
    # Upper-cased copies go through the same folding as the labellers' texts.
    return texts + [t.upper() for t in texts[2:] if t is not None and rng.random() < 0.2]


def test_gating_never_changes_a_result_on_random_texts() -> None:
    rng = random.Random(20261127)
    regexes = _detection_regexes()
    assert len(regexes) > 100
    texts = _random_texts(regexes, rng, case_matters=True)
    df = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(fold(pl.col("t")))
    matched_somewhere = 0
    for regex in regexes:
        gated = gate(pl.col("t"), regex)
        out = df.select(
            contains=pl.col("t").str.contains(regex),
            gated_contains=pl.when(candidates(pl.col("t"), regex))
            .then(gated.str.contains(regex))
            .otherwise(candidates(pl.col("t"), regex)),
            count=pl.col("t").str.count_matches(regex),
            gated_count=gated.str.count_matches(regex).fill_null(0),
            find=pl.col("t").str.find(regex),
            gated_find=gated.str.find(regex),
        )
        assert_series_equal(out["contains"], out["gated_contains"], check_names=False)
        assert_series_equal(
            out["count"].fill_null(0), out["gated_count"], check_names=False, check_dtypes=False
        )
        assert_series_equal(out["find"], out["gated_find"], check_names=False)
        matched_somewhere += bool(out["contains"].any())
    # The generated texts do exercise the regexes: most of them match somewhere.
    assert matched_somewhere > 0.8 * len(regexes)


@pytest.mark.parametrize("folding", [False, True], ids=["detection", "folded"])
def test_every_choice_of_literals_is_held_by_every_match(folding: bool) -> None:
    # Any choice the tree offers (a part of each concatenation, every branch of an alternation)
    # is a necessary condition: random preferences make random choices. ``folding``: regexes as
    # written (case-insensitive) on the original texts, literals looked for in the folded text
    # (``intent_gate``); otherwise detection regexes and literals both on the folded text.
    rng = random.Random(20261128)
    regexes = _shipped_regexes() if folding else _detection_regexes()
    trees = {regex: literal_tree(regex, fold_literal if folding else None) for regex in regexes}
    regexes = [regex for regex, tree in trees.items() if tree is not None]
    assert len(regexes) > 100
    df = pl.DataFrame(
        {"t": _random_texts(regexes, rng, case_matters=not folding)}, schema={"t": pl.String}
    )
    df = df.with_columns(folded=fold(pl.col("t")))
    searched = pl.col("t") if folding else pl.col("folded")
    matched_somewhere = 0
    for regex in regexes:
        preference = {literal: rng.random() for literal in leaves(trees[regex])}
        literals = choose(trees[regex], lambda lits, p=preference: min(p[s] for s in lits))
        out = df.select(
            hit=searched.str.contains(regex),
            held=pl.col("folded").str.contains_any(sorted(literals)),
        )
        assert out.filter(pl.col("hit") & ~pl.col("held")).height == 0, regex[:80]
        matched_somewhere += bool(out["hit"].any())
    assert matched_somewhere > 0.8 * len(regexes)


def test_python_syntax_reads_rust_classes_as_wider() -> None:
    assert re.fullmatch(_python_syntax(r"[[:word:]]+"), "abc")
    assert re.fullmatch(_python_syntax(r"\p{L}+"), "été")
    assert re.fullmatch(_python_syntax(r"(?-u:\b)x(?-u:\b)"), "x")
