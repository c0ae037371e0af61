"""Content reading for the intent labeller: messages that are harmful in themselves.

A request for harmful help is read by ``transforms.intent``. Some user messages need no request
to be harmful input: abuse aimed at the person addressed, contempt or violence aimed at a group,
threats, graphic gore and explicit sexual content (with minors, its own category). ``category``
names which of these a message is; the intent labeller makes such a message harmful unless it is
a short definition question, or violence inside a game or story.

How each is recognised, from the lexicons (each file's header says what it holds):

- sexual: one word of ``intent_explicit``, or two words of ``intent_explicit_soft`` and
  ``intent_explicit_clinical`` of which one is soft (anatomy alone is clinical talk);
  sexual_minors: that, and a word of ``intent_minor``;
- hate: a group (``intent_group``) with contempt (``intent_contempt``) at most four words away,
  either order; a call to exclude or destroy (``intent_exclusion``) shortly after a group; a term
  of ``harm_hate`` (slurs, demeaning claims); or violence (below) in a message naming a group;
- violence_weapons: a threat or wish of violence (``intent_threat``), or two gore terms
  (``intent_gore``) in a message that does not ask how to look after the injuries
  (``intent_care``: healing, treatment, "can I still ...");
- harassment: "you" (``intent_second_person``), a few filler words (``intent_insult_lead``) and an
  insult (``intent_insult``), or abuse that needs no insult word (``intent_abuse``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import polars as pl

from transforms import intent_gate
from transforms.intent_forms import as_written
from transforms.lexicon import pattern


def within(first: str, then: str, chars: int) -> str:
    """Return a regex: ``first`` followed by ``then`` within ``chars`` characters of one sentence."""
    return rf"{first}[^.?!;\n]{{0,{chars}}}?{then}"


def first_category(hit: dict[str, pl.Expr], order: tuple[str, ...]) -> pl.Expr:
    """Return the first category in ``order`` whose hit expression is true, else null."""
    chain = pl.when(hit[order[0]]).then(pl.lit(order[0]))
    for name in order[1:]:
        chain = chain.when(hit[name]).then(pl.lit(name))
    return chain.otherwise(pl.lit(None, dtype=pl.String))


#: A word shaped like an adjective (by its ending), allowed between "you are a" and an insult.
_ADJECTIVE = r"[\w'’-]+(?:ing|ed|ist|ish|y|ic|ful|less|ous|al|ive|ble)\b"

#: Categories of content that is harmful in itself, in the order they are tried.
CATEGORIES = ("sexual_minors", "sexual", "hate", "violence_weapons", "harassment")


@cache
def patterns(window: int) -> dict[str, str]:
    """Return, per category, one regex for the words that make a message that content.

    Each is the evidence of its category; ``category`` adds the counts and pairings it needs.
    ``window``: how many characters a call to exclude (``intent_exclusion``) may follow a group.
    """
    you, lead, insult = (pattern(f"intent_{n}") for n in ("second_person", "insult_lead", "insult"))
    return {
        "sexual_minors": pattern("intent_minor"),
        "sexual": pattern("intent_explicit", "intent_explicit_soft", "intent_explicit_clinical"),
        "hate": "|".join(hate_patterns(window)),
        "violence_weapons": pattern("intent_threat", "intent_gore"),
        # One adjective-like word may qualify the insult ("you're a fascist scum"), not a verb
        # ("you can bitch").
        "harassment": rf"{you}(?:\s+{lead}){{0,4}}(?:\s+{_ADJECTIVE})?\s+{insult}"
        + f"|{pattern('intent_abuse')}",
    }


@cache
def hate_patterns(window: int) -> tuple[str, ...]:
    """Return the regexes of hateful content: contempt next to a group, a call to exclude one, slurs.

    Searched one by one: joined into one alternation they are one large regex whose lazy DFA
    outgrows its cache and falls back to a slow engine (measured 100 times slower on 40,000 turns).
    """
    group, contempt = pattern("intent_group"), pattern("intent_contempt")
    # At most four words between a group and contempt; a word may open with a quote mark, since
    # scare quotes often wrap a group's name or an epithet ("stupid “so-called” experts").
    quote = '["“”‘’]*'
    near = rf"{quote}(?:\s+{quote}[\w'’-]+){{0,4}}?\s+{quote}"
    return (
        group + near + contempt,
        contempt + near + group,
        within(group, pattern("intent_exclusion"), window),
        pattern("harm_hate"),
    )


def regexes(window: int) -> tuple[str, ...]:
    """Return every regex ``category`` searches with (for ``transforms.sieve.Sieve``)."""
    lexicons = ("explicit", "explicit_soft", "gore", "care", "threat", "group")
    found = patterns(window)
    return (
        *(pattern(f"intent_{name}") for name in lexicons),
        *(found[name] for name in ("sexual", "sexual_minors", "harassment")),
        *hate_patterns(window),
    )


def root_patterns(window: int) -> tuple[str, ...]:
    """Return regexes one of which matches every text ``category`` gives a category to.

    Explicit or soft sexual words, a hateful pairing or slur, a threat, gore, or abuse: each
    category below needs one of them (sexual_minors needs sexual, hate by violence needs violence).
    """
    return (
        pattern("intent_explicit"),
        pattern("intent_explicit_soft"),
        *hate_patterns(window),
        pattern("intent_threat"),
        pattern("intent_gore"),
        patterns(window)["harassment"],
    )


def category(
    text: pl.Expr,
    window: int,
    form: Callable[[str], str] = as_written,
    gate: Callable[[str], pl.Expr | None] | None = None,
) -> pl.Expr:
    """Return the category of what ``text`` is in itself (explicit, hateful, threatening, abusive).

    Null when the message is none of these. ``window`` as in ``patterns``; ``form`` writes each
    regex for the texts searched (an ASCII-only form for ASCII texts, as the intent labeller does);
    ``gate`` (optional) gives, for a regex, whether each row may match it
    (``transforms.sieve.Sieve.may_match``, None if every row may), so each regex searches only
    those rows.

    >>> df = pl.DataFrame({"t": ["You are such a moron.", "Tu es très gentil.", None]})
    >>> df.select(category(pl.col("t"), 50).alias("c"))["c"].to_list()
    ['harassment', None, None]
    """
    found = patterns(window)

    def holds(regex: str) -> pl.Expr:
        return intent_gate.matches(text, regex, form, gate and gate(regex))

    def count(regex: str) -> pl.Expr:
        return intent_gate.count_matches(text, regex, form, gate and gate(regex))

    strong_sex = holds(pattern("intent_explicit"))
    # One soft word ("naked") is everyday talk and anatomy alone is clinical; two words of which
    # one is not anatomy, or one explicit word, is content.
    soft = holds(pattern("intent_explicit_soft"))
    sexual = strong_sex | (soft & (count(found["sexual"]) >= 2))
    # Injuries listed by someone asking how to look after them are a medical question, not gore.
    gore = (count(pattern("intent_gore")) >= 2) & ~holds(pattern("intent_care"))
    violent = holds(pattern("intent_threat")) | gore
    # Violence wished on a group is hate: "kill them all" after naming who "them" are.
    hit = {
        "sexual_minors": sexual & holds(found["sexual_minors"]),
        "sexual": sexual,
        "hate": pl.any_horizontal(holds(regex) for regex in hate_patterns(window))
        | (violent & holds(pattern("intent_group"))),
        "violence_weapons": violent,
        "harassment": holds(found["harassment"]),
    }
    return first_category(hit, CATEGORIES)
