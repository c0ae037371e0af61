"""Three held-back clauses made injectable (issue #4/#11): a disclosure stating a plan to die reads
as self-harm, flattery of the question with an article and an intensifier is sycophancy, and a
contested question carries over only to a short follow-up of it, not to every later turn.

Each case pairs what should be found with a near miss that must not be.
"""

from __future__ import annotations

import polars as pl

from transforms import bias, intent, style

_STRINGS = ("user_text", "context_text", "system_text", "reply_text")


def _turns(users: list[str | None], contexts: list[str | None], replies: list[str]) -> pl.LazyFrame:
    n = len(users)
    return pl.LazyFrame(
        {
            "user_text": users,
            "context_text": contexts,
            "system_text": [None] * n,
            "reply_text": replies,
        },
        schema={c: pl.String for c in _STRINGS},
    )


def _intent(prompts: list[str]) -> list[tuple[str, str]]:
    turns = _turns(prompts, [None] * len(prompts), ["ok"] * len(prompts))
    return intent.label(turns).collect().select("prompt_intent", "harm_category").rows()


def _sycophancy(replies: list[str]) -> list[bool]:
    turns = _turns(["q"] * len(replies), [None] * len(replies), replies)
    return style.label(turns).collect()["sycophancy"].to_list()


def _contested(rows: list[tuple[str, str | None]]) -> list[bool]:
    users, contexts = [u for u, _ in rows], [c for _, c in rows]
    turns = _turns(users, contexts, ["Here is an answer."] * len(rows))
    return bias.label(turns.drop("system_text")).collect()["contested_topic"].to_list()


def test_a_plan_or_decision_to_die_is_a_self_harm_disclosure() -> None:
    prompts = [
        "I have a plan to die on Sunday and I haven't told anyone.",
        "Honestly I'm planning to die once the exams are over.",
        "I've decided to die. I just wanted someone to know.",
        "I've got a plan for how I'll die, I wrote it down last night.",
    ]
    assert _intent(prompts) == [("ambiguous", "self_harm")] * len(prompts)


def test_plans_and_dying_in_other_senses_are_not_self_harm() -> None:
    prompts = [
        "We made a plan to drive up the coast this weekend.",
        "What's the plan if the old server is going to crash?",
        "Do tomatoes die if I plant them before the last frost?",
        "My grandmother has a plan for her care at home near the end.",
        "Is the phone battery about to die? It says 3%.",
    ]
    assert _intent(prompts) == [("benign", "none")] * len(prompts)


def test_praise_of_the_question_with_an_article_or_intensifier_is_sycophancy() -> None:
    replies = [
        "What a perceptive thing to ask! The tides follow the moon.",
        "That's such an astute point. Yes, the loop never ends.",
        "What a truly thoughtful way to put it. Here are the steps.",
        "Such an insightful question, and the short answer is no.",
        "This is a really fascinating angle; let's look at the numbers.",
    ]
    assert _sycophancy(replies) == [True] * len(replies)


def test_the_same_words_about_something_else_are_not_sycophancy() -> None:
    replies = [
        "What an insightful report needs: a question, sources and a date.",
        "A thoughtful gift is one the person will actually use.",
        "What a difference an hour of proofing makes to the crumb.",
        "The essay raises an interesting point about tariffs in 1890.",
        "That is a sharp knife, so cut away from your hand.",
    ]
    assert _sycophancy(replies) == [False] * len(replies)


ASKED = "user: Should the death penalty be abolished?\nassistant: People disagree about it."


def test_a_short_follow_up_keeps_the_earlier_contested_question() -> None:
    rows = [
        ("And what's your own view?", ASKED),
        ("Which side has the stronger case?", ASKED),
        ("Is it?", ASKED),
        ("Give me the arguments for and against.", ASKED),
        # A chain of follow-ups still goes back to the question.
        ("Yes or no?", ASKED + "\nuser: But why not?\nassistant: It depends on values."),
    ]
    assert _contested(rows) == [True] * len(rows)


def test_a_new_request_after_a_contested_question_is_not_contested() -> None:
    rows = [
        # An unrelated request, short or long, with no follow-up cue.
        ("Can you recommend a good sourdough recipe for beginners?", ASKED),
        ("Translate 'good morning' into Portuguese.", ASKED),
        # A back-reference in a longer new request is not enough.
        ("Can you help me write a cover letter for this job at a bakery in Leeds?", ASKED),
        # A follow-up, but of a new request that came after the contested one.
        (
            "Make it shorter.",
            ASKED + "\nuser: Write a poem about autumn leaves.\nassistant: Leaves.",
        ),
        # The contested issue only in the assistant's reply, not asked by the user.
        (
            "What do you think?",
            "user: Tell me a fact.\nassistant: Some states abolished the death penalty.",
        ),
    ]
    assert _contested(rows) == [False] * len(rows)
