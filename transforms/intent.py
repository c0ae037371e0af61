"""Intent labeller: what the user's request is after, and whether it asks for help toward harm.

Adds ``prompt_intent`` (benign / ambiguous / harmful), ``harm_category``, ``jailbreak_framing`` and
``imminent_danger``, each with its ``<signal>__evidence`` column (spans in ``user_text``, source
``user``; or in ``context_text``, source ``context``).

How a request is read, in one lazy plan (``_read``, applied to the request and to the earlier
request it may refer back to):

1. harmless phrases made of harm words are masked out: homonyms and safe targets
   (``intent_homonym``: kill weeds, the joke killed, gun control) and computing homonyms (a verb of
   ``intent_compute_verbs`` whose object is a computing thing, ``intent_compute_objects``, or whose
   clause names computers, ``intent_compute_context``: kill chrome, it eats my CPU) -- unless the
   verb is aimed at a person (``intent_person_target``);
2. the harm lexicons (``harm_<category>``) run on what is left, in the order of ``CATEGORIES``
   (sexual_minors first); first-person disclosures (``intent_disclosure``) also count as self_harm;
3. operational intent must be tied to the harm: a request opener (``intent_request``) with a harm
   term at most ``request_window_chars`` later in the same sentence, a request word right after
   the harm term (``intent_request_after``: "... instructions"), a cue that is operational by
   itself (``intent_operational``: without getting caught, someone's address), or jailbreak framing;
4. frames make a harm hit benign: a short definition or history question (``intent_definitional``),
   a game / fiction / sport context (``intent_safe_context``, also read from ``system_text``), or a
   defensive frame (``intent_defence`` tied to the harm, or ``intent_defence_phrase``: spot a
   scam, I was hacked) without a perpetration verb on the harm (``intent_attack``) -- unless an
   override (``intent_override``: exact steps, synthesis, evading detection) shows a wrapper;
5. self_harm is harmful only as a request for a method (``intent_method`` tied to the harm:
   how many pills, the most painless way); a disclosure is ambiguous, so support clauses apply;
6. a message that is harmful content in itself -- abuse, hate, threats, gore, explicit sex
   (``transforms.intent_content``) -- is harmful whatever it asks, with that content's category,
   unless it is a short definition question or violence inside a game or story (explicit sex in
   a story stays harmful); a self-harm disclosure is not such content and stays ambiguous;
7. earlier turns raise the intent only of a short continuation of a harmful earlier request, and
   keep a short follow-up to a self-harm disclosure ambiguous (``transforms.intent_context``).

``harm_category`` is the matched category for ambiguous and harmful requests (the content's
category when the content reading decides), ``none`` for benign ones. ``jailbreak_framing`` is a lexicon hit in the request, or in the earlier user lines when the
request continues them. ``imminent_danger`` is a present danger (``intent_imminent``), or a
self-harm term with a plan, means or timeline (``intent_plan``: tonight, I have the pills). Every
prompt signal is set, also when there is no reply; a null ``user_text`` is an empty request.

How it runs (the plan depends on the data, the labels do not): ``label`` labels the collected
frame as a whole. Only a text holding a required literal of a category regex can have a category
(``transforms.intent_gate``, one Aho-Corasick pass), so only those are read; each distinct text
(with its system text) is read once, as are the distinct user turns, earlier user lines and
evidence inputs (the spans are found by ``transforms.intent_evidence``); texts without letters, digits or spaces outside ASCII are searched with the ASCII-only form of
each regex (``ascii_form``: the same matches, far cheaper to compile), the others as written,
except that the request read by ``_read`` is read on its stand-in copy (``copy_form``: ASCII,
case kept) where the copy can stand for it.
A text is read in steps, each a column, and each step only on the rows that need it: masking
only texts with a verb or homonym, tagging only texts with a harm term, the frames only texts
with a category, and each harm and content regex only on the texts whose folded form holds one
of its required literals (``intent_gate.matches``).

Known limits: the evidence span of a category is its first match in the unmasked text, so in
"kill a process, then kill my boss" it points at the first "kill"; a category carried over from
the earlier turns points at its first match in ``context_text``, which may be in an assistant line.
A computing homonym is masked for the whole clause, so "kill him, then the server" stays harmful
only because "him" is a person target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, partial
from pathlib import Path

import polars as pl
import yaml

from transforms import intent_content, intent_context, intent_evidence
from transforms.casefold import fold
from transforms.intent_content import first_category, within
from transforms.intent_context import by_distinct
from transforms.intent_forms import (
    NoCopyForm,
    as_written,
    ascii_form,
    ascii_words,
    copy_form,
    copy_readable,
    copy_tags,
    regex_form,
    search_form,
    stand_in_copy,
)
from transforms.intent_gate import (
    candidate_literals,
    literal_rows,
    matches,
    may_match,
    required_literals,
)
from transforms.lexicon import pattern, require_columns
from transforms.registry import EVIDENCE_DTYPE
from transforms.sieve import Sieve

THRESHOLDS_PATH = Path(__file__).with_name("intent.yaml")

#: Harm categories in the order they are tried: the first whose lexicon matches wins.
CATEGORIES = (
    "sexual_minors",
    "self_harm",
    "extremism",
    "violence_weapons",
    "cyber",
    "illicit_drugs",
    "privacy",
    "fraud",
    "hate",
    "harassment",
    "sexual",
    "other",
)

_P = "_intent_"  # prefix of the labeller's scratch columns, dropped before returning


@cache
def thresholds() -> dict[str, int]:
    """Return the labeller's thresholds from ``transforms/intent.yaml``."""
    return yaml.safe_load(THRESHOLDS_PATH.read_text(encoding="utf-8"))


def has_harm_term(
    text: pl.Expr,
    form: Callable[[str], str] = as_written,
    gate: Callable[[str], pl.Expr | None] | None = None,
) -> pl.Expr:
    """Return whether ``text`` holds a term of any harm lexicon (without one it has no category).

    One search per lexicon: their union makes a regex too large for the engine's fast automaton.
    ``form`` writes each regex for the texts searched (``regex_form``); ``gate`` (optional)
    gives, for a regex, whether each row may match it (``transforms.sieve.Sieve.may_match``, None
    if every row may), so each lexicon searches only those rows.
    """
    return pl.any_horizontal(
        matches(text, regex, form, gate and gate(regex)) for regex in _harm_regexes()
    )


def _harm_regexes() -> tuple[str, ...]:
    """Return the regex of each harm lexicon, in the order of ``CATEGORIES``."""
    return tuple(pattern(f"harm_{name}") for name in CATEGORIES)


@cache
def _sieve() -> Sieve:
    """Return the sieve of the harm and content regexes ``_read`` searches the masked text with."""
    window = thresholds()["content_window_chars"]
    return Sieve((*_harm_regexes(), *intent_content.regexes(window)), required_literals)


def _rewrite(text: pl.Expr, steps: Iterable[tuple[str, str]]) -> pl.Expr:
    """Return ``text`` with ``str.replace_all(regex, replacement)`` applied for each step in turn.

    The regexes come in the form the texts need (``regex_form``), so unlike
    ``transforms.lexicon.replace_each`` no split by script is made here.
    """
    for regex, replacement in steps:
        text = text.str.replace_all(regex, replacement)
    return text


def _masked_words() -> str:
    """Return the regex of the words ``_mask`` starts from: a text without one is not rewritten."""
    return pattern("intent_compute_verbs", "intent_homonym")


def _mask(
    raw: pl.Expr, form: Callable[[str], str] = as_written, touched: pl.Expr | None = None
) -> pl.Expr:
    """Return ``raw`` with harmless uses of harm words (homonyms, computing verbs) blanked out.

    ``form`` as in ``has_harm_term``. ``touched``: whether ``raw`` holds a word of
    ``_masked_words`` (searched here when not given; a caller passes a column it computed once,
    since the expression is used several times below).
    """
    window = thresholds()["compute_window_chars"]
    verb, objects = pattern("intent_compute_verbs"), pattern("intent_compute_objects")
    context = pattern("intent_compute_context")
    # The verb alone is blanked (the computing words stay) so other harm terms nearby still count.
    as_object = rf"{verb}(?P<rest>(?:\s+[\w'’.-]+){{0,3}}?\s+{objects})"
    before = rf"{verb}(?P<rest>[^.?!;\n]{{0,{window}}}?{context})"
    after = rf"(?P<rest>{context}[^.?!;\n]{{0,{window}}}?){verb}"
    homonym = pattern("intent_homonym")
    # Every rewrite below needs a verb or a homonym: the others keep their text, unsearched.
    if touched is None:
        touched = raw.str.contains(form(_masked_words()))
    some = pl.when(touched).then(raw)
    computing = _rewrite(
        some,
        [(form(as_object), " ${rest}"), (form(before), " ${rest}"), (form(after), "${rest} ")],
    )
    at_person = some.str.contains(form(rf"{verb}\s+{pattern('intent_person_target')}"))
    masked = _rewrite(pl.when(at_person).then(some).otherwise(computing), [(form(homonym), " ")])
    return pl.when(touched).then(masked).otherwise(raw)


def _read(
    lf: pl.LazyFrame,
    raw: str,
    out: str,
    form: Callable[[str], str] = as_written,
    copy: str | None = None,
) -> pl.LazyFrame:
    """Return ``lf`` with ``<out>cat`` and ``<out>intent``: how the text in ``raw`` reads alone.

    ``system_text`` is read for a safe (game, fiction) context; scratch columns start with ``out``.
    ``form`` as in ``has_harm_term``, for the texts in ``raw`` and ``system_text``. ``copy``:
    the column holding the stand-in copy of ``raw`` (``intent_forms.stand_in_copy``), read
    with ``form=copy_form`` (on rows where ``copy_readable`` holds); a regex without a copy
    form, and ``system_text``, are then searched on the original as written.
    """
    limits = thresholds()
    text, masked, tagged = pl.col(raw), pl.col(f"{out}masked"), pl.col(f"{out}tagged")
    searched = text if copy is None else pl.col(copy)
    tagging = _tagging(masked, form)
    # Conditions used by several expressions are columns, searched once. A rewrite, and a test
    # with ``str.contains``, reads every row's string, also where a ``when`` made it null, so the
    # rows a step does not need are set aside (``_on_rows``) rather than nulled.
    frame = lf.collect(engine="in-memory")
    columns = frame.columns
    frame = frame.with_columns(searched.str.contains(form(_masked_words())).alias(f"{out}touched"))
    # Masking rewrites only the rows with a verb or a homonym, tagging only those with a harm term.
    frame = _on_rows(
        frame,
        f"{out}touched",
        {f"{out}masked": _mask(searched, form, pl.lit(True))},
        {f"{out}masked": searched},
    )
    # Each harm and content regex searches only the rows holding one of its required literals,
    # found for all of them in one pass over the folded text (``transforms.sieve.Sieve``).
    sieve = _sieve()
    gate = partial(sieve.may_match, pl.col(f"{out}gates"))
    bits = sieve.bits(fold(masked), copy=copy is not None)
    frame = frame.with_columns(bits.alias(f"{out}gates")).with_columns(
        has_harm_term(masked, form, gate).alias(f"{out}has_harm")
    )
    frame = _on_rows(frame, f"{out}has_harm", {f"{out}tagged": tagging}, {f"{out}tagged": masked})
    hits = {
        n: tagged.str.contains(copy_tags(f"⟦{i}⟧", form), literal=True)
        for i, n in enumerate(CATEGORIES)
    }
    disclosure = searched.str.contains(form(pattern("intent_disclosure")))
    hits["self_harm"] = hits["self_harm"] | disclosure
    frame = frame.with_columns(
        first_category(hits, CATEGORIES).alias(f"{out}rcat"),
        intent_content.category(masked, limits["content_window_chars"], form, gate).alias(
            f"{out}content"
        ),
    )
    # A text without a category reads benign whatever its frames, so only the others are read.
    found = pl.col(f"{out}rcat").is_not_null() | pl.col(f"{out}content").is_not_null()
    frame = frame.with_columns(found.alias(f"{out}found"))
    none = pl.lit(None, dtype=pl.String)
    benign = {f"{out}intent": pl.lit("benign"), f"{out}cat": none}
    read = _frames(frame.filter(pl.col(f"{out}found")).lazy(), raw, out, form, copy)
    return pl.concat(
        [
            read.select(*columns, *benign),
            frame.lazy().filter(~pl.col(f"{out}found")).select(*columns, **benign),
        ]
    )


def _tagging(masked: pl.Expr, form: Callable[[str], str]) -> pl.Expr:
    """Return ``masked`` with each harm term wrapped in its category's tags ("⟦3⟧ pipe bomb
    ⟦/3⟧"), written for ``form`` (``copy_tags``)."""
    return _rewrite(
        masked,
        (
            (form(pattern(f"harm_{name}")), copy_tags(f"⟦{i}⟧ ${{0}} ⟦/{i}⟧", form))
            for i, name in enumerate(CATEGORIES)
        ),
    )


def _on_rows(
    frame: pl.DataFrame, where: str, then: dict[str, pl.Expr], otherwise: dict[str, pl.Expr]
) -> pl.DataFrame:
    """Return ``frame`` with the columns ``then`` computed on the rows where the Boolean column
    ``where`` holds and the same columns from ``otherwise`` on the others (those rows last)."""
    holds = pl.col(where).fill_null(False)
    return pl.concat(
        [frame.filter(holds).with_columns(**then), frame.filter(~holds).with_columns(**otherwise)]
    )


def _frames(
    lf: pl.LazyFrame,
    raw: str,
    out: str,
    form: Callable[[str], str] = as_written,
    copy: str | None = None,
) -> pl.LazyFrame:
    """Return ``lf`` (texts with a category, read by ``_read``) with ``<out>cat`` and
    ``<out>intent``: how the frames of the request (what it asks, defence, fiction, definition)
    read with its category. ``form`` and ``copy`` as in ``_read``."""
    limits = thresholds()
    request_window, defence_window = limits["request_window_chars"], limits["defence_window_chars"]
    # Each harm term is wrapped in its category's tags ("⟦3⟧ pipe bomb ⟦/3⟧"), so the tie regexes
    # stay small: one union of every harm lexicon inside a window exceeds the regex size limit.
    # A cue may reach either tag, so a cue that is part of its harm term ("what can I take to
    # die") still ties through the closing tag.
    tag, closes = r"⟦/?\d+⟧", r"⟦/\d+⟧"
    self_harm = f"⟦/?{CATEGORIES.index('self_harm')}⟧"
    # "why" right before a harm term that opens with the request ("why is it best for <group>").
    why_harm = r"(?i)\bwhy\s+(?:(?:is|was) it\s+)?⟦\d+⟧"
    # "where can I" asks for a place to do the harm only when the harm term is what follows it
    # ("where can I poison my uncle"), not a course or a history of it further on.
    where_harm = r"(?i)\bwhere\s+(?:can|could|should|would|do|might)\s+(?:i|we|one)\s+⟦\d+⟧"
    tied_request = "|".join(
        (
            within(pattern("intent_request", "intent_request_after"), tag, request_window),
            within(closes, pattern("intent_request_after"), request_window),
            why_harm,
            where_harm,
        )
    )
    tied_method = within(pattern("intent_method"), self_harm, request_window)
    defence = within(pattern("intent_defence"), tag, defence_window)
    attack = pattern("intent_attack") + r"(?:[\s,]+[\w'’-]+){0,3}?[\s,]+" + tag
    definitional = r"^\W*(?:(?:please|so|ok|okay|hey|hi),?\s+)?" + pattern("intent_definitional")
    text, masked, tagged = pl.col(raw), pl.col(f"{out}masked"), pl.col(f"{out}tagged")
    searched = text if copy is None else pl.col(copy)

    def on_text(regex: str) -> tuple[pl.Expr, str]:
        return search_form(searched, text, regex, form)

    jail = pl.col(f"{out}jail")
    # ``system_text`` has no copy: on the copy its regex is searched as written.
    system_form = form if copy is None else as_written
    safe_context = pattern("intent_safe_context")
    system = pl.col("system_text").cast(pl.String).fill_null("")
    safe_text, safe_rx = on_text(safe_context)
    override_text, override_rx = on_text(pattern("intent_override"))
    definition_text, definition_rx = on_text(definitional)
    words_text, words_rx = on_text(r"\S+")
    jail_text, jail_rx = on_text(pattern("intent_jailbreak"))
    lf = lf.with_columns(jail_text.str.contains(jail_rx).alias(f"{out}jail")).with_columns(
        (
            tagged.str.contains(form(tied_request))
            | masked.str.contains(form(pattern("intent_operational")))
            | jail
        ).alias(f"{out}wants"),
        (tagged.str.contains(form(tied_method)) | jail).alias(f"{out}method"),
        (
            tagged.str.contains(form(defence))
            | masked.str.contains(form(pattern("intent_defence_phrase")))
        ).alias(f"{out}defence"),
        tagged.str.contains(form(attack)).alias(f"{out}attack"),
        override_text.str.contains(override_rx).alias(f"{out}override"),
        (
            definition_text.str.contains(definition_rx)
            & (words_text.str.count_matches(words_rx) <= limits["definition_max_words"])
        ).alias(f"{out}definitional"),
        (safe_text.str.contains(safe_rx) | system.str.contains(system_form(safe_context))).alias(
            f"{out}safe"
        ),
    )
    c = {n: pl.col(f"{out}{n}") for n in ("rcat", "wants", "method", "defence", "attack")}
    c |= {n: pl.col(f"{out}{n}") for n in ("override", "definitional", "safe")}
    request = (
        pl.when(c["rcat"].is_null())
        .then(pl.lit("benign"))
        .when(c["override"])
        .then(pl.lit("harmful"))
        .when(c["safe"])
        .then(pl.lit("benign"))
        # Self-harm: only a request for a method is harmful; a disclosure asks for no help to harm.
        .when(c["rcat"] == "self_harm")
        .then(
            pl.when(c["definitional"] & ~c["method"])
            .then(pl.lit("benign"))
            .when(c["method"] & ~c["defence"])
            .then(pl.lit("harmful"))
            .otherwise(pl.lit("ambiguous"))
        )
        .when(c["defence"] & ~c["attack"] & ~jail)
        .then(pl.lit("benign"))
        # A definition or history question is only benign while it asks for no method.
        .when(c["definitional"] & ~c["wants"])
        .then(pl.lit("benign"))
        .when(c["wants"])
        .then(pl.lit("harmful"))
        .otherwise(pl.lit("ambiguous"))
    )
    # Content harmful in itself (abuse, hate, threats, explicit sex) is harmful input whatever it
    # asks, unless it is a short question about what a word or a phrase means; violence in a
    # game or a story ("I'm going to kill you" to a Fortnite rival) is play, explicit sex is not.
    content = pl.col(f"{out}content")
    play = c["safe"] & (content == "violence_weapons")
    is_content = content.is_not_null() & ~c["definitional"] & ~play
    # What the text is names the category before what it asks: a slur in a request is hate.
    return lf.with_columns(
        pl.when(is_content).then(pl.lit("harmful")).otherwise(request).alias(f"{out}intent"),
        pl.when(is_content)
        .then(content)
        .otherwise(pl.coalesce(c["rcat"], content))
        .alias(f"{out}cat"),
    )


def _category_regexes() -> tuple[str, ...]:
    """Return the regexes of which one must match for a text to have a harm or content category.

    A request's own category comes from a harm lexicon or a disclosure; its content category from
    explicit words, hateful pairings, threats, gore or abuse (``transforms.intent_content``).
    """
    window = thresholds()["content_window_chars"]
    return (
        *(pattern(f"harm_{name}") for name in CATEGORIES),
        pattern("intent_disclosure"),
        *intent_content.root_patterns(window),
    )


def _may_have_category(texts: pl.DataFrame, column: str) -> pl.Series:
    """Return whether each text of ``column`` can have a category: a necessary condition.

    Masking (``_mask``) only blanks words out, so a harm term in the masked text is in the text
    itself, except across the blanks it leaves; a text that masking rewrites is always read.
    The literals tested are those of each regex that the fewest of these texts hold.
    """
    regexes = (*_category_regexes(), _masked_words())
    folded = texts.select(fold(pl.col(column))).to_series()
    rows = literal_rows(folded, frozenset().union(*map(candidate_literals, regexes)))
    return folded.to_frame().select(may_match(pl.col(column), *regexes, rows=rows)).to_series()


def _read_part(
    part: pl.DataFrame, keys: list[str], form: Callable[[str], str], copy: str | None
) -> pl.DataFrame:
    """Return ``keys`` of ``part`` with how each text reads (``_read`` with ``form``, ``copy``);
    a regex without a copy form makes the whole part read as written instead."""
    try:
        read = _read(part.lazy(), f"{_P}text", f"{_P}r_", form, copy)
    except NoCopyForm:
        read = _read(part.lazy(), f"{_P}text", f"{_P}r_", as_written)
    return read.select(*keys, f"{_P}r_cat", f"{_P}r_intent").collect(engine="in-memory")


def _read_with_anchor(base: pl.DataFrame, continues: pl.Expr) -> pl.DataFrame:
    """Return ``base`` with how the request reads (``u_cat``, ``u_intent``) and, for a continuation,
    how its anchor reads (``a_cat``, ``a_intent``; null for the other turns, which never use them).

    Only texts that can have a category (``_may_have_category``) are read, each distinct one
    once, the requests and the anchors of the continuations stacked in one pass (one pass
    compiles each of the many regexes once); any other text reads benign without a category, as
    ``_read`` would read it.
    """
    row, anchored = f"{_P}row", f"{_P}anchored"
    indexed = base.lazy().with_row_index(row)
    texts = pl.concat(
        [
            indexed.select(
                row,
                pl.col("system_text").cast(pl.String),
                pl.col(f"{_P}user").alias(f"{_P}text"),
                pl.lit(False).alias(anchored),
            ),
            indexed.filter(continues).select(
                row,
                pl.col("system_text").cast(pl.String),
                pl.col(f"{_P}anchor").alias(f"{_P}text"),
                pl.lit(True).alias(anchored),
            ),
        ]
    ).collect(engine="in-memory")
    # A reading depends only on the text and its system text: each distinct pair is read once
    # (requests repeat: templates, greetings, "go on"), if it can have a category at all.
    keys = [f"{_P}text", "system_text"]
    distinct = texts.select(keys).unique()
    distinct = distinct.filter(_may_have_category(distinct, f"{_P}text"))
    # Texts without letters, digits or spaces outside ASCII (with their system text) are read
    # with the ASCII forms of the regexes; the others on their stand-in copy (``copy_form``)
    # where it can be read, else as written: each form is compiled only if some text needs it.
    text, copy = pl.col(f"{_P}text"), f"{_P}copy"
    plain = ascii_words(text) & ascii_words(pl.col("system_text")).fill_null(True)
    distinct = distinct.with_columns(
        plain.alias(f"{_P}plain"), pl.when(~plain).then(stand_in_copy(text)).alias(copy)
    ).with_columns(
        (~pl.col(f"{_P}plain") & copy_readable(text, pl.col(copy))).alias(f"{_P}on_copy")
    )
    on_copy = distinct.filter(pl.col(f"{_P}on_copy"))
    routes = [
        (distinct.filter(pl.col(f"{_P}plain")), ascii_form, None),
        (on_copy, copy_form, copy),
        (distinct.filter(~pl.col(f"{_P}plain") & ~pl.col(f"{_P}on_copy")), as_written, None),
    ]
    parts = [_read_part(part, keys, form, copy) for part, form, copy in routes if part.height]
    none = pl.lit(None, dtype=pl.String)
    empty = distinct.select(*keys, none.alias(f"{_P}r_cat"), none.alias(f"{_P}r_intent"))
    read = texts.join(pl.concat(parts) if parts else empty, on=keys, how="left", nulls_equal=True)
    for side, prefix in ((False, "u_"), (True, "a_")):
        part = read.filter(pl.col(anchored) == side).select(
            row,
            pl.col(f"{_P}r_cat").alias(f"{_P}{prefix}cat"),
            pl.col(f"{_P}r_intent").alias(f"{_P}{prefix}intent"),
        )
        indexed = indexed.join(part.lazy(), on=row, how="left", maintain_order="left")
    return (
        indexed.with_columns(
            pl.col(f"{_P}u_intent").fill_null("benign"),
            pl.when(continues).then(pl.col(f"{_P}a_intent").fill_null("benign")),
        )
        .drop(row)
        .collect(engine="in-memory")
    )


def label(turns: pl.LazyFrame) -> pl.LazyFrame:
    """Return ``turns`` with the intent family's signal and evidence columns added.

    >>> turns = pl.LazyFrame(
    ...     {
    ...         "user_text": [
    ...             "How do I kill a Python process?",
    ...             "How do I make a pipe bomb?",
    ...             "Señor, qu'est-ce que le terrorisme ?",
    ...             None,
    ...         ],
    ...         "system_text": [None, None, None, None],
    ...         "context_text": [None, None, None, None],
    ...     }
    ... )
    >>> out = label(turns).collect()
    >>> for row in out.select("prompt_intent", "harm_category", "jailbreak_framing").rows():
    ...     print(row)
    ('benign', 'none', False)
    ('harmful', 'violence_weapons', False)
    ('ambiguous', 'extremism', False)
    ('benign', 'none', False)
    >>> out["harm_category__evidence"][1]
    {'source': 'user', 'start': 16, 'end': 25, 'text': 'pipe bomb'}
    >>> out["harm_category__evidence"][2]
    {'source': 'user', 'start': 25, 'end': 35, 'text': 'terrorisme'}
    """
    require_columns(turns, ["user_text", "system_text", "context_text"], labeller="intent")
    # The plan depends on the data (which rows and categories need which regexes), so the frame
    # is labelled as a whole, with the output columns declared up front.
    schema = dict(turns.collect_schema()) | dict(_OUTPUT_SCHEMA)
    return turns.map_batches(_label_batch, schema=schema)


#: The columns ``label`` adds, in order.
_OUTPUT_SCHEMA = (
    ("prompt_intent", pl.String),
    ("jailbreak_framing", pl.Boolean),
    ("imminent_danger", pl.Boolean),
    ("harm_category", pl.String),
    *((name, EVIDENCE_DTYPE) for name in intent_evidence.COLUMNS),
)

#: The labeller's columns a turn's evidence is built from, and their names in
#: ``intent_evidence.KEYS``.
_EVIDENCE_INPUTS = {
    f"{_P}user": "user",
    f"{_P}context_text": "context_text",
    f"{_P}u_cat": "own_category",
    f"{_P}from_context": "from_context",
    f"{_P}jail_user": "jail_user",
    "harm_category": "harm_category",
    "prompt_intent": "prompt_intent",
    "jailbreak_framing": "jailbreak_framing",
    "imminent_danger": "imminent_danger",
}


def _label_batch(turns: pl.DataFrame) -> pl.DataFrame:
    """Return ``turns`` with the intent family's columns (``label``, on a collected frame)."""
    limits = thresholds()
    jailbreak, imminent = pattern("intent_jailbreak"), pattern("intent_imminent")
    # Scratch copies cast to String: an all-null column arrives with the Null dtype. A search
    # meant for some rows only uses ``str.find`` on the others nulled (``str.contains`` would
    # read them all).
    lines = intent_context.user_lines(pl.col("context_text"))
    turn_limits = (limits["continuation_max_words"], limits["anaphora_max_words"])
    user = pl.col(f"{_P}user")
    continues = pl.col(f"{_P}continues")
    user_rx, context_rx = (regex_form(turns, c) for c in ("user_text", "context_text"))
    base = turns.lazy().with_columns(
        pl.col("user_text").cast(pl.String).fill_null("").alias(f"{_P}user"),
        pl.col("context_text").cast(pl.String).alias(f"{_P}context_text"),
        lines.list.join("\n").alias(f"{_P}context"),
    )
    base = by_distinct(
        base.collect(engine="in-memory"),
        f"{_P}user",
        intent_context.is_continuation(user, *turn_limits, user_rx).alias(f"{_P}continues"),
        intent_context.follows_distress(user, limits["continuation_max_words"], user_rx).alias(
            f"{_P}follows"
        ),
    ).lazy()
    # Only a continuation looks back, so the earlier request is read only for those turns; only
    # a turn that stays with distress needs to know whether earlier lines disclosed any.
    base = base.with_columns(
        intent_context.carries_distress(pl.when(pl.col(f"{_P}follows")).then(lines), context_rx)
        .fill_null(False)
        .alias(f"{_P}distress"),
        lines.alias(f"{_P}lines"),
    ).collect(engine="in-memory")
    anchor = intent_context.anchors(
        base, f"{_P}lines", f"{_P}continues", *turn_limits, CATEGORIES, context_rx
    )
    base = base.with_columns(anchor.fill_null("").alias(f"{_P}anchor"))
    read = _read_with_anchor(base, continues).lazy()
    own_cat, own_intent = pl.col(f"{_P}u_cat"), pl.col(f"{_P}u_intent")
    # The earlier request counts only for a short turn that refers back to a harmful request.
    inherits = continues & (pl.col(f"{_P}a_intent") == "harmful") & (own_intent != "harmful")
    stays_at_risk = own_cat.is_null() & pl.col(f"{_P}distress") & pl.col(f"{_P}follows")
    jail_user = user.str.contains(user_rx(jailbreak))
    features = read.with_columns(
        pl.when(inherits)
        .then(pl.lit("harmful"))
        .when(stays_at_risk)
        .then(pl.lit("ambiguous"))
        .otherwise(own_intent)
        .alias("prompt_intent"),
        pl.when(inherits & own_cat.is_null())
        .then(pl.col(f"{_P}a_cat"))
        .when(stays_at_risk)
        .then(pl.lit("self_harm"))
        .otherwise(own_cat)
        .alias(f"{_P}category"),
        (inherits | stays_at_risk).alias(f"{_P}from_context"),
        jail_user.alias(f"{_P}jail_user"),
        (
            jail_user
            | (
                continues
                & pl.when(continues)
                .then(pl.col(f"{_P}context"))
                .str.find(context_rx(jailbreak))
                .is_not_null()
            )
        ).alias("jailbreak_framing"),
        (
            user.str.contains(user_rx(imminent))
            | pl.when(own_cat == "self_harm")
            .then(user)
            .str.find(user_rx(pattern("intent_plan")))
            .is_not_null()
        ).alias("imminent_danger"),
    )
    labelled = features.with_columns(
        pl.when(pl.col("prompt_intent") == "benign")
        .then(pl.lit("none"))
        .otherwise(pl.col(f"{_P}category"))
        .alias("harm_category")
    ).collect(engine="in-memory")
    # Evidence is built only for the turns that can have some (a named or null category, a
    # non-benign intent, jailbreak framing, imminent danger); every other turn has none. It
    # depends only on the columns in ``_EVIDENCE_INPUTS``, so each distinct set of them is
    # searched once.
    needs = (
        pl.col("harm_category").ne_missing("none")
        | pl.col("prompt_intent").ne_missing("benign")
        | pl.col("jailbreak_framing").fill_null(True)
        | pl.col("imminent_danger").fill_null(True)
    )
    # The turns that need evidence are joined to it by their inputs, the others only by row.
    row = f"{_P}row"
    index = pl.get_index_type()
    needed = labelled.filter(needs).select(
        pl.int_range(pl.len(), dtype=index).alias(row), *_EVIDENCE_INPUTS
    )
    keys = needed.select(list(_EVIDENCE_INPUTS)).rename(_EVIDENCE_INPUTS).unique()
    evidenced = intent_evidence.evidence(
        keys,
        categories=CATEGORIES,
        content_window=limits["content_window_chars"],
        user_form=regex_form(keys, "user"),
        context_form=regex_form(keys, "context_text"),
    )
    found = needed.join(
        evidenced,
        left_on=list(_EVIDENCE_INPUTS),
        right_on=list(_EVIDENCE_INPUTS.values()),
        how="left",
        nulls_equal=True,
    ).select(row, *intent_evidence.COLUMNS)
    return (
        labelled.lazy()
        .with_columns(pl.when(needs).then(needs.cast(index).cum_sum() - 1).alias(row))
        .join(found.lazy(), on=row, how="left", maintain_order="left")
        .select(pl.exclude(f"^{_P}.*$"))
        .collect(engine="in-memory")
    )
