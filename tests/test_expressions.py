"""The condition compiler: each operator on a frame with nulls, precedence, every error message."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from spec_audit.errors import UserError
from spec_audit.spec.expressions import compile_expression

# Row 3 is the all-null row: every comparison on it must be null, not false.
SIGNALS = pl.DataFrame(
    {
        "has_reply": [True, True, False, None],
        "refusal": ["none", "full", "partial", None],
        "prompt_intent": ["benign", "harmful", "ambiguous", None],
        "harm_category": ["none", "cyber", "none", None],
        "reply_words": [10, 250, 0, None],
        "prompt_words": [10, 5, 3, None],
        "hedging": [0.0, 2.5, 7.25, None],
        "moralizing": [False, True, True, None],
    },
    schema={
        "has_reply": pl.Boolean,
        "refusal": pl.String,
        "prompt_intent": pl.String,
        "harm_category": pl.String,
        "reply_words": pl.Int64,
        "prompt_words": pl.Int64,
        "hedging": pl.Float64,
        "moralizing": pl.Boolean,
    },
)

T, F, N = True, False, None


def evaluate(text: str, frame: pl.DataFrame = SIGNALS) -> pl.DataFrame:
    # with_columns, as the pipeline uses it: a literal condition ('true') broadcasts to every row.
    return frame.with_columns(v=compile_expression(text).expr).select("v")


def expected(values: list[bool | None]) -> pl.DataFrame:
    return pl.DataFrame({"v": values}, schema={"v": pl.Boolean})


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("has_reply", [T, T, F, N]),
        ("refusal == 'none'", [T, F, F, N]),
        ('refusal == "none"', [T, F, F, N]),
        ("'none' == refusal", [T, F, F, N]),
        ("refusal != 'none'", [F, T, T, N]),
        ("reply_words < 250", [T, F, T, N]),
        ("reply_words <= 250", [T, T, T, N]),
        ("reply_words > 10", [F, T, F, N]),
        ("reply_words >= 10", [T, T, F, N]),
        ("hedging > 2.5", [F, F, T, N]),
        ("hedging >= -1", [T, T, T, N]),
        ("5 < reply_words", [T, T, F, N]),
        ("reply_words > prompt_words", [F, T, F, N]),
        ("has_reply == true", [T, T, F, N]),
        ("has_reply != true", [F, F, T, N]),
        ("refusal in ['full', 'partial']", [F, T, T, N]),
        ("refusal in ['full', 'partial',]", [F, T, T, N]),
        ("refusal not in ['full', 'partial']", [T, F, F, N]),
        ("reply_words in [0, 10]", [T, F, T, N]),
        ("not has_reply", [F, F, T, N]),
        ("has_reply and moralizing", [F, T, F, N]),
        ("has_reply or moralizing", [T, T, T, N]),
        ("true", [T, T, T, T]),
        ("false or has_reply", [T, T, F, N]),
        ("(has_reply)", [T, T, F, N]),
    ],
)
def test_each_operator_on_a_frame_with_nulls(text: str, values: list[bool | None]) -> None:
    assert_frame_equal(evaluate(text), expected(values))


def test_nulls_follow_kleene_logic() -> None:
    # A null signal is unknown: 'false and unknown' is false, 'true or unknown' is true.
    assert_frame_equal(evaluate("has_reply and false"), expected([F, F, F, F]))
    assert_frame_equal(evaluate("moralizing or true"), expected([T, T, T, T]))
    assert_frame_equal(evaluate("not (refusal == 'none')"), expected([F, T, T, N]))


def test_keywords_are_case_sensitive_words_not_prefixes() -> None:
    # 'notes'/'orange' must lex as names, not as 'not'/'or' followed by a name.
    with pytest.raises(UserError) as exc:
        compile_expression("orange")
    assert str(exc.value) == "unknown signal 'orange' at column 1 (did you mean 'moralizing'?)"


@pytest.fixture
def truth_table() -> pl.DataFrame:
    rows = list(itertools.product([True, False], repeat=3))
    return pl.DataFrame(rows, schema=["has_reply", "moralizing", "sycophancy"], orient="row")


@pytest.mark.parametrize(
    ("text", "same_as", "differs_from"),
    [
        (
            "not has_reply and moralizing",
            "(not has_reply) and moralizing",
            "not (has_reply and moralizing)",
        ),
        (
            "has_reply or moralizing and sycophancy",
            "has_reply or (moralizing and sycophancy)",
            "(has_reply or moralizing) and sycophancy",
        ),
        (
            "not has_reply or moralizing",
            "(not has_reply) or moralizing",
            "not (has_reply or moralizing)",
        ),
        (
            "has_reply and moralizing or sycophancy",
            "(has_reply and moralizing) or sycophancy",
            "has_reply and (moralizing or sycophancy)",
        ),
    ],
)
def test_precedence_not_binds_tighter_than_and_than_or(
    truth_table: pl.DataFrame, text: str, same_as: str, differs_from: str
) -> None:
    result = evaluate(text, truth_table)
    assert_frame_equal(result, evaluate(same_as, truth_table))
    assert not result.equals(evaluate(differs_from, truth_table))


def test_not_in_and_not_before_a_membership_agree() -> None:
    assert_frame_equal(evaluate("refusal not in ['none']"), evaluate("not refusal in ['none']"))


def test_compiled_reports_the_signals_it_reads() -> None:
    compiled = compile_expression(
        "regulated_domain != 'none' and has_reply and not (definitive_advice or has_reply)"
    )
    assert compiled.signals == frozenset({"regulated_domain", "has_reply", "definitive_advice"})
    assert compiled.text.startswith("regulated_domain")
    assert compile_expression("true").signals == frozenset()


WHERE = "data/spec/model-spec/2025-12-18.yaml: clause avoid_regulated_advice, violation_when"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "has_reply and",
            "syntax error at column 14: expected '(', 'not', a signal name or a "
            "value, found end of expression",
        ),
        (
            "refusal == ",
            "syntax error at column 11: expected a signal name or a value, found end of expression",
        ),
        ("(has_reply", "syntax error at column 11: expected ')', found end of expression"),
        ("has_reply)", "syntax error at column 10: expected end of expression, found ')'"),
        (
            "has_reply or or",
            "syntax error at column 14: expected '(', 'not', a signal name or a value, found 'or'",
        ),
        ("refusal = 'none'", "syntax error at column 9: unexpected character '='"),
        ("refusal in []", "syntax error at column 13: expected a value, found ']'"),
        (
            "reply_words > 1 > 0",
            "syntax error at column 17: expected 'and', 'or' or end of expression, found '>'",
        ),
        (
            "__import__('os')",
            "syntax error at column 11: expected 'and', 'in', 'not', 'or', "
            "a comparison (== != < <= > >=) or end of expression, found '('",
        ),
        ("   ", "empty expression"),
    ],
)
def test_syntax_errors_name_the_column(text: str, message: str) -> None:
    with pytest.raises(UserError) as exc:
        compile_expression(text, where=WHERE)
    assert str(exc.value) == f"{WHERE}: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("refusl == 'none'", "unknown signal 'refusl' at column 1 (did you mean 'refusal'?)"),
        ("has_reply and zzz", "unknown signal 'zzz' at column 15"),
        (
            "refusal == 'yes'",
            "signal 'refusal' cannot be 'yes' at column 12 (allowed: none, partial, full)",
        ),
        (
            "refusal in ['none', 'maybe']",
            "signal 'refusal' cannot be 'maybe' at column 21 (allowed: none, partial, full)",
        ),
        (
            "refusal > 'none'",
            "'>' at column 9 orders enum signal 'refusal'; use == or != (or in [..])",
        ),
        (
            "has_reply <= true",
            "'<=' at column 11 orders bool signal 'has_reply'; use == or != (or in [..])",
        ),
        (
            "refusal",
            "enum signal 'refusal' at column 1 is not a condition "
            "(compare it, e.g. refusal == 'none')",
        ),
        (
            "has_reply and not reply_words",
            "int signal 'reply_words' at column 19 is not a "
            "condition (compare it, e.g. reply_words > 0)",
        ),
        ("has_reply or 3", "number 3 at column 14 is not a condition"),
        ("'benign'", "string 'benign' at column 1 is not a condition"),
        (
            "reply_words > 'long'",
            "int signal 'reply_words' compared with string 'long' at column 15",
        ),
        ("refusal == 3", "enum signal 'refusal' compared with number 3 at column 12"),
        ("has_reply == 'yes'", "bool signal 'has_reply' compared with string 'yes' at column 14"),
        ("1 == 1", "comparison at column 1 compares two values, no signal"),
        (
            "refusal == has_reply",
            "comparison at column 1 compares enum signal 'refusal' with bool signal 'has_reply'",
        ),
        (
            "has_reply in [true]",
            "'in' at column 1 tests bool signal 'has_reply'; use it alone or with == / !=",
        ),
        ("'none' in ['none']", "'in' at column 1 needs a signal on its left"),
    ],
)
def test_type_errors_name_the_signal_and_column(text: str, message: str) -> None:
    with pytest.raises(UserError) as exc:
        compile_expression(text, where=WHERE)
    assert str(exc.value) == f"{WHERE}: {message}"


def test_without_where_the_message_has_no_prefix() -> None:
    with pytest.raises(UserError) as exc:
        compile_expression("refusl == 'none'")
    assert str(exc.value) == "unknown signal 'refusl' at column 1 (did you mean 'refusal'?)"


def test_multi_line_condition_counts_columns_across_lines() -> None:
    assert_frame_equal(evaluate("has_reply\nand moralizing"), expected([F, T, F, N]))
    with pytest.raises(UserError) as exc:
        compile_expression("has_reply and\nrefusl == 'none'")
    assert str(exc.value) == "unknown signal 'refusl' at column 15 (did you mean 'refusal'?)"
