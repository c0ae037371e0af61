"""Tests of transforms.refusal on the hard cases: implicit and partial refusals.

Each reply is hand-written to show one phenomenon: a refusal without the usual apology, a refusal
that still gives related help, or a compliance that only looks like a refusal.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms import refusal

TIPS = "\n1. Pick one signature bake.\n2. Price it clearly.\n3. Put samples out early."
OPTIONS = "\n- Talk it through with them.\n- Ask a mediator to sit in.\n- Walk away and cool off."

CASES = [
    # (reply, refusal, refusal_style)
    # implicit: rebuts the loaded premise of the question instead of arguing for it
    (
        "There is no good reason to bar anyone from voting because of their faith. Voting is a "
        "right that belongs to every citizen.",
        "full",
        "redirect",
    ),
    # implicit: says a group must not lose a right
    ("Left-handed people should not be denied a driving licence.", "full", "redirect"),
    # implicit: open condemnation in place of an answer
    ("I firmly condemn any plan to hurt a neighbour.", "full", "redirect"),
    # implicit: names the act as a crime in an opening note, after a plain first sentence
    (
        "Shoplifting is taking goods without paying. It is important to note that shoplifting "
        "is a crime in every country.",
        "full",
        "redirect",
    ),
    # self-description joined to a decline
    ("I am a writing assistant and do not condone cruelty to animals.", "full", "policy"),
    # inability up front: only the fact it cannot reach is declined, with a way to get it
    (
        "I don't have access to your landlord's bank records. You could ask the letting agency "
        "what they are able to share with tenants.",
        "partial",
        "capability",
    ),
    # decline, then help on the user's own goal: a list of tips
    (
        "I won't help you sabotage the other stalls. Here are ways to make yours stand out:" + TIPS,
        "partial",
        "policy",
    ),
    # decline, then a safe alternative to a harmful aim: the reply dwells on harm
    (
        "I can't help you injure anyone. Violence causes lasting harm and assault is a crime "
        "with real consequences. If you are angry, these may help:" + OPTIONS,
        "full",
        "policy",
    ),
    # decline, then repeated referrals to support
    (
        "I can't give you that. Please consider talking to a counsellor, and seek help from "
        "someone you trust if things feel overwhelming.",
        "full",
        "redirect",
    ),
    # decline, with the correction of a false premise: the person asked about is invented
    (
        "I can't share her phone number. She is a fictional character from a detective novel, "
        "so there is no real number to find.",
        "partial",
        "policy",
    ),
    # discouraging the method asked for, then the help asked for
    (
        "Poison is not a safe or humane way to clear mice from a shed. Instead, try these:"
        "\n1. Seal the gaps.\n2. Use snap traps.\n3. Store seed in metal bins.",
        "partial",
        "redirect",
    ),
]

COMPLIANT = [
    # a first sentence that ends in a colon introduces an answer; a moral note after it is not
    # an objecting opening
    "Here is how to end a stuck process: run `kill -9 <pid>`. It is important to remember "
    "that stopping other users' processes without permission is unethical.",
    # "not possible" states a fact, it does not object to the request
    "It is not possible to divide by zero in ordinary arithmetic; the result is undefined.",
    # an imperative that looks like a decline
    "Keep practising every day and don't give up on the hard passages.",
    # "but I can't" is not a pivot to help, and nothing here declines
    "Tea is best brewed at about 80 degrees. I know, but I can't stress it enough: hotter water "
    "makes green tea bitter.",
]


def _label(replies: list[str]) -> pl.DataFrame:
    turns = pl.LazyFrame(
        {"user_text": ["q"] * len(replies), "reply_text": replies},
        schema={"user_text": pl.String, "reply_text": pl.String},
    )
    return refusal.label(turns).collect()


def test_implicit_and_partial_refusals_get_their_level_and_style() -> None:
    out = _label([reply for reply, _, _ in CASES])
    expected = pl.DataFrame(
        {
            "refusal": [level for _, level, _ in CASES],
            "refusal_style": [style for _, _, style in CASES],
        },
        schema={"refusal": pl.String, "refusal_style": pl.String},
    )
    assert_frame_equal(out.select("refusal", "refusal_style"), expected)


@pytest.mark.parametrize("reply", COMPLIANT)
def test_compliance_that_looks_like_a_refusal_is_none(reply: str) -> None:
    out = _label([reply])
    assert out.select("refusal", "refusal_style").row(0) == ("none", "none")
    assert out["refusal__evidence"][0] is None


def test_partial_refusal_evidence_is_the_decline() -> None:
    reply = CASES[5][0]
    out = _label([reply])
    assert out["refusal__evidence"][0] == {
        "source": "reply",
        "start": 0,
        "end": 22,
        "text": "I don't have access to",
    }
    assert reply.encode()[0:22].decode() == "I don't have access to"
    assert out["refusal_style__evidence"][0]["text"] == "I don't have access"


def test_rebuttal_evidence_is_the_objecting_words() -> None:
    out = _label([CASES[0][0]])
    assert out["refusal__evidence"][0]["text"] == "There is no good reason"
    assert out["refusal__evidence"][0]["start"] == 0


def test_an_objection_past_the_opening_is_not_an_implicit_refusal() -> None:
    answer = "Bread rises because yeast makes gas. " * 3
    out = _label([answer + "It is not appropriate to judge bakers by their loaves."])
    assert out["refusal"][0] == "none"
    assert out["moralizing"][0] is True
