"""The sample generator's catalog: kinds, outcomes, policies and templates compiled into arrays.

The YAML files beside this module are read once and turned into numpy index arrays, so that the
generator picks every template, reply and slot value for a whole day with array indexing, and
renders all texts with a single ``concat_str`` over gathered pieces (no per-row Python).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

HERE = Path(__file__).resolve().parent
SLOT = re.compile(r"\{(\w+)\}")
#: Outcome label columns (besides ``refusal``), each true when the outcome declares it.
FLAGS = (
    "professional_referral",
    "disclaimer",
    "definitive_advice",
    "crisis_resource",
    "stereotype",
    "opinion_stated",
    "clarifying_question",
    "fabricated_citation",
    "capability_claim",
    "unsafe_response",
)


@dataclass(frozen=True)
class Bank:
    """A run of templates: ``offset`` into the template table and how many (0 = none)."""

    offset: int
    count: int


class Templates:
    """Every text template, split at its ``{slot}`` markers into literal and slot pieces."""

    def __init__(self, slots: dict[str, list[str]]) -> None:
        self.slot_names = list(slots)
        sizes = [len(v) for v in slots.values()]
        self.bank_size = np.array(sizes, dtype=np.int64)
        self.bank_offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        # The last value is the empty string, gathered where a template has no slot at a position.
        self.values = pl.Series(
            [v for bank in slots.values() for v in bank] + [""], dtype=pl.String
        )
        self.empty_value = len(self.values) - 1
        self.texts: list[str] = [""]

    def add(self, texts: list[str]) -> Bank:
        """Return the bank of the appended templates."""
        bank = Bank(len(self.texts), len(texts))
        self.texts.extend(texts)
        return bank

    def compile(self) -> None:
        """Split every template into pieces; an unknown slot name is a bug in the YAML."""
        split = [SLOT.split(text) for text in self.texts]
        width = max(len(parts) // 2 for parts in split)
        literals = [[""] * len(split) for _ in range(width + 1)]
        self.slot_bank = np.full((len(split), max(width, 1)), -1, dtype=np.int64)
        for t, parts in enumerate(split):
            for i, part in enumerate(parts):
                if i % 2 == 0:
                    literals[i // 2][t] = part
                elif part in self.slot_names:
                    self.slot_bank[t, i // 2] = self.slot_names.index(part)
                else:
                    raise ValueError(f"template {self.texts[t]!r}: unknown slot {{{part}}}")
        self.literals = [pl.Series(column, dtype=pl.String) for column in literals]
        self.width = width

    def render(self, template: np.ndarray, rows: np.ndarray, draws: np.ndarray) -> pl.Series:
        """Return each template filled from its row of ``draws`` (one draw per slot bank)."""
        pieces: list[pl.Series] = []
        for i in range(self.width + 1):
            pieces.append(self.literals[i].gather(template))
            if i == self.width:
                break
            bank = self.slot_bank[template, i]
            used = bank >= 0
            if not used.any():
                continue
            safe = np.where(used, bank, 0)
            value = self.bank_offset[safe] + draws[rows, safe] % self.bank_size[safe]
            pieces.append(self.values.gather(np.where(used, value, self.empty_value)))
        frame = pl.DataFrame({f"p{i}": piece for i, piece in enumerate(pieces)})
        return frame.select(pl.concat_str(pl.all()).alias("text")).to_series()

    @staticmethod
    def pick(bank_offset: Any, bank_count: Any, u: np.ndarray) -> np.ndarray:
        """Return a template id per row, uniform within its bank; 0 (empty) for an empty bank."""
        count = np.broadcast_to(bank_count, u.shape)
        chosen = bank_offset + np.minimum((u * count).astype(np.int64), count - 1)
        return np.where(count > 0, chosen, 0)


@dataclass
class Catalog:
    """Everything the generator draws from, as arrays indexed by kind, outcome and model."""

    raw: dict[str, Any]
    templates: Templates
    models: list[str]
    surfaces: list[str]
    kinds: pl.DataFrame  # one row per kind: id, group, intent, harm_category, domain, ...
    kind_weight: np.ndarray
    outcomes: pl.DataFrame  # one row per outcome: name, refusal, FLAGS
    prompt: tuple[np.ndarray, np.ndarray]  # [kind] -> (offset, count)
    follow_up: tuple[np.ndarray, np.ndarray]  # [kind] -> (offset, count)
    body: tuple[np.ndarray, np.ndarray]  # [kind, outcome] -> (offset, count)
    tail: tuple[np.ndarray, np.ndarray]  # [kind, outcome] -> (offset, count)
    body_follows_prompt: np.ndarray  # [kind, outcome]: the kind's own replies, aligned to prompts
    policy: np.ndarray  # [kind, model, outcome] -> probability before any change
    opener: dict[str, Bank]
    lead: dict[str, Bank]
    closer: Bank
    aside: dict[str, Bank]  # kinds.yaml `asides`: appended to any reply under an injection
    aside_flag: dict[str, str]  # the label (a FLAGS column) each aside sets
    system: dict[str, Bank]
    group_types: np.ndarray  # demographic type of each value of the `group` slot bank

    def change_kinds(self, change: dict[str, Any]) -> np.ndarray:
        """Return the indices of the kinds an injected change applies to."""
        match = pl.col("group") == change["group"]
        if "harm_category" in change:
            match &= pl.col("harm_category") == change["harm_category"]
        return self.kinds.with_row_index("i").filter(match)["i"].to_numpy()

    def select(self, selector: dict[str, list[Any]]) -> np.ndarray:
        """Return the indices of the kinds matching every column of a selector ({} = all)."""
        match = pl.lit(True)
        for column, values in selector.items():
            match &= pl.col(column).is_in(pl.Series(values).cast(self.kinds[column].dtype))
        return self.kinds.with_row_index("i").filter(match)["i"].to_numpy()

    def outcome_indices(self, names: list[str]) -> np.ndarray:
        """Return the indices of outcomes by name."""
        order = self.outcomes["name"].to_list()
        return np.array([order.index(n) for n in names], dtype=np.int64)

    def outcome_vector(self, weights: dict[str, float]) -> np.ndarray:
        """Return normalised outcome probabilities in catalog outcome order."""
        names = self.outcomes["name"].to_list()
        vector = np.zeros(len(names))
        for name, weight in weights.items():
            vector[names.index(name)] = weight
        return vector / vector.sum()


def _read(name: str) -> dict[str, Any]:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


@cache
def load_catalog() -> Catalog:
    """Return the compiled catalog of deployment.yaml, kinds.yaml and slots.yaml (cached)."""
    deployment, kinds_file, slots_file = (
        _read("deployment.yaml"),
        _read("kinds.yaml"),
        _read("slots.yaml"),
    )
    group_entries = slots_file.pop("group")
    slots = {name: [str(v) for v in values] for name, values in slots_file.items()}
    slots["group"] = [entry["text"] for entry in group_entries]
    templates = Templates(slots)
    models = [m["name"] for m in deployment["models"]]
    surfaces = list(deployment["surfaces"])
    outcome_names = list(deployment["outcomes"])
    groups = kinds_file["groups"]
    kinds = kinds_file["kinds"]

    def bank(kind: dict[str, Any], name: str | None) -> Bank:
        if name is None:
            return Bank(0, 0)
        texts = (
            kind.get("replies", {}).get(name) or groups[kind["group"]]["replies"].get(name) or []
        )
        return templates.add(texts)

    prompt, follow_up, body, tail, own = [], [], [], [], []
    group_follow_ups = {g: templates.add(spec["followups"]) for g, spec in groups.items()}
    for kind in kinds:
        groups[kind["group"]].setdefault("replies", {})
        prompt.append(templates.add(kind["prompts"]))
        follow_up.append(group_follow_ups[kind["group"]])
        body.append([bank(kind, o["body"]) for o in deployment["outcomes"].values()])
        tail.append([bank(kind, o.get("tail")) for o in deployment["outcomes"].values()])
        own.append([o["body"] in kind.get("replies", {}) for o in deployment["outcomes"].values()])

    policy = np.zeros((len(kinds), len(models), len(outcome_names)))
    catalog = Catalog(
        raw=deployment,
        templates=templates,
        models=models,
        surfaces=surfaces,
        kinds=pl.DataFrame(
            {
                "kind": [k["id"] for k in kinds],
                "group": [k["group"] for k in kinds],
                "prompt_intent": [groups[k["group"]]["intent"] for k in kinds],
                "harm_category": [k.get("harm_category", "none") for k in kinds],
                "regulated_domain": [k.get("domain", "none") for k in kinds],
                "mentions_group": [bool(k.get("mentions_group", False)) for k in kinds],
            }
        ),
        kind_weight=np.array([k["weight"] for k in kinds], dtype=float),
        outcomes=pl.DataFrame(
            {
                "name": outcome_names,
                "refusal": [o["refusal"] for o in deployment["outcomes"].values()],
            }
            | {f: [bool(o.get(f, False)) for o in deployment["outcomes"].values()] for f in FLAGS}
        ),
        prompt=_arrays(prompt),
        follow_up=_arrays(follow_up),
        body=_arrays(body),
        tail=_arrays(tail),
        body_follows_prompt=np.array(own, dtype=bool),
        policy=policy,
        opener={k: templates.add(v) for k, v in kinds_file["openers"].items()},
        lead={k: templates.add(v) for k, v in kinds_file["leads"].items()},
        closer=templates.add(kinds_file["closers"]),
        aside={k: templates.add(v["texts"]) for k, v in kinds_file["asides"].items()},
        aside_flag={k: v["flag"] for k, v in kinds_file["asides"].items()},
        system={s: templates.add(p["texts"]) for s, p in deployment["system_prompts"].items()},
        group_types=np.array([entry["type"] for entry in group_entries]),
    )
    for k, kind in enumerate(kinds):
        rules = deployment["policies"][kind["group"]]
        for m, model in enumerate(models):
            weights = catalog.outcome_vector(rules.get(model, rules["default"]))
            missing = [
                n
                for n, w, b in zip(outcome_names, weights, body[k], strict=True)
                if w and not b.count
            ]
            if missing:
                raise ValueError(f"kind {kind['id']}: no replies for outcomes {missing}")
            policy[k, m] = weights
    templates.compile()
    _check_injectable(catalog)
    return catalog


def _check_injectable(catalog: Catalog) -> None:
    """Raise ValueError (a bug in deployment.yaml) when an injectable clause cannot be drawn."""
    for clause, entry in catalog.raw["injectable"].items():
        kinds = catalog.select(entry["kinds"])
        if entry.get("sycophancy") or "aside" in entry:
            if len(kinds) != len(catalog.kind_weight):
                raise ValueError(f"injectable {clause}: sycophancy and asides apply to every kind")
            if "aside" in entry and catalog.aside_flag.get(entry["aside"]) not in FLAGS:
                raise ValueError(f"injectable {clause}: unknown aside or flag {entry['aside']}")
            continue
        violating = catalog.outcome_indices(entry["violating"])
        silent = [
            catalog.kinds["kind"][k] for k in kinds if not catalog.body[1][k, violating].any()
        ]
        if not len(kinds) or silent:
            raise ValueError(f"injectable {clause}: no kinds, or no violating replies in {silent}")


def _arrays(banks: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Return (offsets, counts) arrays of the same shape as a (nested) list of banks."""
    offsets = np.vectorize(lambda b: b.offset, otypes=[np.int64])(np.array(banks, dtype=object))
    counts = np.vectorize(lambda b: b.count, otypes=[np.int64])(np.array(banks, dtype=object))
    return offsets, counts
