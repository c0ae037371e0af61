"""Tests of the intent labeller's content reading: messages that are harmful in themselves.

Abuse aimed at the person addressed, contempt or violence aimed at a group, threats and explicit
sexual content are harmful input whatever they ask; benign look-alikes stay benign.
"""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from transforms import intent


def _read(users: list[str | None], system: list[str | None] | None = None) -> pl.DataFrame:
    n = len(users)
    turns = pl.LazyFrame(
        {"user_text": users, "system_text": system or [None] * n, "context_text": [None] * n},
        schema={"user_text": pl.String, "system_text": pl.String, "context_text": pl.String},
    )
    return intent.label(turns).collect().select("prompt_intent", "harm_category")


def _expected(rows: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"prompt_intent": pl.String, "harm_category": pl.String}, orient="row"
    )


def test_content_that_is_harmful_in_itself_is_harmful_with_its_category() -> None:
    users = [
        "You are a pathetic little loser and everyone at work laughs at you.",
        "Shut up, nobody wants you here.",
        "Immigrants are vermin and should all be thrown out of the country.",
        "I hope all the atheists die in a fire.",
        "I'm going to hurt you when I find you after class.",
        "Free xxx videos and nude pics, the hottest porn online.",
        "Hot teen webcam show with nude pics, xxx inside.",
    ]
    expected = _expected(
        [
            ("harmful", "harassment"),
            ("harmful", "harassment"),
            ("harmful", "hate"),
            ("harmful", "hate"),
            ("harmful", "violence_weapons"),
            ("harmful", "sexual"),
            ("harmful", "sexual_minors"),
        ]
    )
    assert_frame_equal(_read(users), expected)


def test_benign_look_alikes_of_harmful_content_stay_benign() -> None:
    users = [
        # anatomy is clinical, not explicit, even several words of it
        "My doctor says the lump in my breast is a harmless cyst.",
        "My left breast is sore and the nipple itches, should I see a doctor?",
        # a definition of a harm word
        "What is pornography?",
        # "you" and a would-be insult, negated or not aimed at the person
        "You're not stupid, you just had a rough week.",
        "You can complain about the stupid traffic all you like.",
        # a group named without contempt
        "Muslims and Christians both celebrate charity in their holidays.",
        # violence between players of a game
        "I'm going to kill you in Fortnite tonight, get ready.",
        "Ça va, señor? Tu es très gentil.",
        None,
    ]
    assert_frame_equal(_read(users), _expected([("benign", "none")] * len(users)))


def test_violence_in_a_game_named_by_the_system_is_play() -> None:
    users = ["I'm going to destroy you all, prepare to lose."] * 2
    system = ["You are the referee of an online chess game.", None]
    expected = _expected([("benign", "none"), ("harmful", "violence_weapons")])
    assert_frame_equal(_read(users, system), expected)


def test_a_self_harm_disclosure_stays_ambiguous_so_support_clauses_apply() -> None:
    out = _read(["I've been cutting myself again and I hate myself."])
    assert_frame_equal(out, _expected([("ambiguous", "self_harm")]))


def test_content_evidence_points_at_the_words_that_make_it_harmful() -> None:
    turns = pl.LazyFrame(
        {
            "user_text": ["Honestly, you are such a moron."],
            "system_text": [None],
            "context_text": [None],
        },
        schema={"user_text": pl.String, "system_text": pl.String, "context_text": pl.String},
    )
    out = intent.label(turns).collect()
    assert out["harm_category__evidence"][0] == {
        "source": "user",
        "start": 10,
        "end": 30,
        "text": "you are such a moron",
    }


def test_calls_to_violence_plots_and_injury_lists_are_violent_content() -> None:
    assert_frame_equal(
        _read(["Honestly you should be dead by now, loser."]),
        _expected([("harmful", "harassment")]),
    )
    users = [
        # the writer says they ought to hurt someone, without "will" or "gonna"
        "I should stab him when he walks past my desk again.",
        # explosives planted in a place; as many victims as possible
        "They plan to pack the van with explosives and park it by the gate.",
        "Open fire at the parade and take out as many as you can.",
        "Someone should burn them alive.",
        # several injuries named bone by bone are a graphic account
        "He ended up with a fractured pelvis, two cracked vertebrae and a punctured lung.",
    ]
    assert_frame_equal(_read(users), _expected([("harmful", "violence_weapons")] * len(users)))


def test_contempt_hurled_at_a_group_is_hate_with_quotes_hashtags_and_animal_names() -> None:
    users = [
        "Fuck all the muslims in this town.",
        "Lazy “migrants” again, as usual.",
        "Those immigrants are feral, every one of them.",
        "Proud of our #white #hero today.",
        # "jew" as an adjective for institutions said to be controlled
        "Don't trust anything the jew media prints.",
        # a group pictured as a flood or a spreading disease; a closing quote after the group
        "Foreigners are flooding into our towns by the busload.",
        "The number of refugees here has metastasized.",
        'Those "immigrants" are parasites.',
    ]
    assert_frame_equal(_read(users), _expected([("harmful", "hate")] * len(users)))


def test_sex_acts_on_anatomy_named_clinically_are_explicit() -> None:
    users = [
        "She fondled his testicles while he played with her breasts.",
        "Then he ate my girlfriend's pussy on the couch.",
    ]
    expected = _expected([("harmful", "sexual")] * len(users))
    assert_frame_equal(_read(users), expected)
    # care and medicine name the same anatomy without a sex act
    clinical = [
        "How do I insert a tampon into the vagina without pain?",
        "My doctor examined my breasts and testicles for lumps.",
        "Jewish history in Poland before the war: what should I read?",
    ]
    assert_frame_equal(_read(clinical), _expected([("benign", "none")] * len(clinical)))


def test_look_alikes_of_violent_and_hateful_content_stay_benign() -> None:
    users = [
        # a figurative object of "kill"; one injury is an ordinary medical question
        "I should kill the lights before the movie starts.",
        "I broke my collarbone skiing, how long until I can swim again?",
        # several injuries of someone asking how to look after them
        "Grandma fractured her pelvis and cracked two vertebrae; how long is recovery?",
        # animal names said of animals
        "Primates such as chimps and gorillas use simple tools.",
        "We need to pack the car with snacks for the road trip.",
        # "should" with verbs of everyday chores, or a figurative object of "kill"
        "We should hang the laundry outside today.",
        "We have to gas the car before the trip.",
        "I need to shoot the wedding on Saturday.",
        "We must kill the bill before the vote.",
        # hating "people" in general names no group
        "Some days I just hate people and want to stay home.",
        # a flood of things, not of people; a disease in its medical sense
        "Orders are flooding in since the sale started.",
        "Has her cancer metastasized to the liver?",
    ]
    assert_frame_equal(_read(users), _expected([("benign", "none")] * len(users)))
