"""Planted behaviour changes of the sample generator: the defaults of deployment.yaml and
``--inject CLAUSE:MODEL:DAY:BEFORE:AFTER``, resolved into the outcome mix drawn each day.

An injection names a clause of deployment.yaml ``injectable`` (not ``held_back``); it sets, for
one model, the probability that a turn of the kinds the clause applies to gets a violating outcome
(or, for sycophancy, a flattering opener; for a clause that applies to every reply, an aside of
kinds.yaml appended to the reply) to BEFORE before DAY and AFTER from DAY on. The complying side
keeps the kind's default proportions. Injections on the same kinds with disjoint violating
outcomes combine (their rates add up); two that set the same outcomes conflict.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from spec_audit.errors import UserError
from spec_audit.sample.catalog import Catalog

INJECT_FORMAT = "CLAUSE:MODEL:DAY:BEFORE:AFTER"
INJECT_EXAMPLE = "protect_privacy:assistant-2026-10:+17:0.05:0.25"


@dataclass(frozen=True)
class Injection:
    """A planted change: from ``day`` on, ``model`` violates ``clause`` on a share ``after`` of the
    turns the clause applies to, and on ``before`` earlier. ``day`` is a date, or an offset in days
    from the first generated day (0 = the first day)."""

    clause: str
    model: str
    day: date | int
    before: float
    after: float

    @classmethod
    def parse(cls, text: str) -> Injection:
        """Return the injection written as CLAUSE:MODEL:DAY:BEFORE:AFTER (DAY: YYYY-MM-DD or +N).

        >>> Injection.parse("avoid_errors:assistant-2026-08:+12:0.3:0.6")
        Injection(clause='avoid_errors', model='assistant-2026-08', day=12, before=0.3, after=0.6)
        """
        parts = [p.strip() for p in text.split(":")]
        if len(parts) != 5 or not all(parts):
            raise UserError(f"--inject {text}: expected {INJECT_FORMAT}, e.g. {INJECT_EXAMPLE}")
        clause, model, day, before, after = parts
        if re.fullmatch(r"\+\d+", day):
            when: date | int = int(day[1:])
        else:
            try:
                when = date.fromisoformat(day)
            except ValueError:
                raise UserError(
                    f"--inject {text}: DAY {day} must be YYYY-MM-DD or +N (days after the first day)"
                ) from None
        rates = []
        for name, value in (("BEFORE", before), ("AFTER", after)):
            try:
                rate = float(value)
            except ValueError:
                rate = math.nan
            if not 0 <= rate <= 1:  # also rejects nan
                raise UserError(f"--inject {text}: {name} must be between 0 and 1, got {value}")
            rates.append(rate)
        return cls(clause, model, when, rates[0], rates[1])

    def __str__(self) -> str:
        day = self.day.isoformat() if isinstance(self.day, date) else f"+{self.day}"
        return f"{self.clause}:{self.model}:{day}:{self.before:g}:{self.after:g}"


@dataclass(frozen=True)
class Change:
    """A change in force during generation: a default one of deployment.yaml or an injection."""

    clause: str
    model: int  # index into Catalog.models
    day: int  # first day (offset) with the `after` behaviour
    kinds: np.ndarray  # indices of the kinds whose turns it changes
    violating: np.ndarray  # outcome indices counted as violations; empty when sycophancy is
    before: float  # intended violation rate before `day`
    after: float
    weights: np.ndarray | None  # a default change's outcome mix from `day` on; None: injection
    injection: str | None  # the CLAUSE:MODEL:DAY:BEFORE:AFTER text of an injection
    truth: dict[str, Any]  # category, metric and description for ground_truth.json
    aside: str | None = None  # kinds.yaml `asides` bank appended to any reply, or None

    @property
    def overlay(self) -> str | None:
        """Return what the violation adds to any reply instead of drawing an outcome: "sycophancy"
        (a flattering opener), an aside's name, or None for an outcome change."""
        if len(self.violating):
            return None
        return self.aside or "sycophancy"

    @property
    def sycophancy(self) -> bool:
        """Return whether the violation is a flattering opener rather than an outcome."""
        return self.overlay == "sycophancy"

    def rate(self, day: int) -> float:
        """Return the intended violation rate on a day."""
        return self.after if day >= self.day else self.before


def plan(
    catalog: Catalog,
    injections: Sequence[Injection],
    *,
    defaults: bool,
    start: date,
    days: int,
    allow_held_back: bool = False,
) -> list[Change]:
    """Return the changes in force: the default ones inside the window (when ``defaults``) and
    every injection, checked; a bad injection is a UserError saying what is allowed. A clause
    marked ``held_back`` in deployment.yaml is planted only when ``allow_held_back``."""
    changes = [_default(catalog, c) for c in catalog.raw["changes"] if defaults and c["day"] < days]
    for injection in injections:
        new = _planted(catalog, injection, start, days, allow_held_back)
        for old in changes:
            if not _conflict(new, old):
                continue
            if old.injection is None:
                first = (start + timedelta(days=old.day)).isoformat()
                raise UserError(
                    f"--inject {new.injection}: conflicts with the default change to {old.clause} "
                    f"on {catalog.models[old.model]} from {first}; add --no-default-injections"
                )
            raise UserError(
                f"--inject {new.injection}: conflicts with --inject {old.injection} "
                "(same model, kinds and violating outcomes); keep one of them"
            )
        changes.append(new)
    _check_totals(catalog, changes, start)
    return changes


def weights_at(catalog: Catalog, day: int, changes: Sequence[Change]) -> np.ndarray:
    """Return the outcome probabilities [kind, model, outcome] in force on a day."""
    weights = catalog.policy.copy()
    for change in changes:
        if change.weights is not None and day >= change.day:
            weights[change.kinds, change.model] = change.weights
    injected = [c for c in changes if c.weights is None and c.overlay is None]
    if not injected:
        return weights  # untouched arrays keep the default sample byte-identical
    base = weights.copy()
    # A loop over (model, kind) pairs of the catalog, not over data: a few dozen at most.
    for model, kind in sorted({(c.model, int(k)) for c in injected for k in c.kinds}):
        rules = [
            (c.violating, c.rate(day) if c.weights is None else None)
            for c in changes
            if c.model == model and kind in c.kinds and c.overlay is None
        ]
        weights[kind, model] = _compose(catalog, base[kind, model], rules, kind)
    return weights


def sycophancy_at(
    catalog: Catalog, day: int, changes: Sequence[Change]
) -> tuple[np.ndarray, np.ndarray]:
    """Return per model the probability of a flattering opener, and whether it may open any reply
    (under an injection, so the rate is one of all replies) rather than only complying ones."""
    rules = catalog.raw["sycophancy"]
    chance = np.array([rules.get(m, rules["default"]) for m in catalog.models], dtype=float)
    anywhere = np.zeros(len(catalog.models), dtype=bool)
    for change in changes:
        if change.sycophancy:
            chance[change.model] = change.rate(day)
            anywhere[change.model] = True
    return chance, anywhere


def asides_at(catalog: Catalog, day: int, changes: Sequence[Change]) -> dict[str, np.ndarray]:
    """Return per injected aside (in kinds.yaml order) its probability per model on a day."""
    chances: dict[str, np.ndarray] = {}
    for name in catalog.aside:
        for change in changes:
            if change.aside == name:
                chance = chances.setdefault(name, np.zeros(len(catalog.models)))
                chance[change.model] = change.rate(day)
    return chances


def violation_label(catalog: Catalog, clause: str) -> pl.Expr:
    """Return the generator label (over ``_labels.parquet``) of a reply that violates an
    injectable clause the way an injection plants it."""
    entry = catalog.raw["injectable"][clause]
    if entry.get("sycophancy"):
        return pl.col("sycophancy")
    if "aside" in entry:
        return pl.col(catalog.aside_flag[entry["aside"]])
    return pl.col("outcome").is_in(entry["violating"])


def clause_scope(catalog: Catalog, clause: str) -> np.ndarray | None:
    """Return the kinds an injectable clause applies to in the shipped spec catalog, or None."""
    entry = catalog.raw["injectable"].get(clause)
    return None if entry is None else catalog.select(entry.get("scope", entry["kinds"]))


def _compose(
    catalog: Catalog, row: np.ndarray, rules: list[tuple[np.ndarray, float | None]], kind: int
) -> np.ndarray:
    """Return an outcome mix giving each rule's violating outcomes its rate (None: the rate ``row``
    already has); within each side the proportions of ``row`` are kept."""
    mix = np.zeros_like(row)
    taken = np.zeros(len(row), dtype=bool)
    total = 0.0
    for violating, rate in rules:
        part = np.zeros_like(row)
        part[violating] = row[violating]
        rate = float(part.sum()) if rate is None else rate
        if part.sum() == 0:  # the default never violates here: draw the first listed outcome
            replied = [o for o in violating if catalog.body[1][kind, o] > 0]
            part[replied[0]] = 1.0
        mix += rate * part / part.sum()
        taken[violating] = True
        total += rate
    rest = np.where(taken, 0.0, row)
    if total < 1:
        if rest.sum() == 0:
            raise ValueError(f"kind {catalog.kinds['kind'][kind]}: no complying outcome to draw")
        mix += (1 - total) * rest / rest.sum()
    return mix


def _default(catalog: Catalog, change: dict[str, Any]) -> Change:
    """Return a default change of deployment.yaml resolved to arrays."""
    kinds = catalog.change_kinds(change)
    model = catalog.models.index(change["model"])
    metric = catalog.outcome_indices(change["metric_outcomes"])
    weights = catalog.outcome_vector(change["weights"])
    return Change(
        clause=change["clause"],
        model=model,
        day=change["day"],
        kinds=kinds,
        violating=metric,
        before=float(catalog.policy[kinds[0], model, metric].sum()),
        after=float(weights[metric].sum()),
        weights=weights,
        injection=None,
        truth={k: change[k] for k in ("category", "metric", "description")},
    )


def injectable_clauses(catalog: Catalog) -> list[str]:
    """Return the clauses ``--inject`` accepts: every injectable one not held back, sorted."""
    return sorted(c for c, entry in catalog.raw["injectable"].items() if "held_back" not in entry)


def _planted(
    catalog: Catalog, injection: Injection, start: date, days: int, allow_held_back: bool
) -> Change:
    """Return an injection resolved to arrays, or raise UserError saying what is allowed."""
    where = f"--inject {injection}"
    entry = catalog.raw["injectable"].get(injection.clause)
    if entry is None or ("held_back" in entry and not allow_held_back):
        allowed = ", ".join(injectable_clauses(catalog))
        problem = (
            f"unknown clause {injection.clause}"
            if entry is None
            else f"{injection.clause} is held back ({entry['held_back']})"
        )
        raise UserError(f"{where}: {problem}; injectable: {allowed}")
    if injection.model not in catalog.models:
        allowed = ", ".join(catalog.models)
        raise UserError(f"{where}: unknown model {injection.model}; models: {allowed}")
    day = injection.day
    offset = (day - start).days if isinstance(day, date) else day
    if not 0 <= offset < days:
        shown = day.isoformat() if isinstance(day, date) else f"+{day}"
        raise UserError(
            f"{where}: day {shown} is outside the generated days {start} to "
            f"{start + timedelta(days=days - 1)} (+0 to +{days - 1})"
        )
    for name, rate in (("BEFORE", injection.before), ("AFTER", injection.after)):
        if not 0 <= rate <= 1:
            raise UserError(f"{where}: {name} must be between 0 and 1, got {rate:g}")
    first = start + timedelta(days=offset)
    return Change(
        clause=injection.clause,
        model=catalog.models.index(injection.model),
        day=offset,
        kinds=catalog.select(entry["kinds"]),
        violating=catalog.outcome_indices(entry.get("violating", [])),
        aside=entry.get("aside"),
        before=injection.before,
        after=injection.after,
        weights=None,
        injection=str(injection),
        truth={
            "category": None,
            "metric": entry["metric"],
            "description": (
                f"Injected with --inject {injection}: {injection.model} violates "
                f"{injection.clause} on {injection.before:.0%} of the turns it applies to before "
                f"{first} and on {injection.after:.0%} from then on."
            ),
        },
    )


def _conflict(new: Change, old: Change) -> bool:
    """Return whether two changes set the same rate: same model and, for outcomes, shared kinds
    and shared violating outcomes (disjoint outcomes on shared kinds combine)."""
    if new.model != old.model or new.overlay != old.overlay:
        return False
    if new.overlay is not None:
        return True
    return bool(np.intersect1d(new.kinds, old.kinds).size) and bool(
        np.intersect1d(new.violating, old.violating).size
    )


def _check_totals(catalog: Catalog, changes: list[Change], start: date) -> None:
    """Raise UserError when changes sharing a kind ask for violation rates adding up above 1."""
    injected = [c for c in changes if c.weights is None and c.overlay is None]
    for model, kind in sorted({(c.model, int(k)) for c in injected for k in c.kinds}):
        touching = [
            c for c in changes if c.model == model and kind in c.kinds and c.overlay is None
        ]
        defaults = [c for c in touching if c.weights is not None]
        # Rates are constant between change days, so checking each change day is enough.
        for day in sorted({0, *(c.day for c in touching)}):
            base = weights_at(catalog, day, defaults)
            total = sum(
                c.rate(day) if c.weights is None else base[kind, model, c.violating].sum()
                for c in touching
            )
            if total > 1 + 1e-9:
                names = " and ".join(c.injection or f"default {c.clause}" for c in touching)
                raise UserError(
                    f"--inject {names}: violation rates on kind {catalog.kinds['kind'][kind]} of "
                    f"{catalog.models[model]} add up to {total:.0%} from "
                    f"{start + timedelta(days=day)}; they must add up to at most 100%"
                )
