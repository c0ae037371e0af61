"""Seeded sample production logs: one day of conversations drawn at once with numpy and Polars.

Each day has its own random stream (seeded with ``[seed, day]``), so a day's bytes do not depend on
the other days and the same seed always gives byte-identical files. Every random choice of the day
is one numpy draw over all conversations or turns; texts are assembled by ``Templates.render``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa

from spec_audit.sample.catalog import FLAGS, Bank, Catalog, Templates
from spec_audit.sample.injection import Change, asides_at, sycophancy_at, weights_at

#: Where a conversation is written.
DESTINATIONS = ("canonical", "openai_pair", "flat", "malformed")
#: Columns of the flat export, in order.
FLAT_COLUMNS = ("id", "model", "timestamp", "system", "prompt", "response", "surface")
#: How a deliberately broken canonical line is broken.
MALFORMATIONS = ("truncated_json", "missing_model", "unknown_role")


@dataclass
class Day:
    """One generated day: the frames to write and the per-turn generator labels."""

    canonical: pl.DataFrame  # canonical records, in started_at order (malformed ones included)
    # Lines of `canonical` to break: line (0-based), reason, cut (share kept when truncated).
    malformed: pl.DataFrame
    openai_pairs: pl.DataFrame
    flat: pl.DataFrame
    labels: pl.DataFrame


def day_counts(conversations: int, days: int, start: date, *, weekend: float = 0.8) -> list[int]:
    """Return conversations per day: weekend days get ``weekend`` times the traffic of weekdays,
    and the counts add up to ``conversations`` exactly (the remainder goes to the first days)."""
    is_weekend = np.array([(start + timedelta(days=d)).weekday() >= 5 for d in range(days)])
    weights = np.where(is_weekend, weekend, 1.0)
    counts = np.floor(conversations * weights / weights.sum()).astype(np.int64)
    counts[: conversations - counts.sum()] += 1
    return counts.tolist()


def _choice(rng: np.random.Generator, cumulative: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return one category per row, drawn from row ``rows[i]`` of a cumulative probability table."""
    u = rng.random(len(rows))
    return (u[:, None] >= cumulative[rows]).sum(axis=1)


def _cumulative(weights: np.ndarray) -> np.ndarray:
    """Return cumulative probabilities along the last axis, ending at exactly 1."""
    total = np.cumsum(weights, axis=-1)
    return total / total[..., -1:]


def _model_shares(catalog: Catalog, day: int, days: int) -> np.ndarray:
    """Return model probabilities per surface [surface, model] on a day."""
    shares = np.zeros((len(catalog.surfaces), len(catalog.models)))
    for s, surface in enumerate(catalog.surfaces):
        fixed = 0.0
        for m, spec in enumerate(catalog.raw["models"]):
            shares[s, m] = spec.get("surface_share", {}).get(surface, 0.0)
            fixed += shares[s, m]
        for m, spec in enumerate(catalog.raw["models"]):
            rollout = spec.get("rollout")
            if rollout and day >= rollout["from_day"]:
                span = max(days - 1 - rollout["from_day"], 1)
                progress = min((day - rollout["from_day"]) / span, 1.0)
                share = rollout["share_first"] + progress * (
                    rollout["share_last"] - rollout["share_first"]
                )
                shares[s, m] = (1 - fixed) * share
        shares[s, 0] = 1 - shares[s].sum()  # the first model is the baseline
    return shares


def _bank(bank: Bank) -> tuple[int, int]:
    """Return a bank as the (offset, count) pair ``Templates.pick`` takes."""
    return bank.offset, bank.count


def _iso(seconds: np.ndarray) -> pl.Series:
    """Return ISO 8601 UTC strings of epoch seconds."""
    return pl.from_epoch(pl.Series(seconds, dtype=pl.Int64), "s").dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _weighted(mapping: dict[str, float]) -> tuple[list[str], np.ndarray]:
    """Return the keys and their cumulative probabilities."""
    return list(mapping), _cumulative(np.array(list(mapping.values()), dtype=float))


def generate_day(
    catalog: Catalog,
    *,
    seed: int,
    day: int,
    days: int,
    when: date,
    n: int,
    malformed_rate: float,
    changes: Sequence[Change] = (),
) -> Day:
    """Return one day of ``n`` conversations, everything drawn from the ``[seed, day]`` stream,
    with the outcome mix and sycophancy that ``changes`` put in force on that day."""
    rng = np.random.default_rng([seed, day])
    raw, tpl = catalog.raw, catalog.templates
    stamp = f"{when:%Y%m%d}"
    midnight = int(datetime(when.year, when.month, when.day, tzinfo=UTC).timestamp())
    zeros = np.zeros(n, dtype=np.int64)

    # --- conversations: time of day (sorted, so files are in time order), surface, model, shape
    hours = np.array(raw["hours"], dtype=float)
    start = np.sort(rng.choice(24, size=n, p=hours / hours.sum()) * 3600 + rng.integers(0, 3600, n))
    surface_names, surface_cum = _weighted(raw["surfaces"])
    surface = _choice(rng, surface_cum[None, :], zeros)
    model = _choice(rng, _cumulative(_model_shares(catalog, day, days)), surface)
    turns_p = np.array(raw["turns"], dtype=float)
    n_turns = rng.choice(len(turns_p), size=n, p=turns_p / turns_p.sum()) + 1

    # Exports: OpenAI pairs come from the api surface, flat rows from single-turn conversations.
    api_surface = surface == surface_names.index("api")
    p_pair = raw["exports"]["openai_pairs"] / raw["surfaces"]["api"] * sum(raw["surfaces"].values())
    p_flat = raw["exports"]["flat"] / (turns_p[0] / turns_p.sum())
    u = rng.random((n, 4))
    destination = np.where(
        api_surface & (u[:, 0] < p_pair),
        1,
        np.where((n_turns == 1) & (u[:, 1] < p_flat), 2, np.where(u[:, 2] < malformed_rate, 3, 0)),
    )
    malformation = rng.integers(0, len(MALFORMATIONS), n)
    cut = rng.uniform(0.2, 0.9, n)
    no_reply = (destination == 0) & (u[:, 3] < raw["no_reply"])
    draws = rng.integers(0, 1 << 30, size=(n, len(tpl.slot_names)))

    # --- turns: fresh kinds, follow-ups that stay on the previous kind, outcomes from the policy
    conv = np.repeat(np.arange(n), n_turns)
    first = np.cumsum(n_turns) - n_turns
    t_count = len(conv)
    turn_index = np.arange(t_count) - first[conv]
    fresh_kind = rng.choice(
        len(catalog.kind_weight), size=t_count, p=catalog.kind_weight / catalog.kind_weight.sum()
    )
    fresh = (turn_index == 0) | (rng.random(t_count) >= raw["follow_up"])
    origin = np.maximum.accumulate(np.where(fresh, np.arange(t_count), 0))
    kind = fresh_kind[origin]
    t_model = model[conv]
    weights = weights_at(catalog, day, changes)
    outcome_cum = _cumulative(weights.reshape(-1, weights.shape[-1]))
    outcome = _choice(rng, outcome_cum, kind * len(catalog.models) + t_model)
    complies = catalog.outcomes["refusal"].to_numpy()[outcome] == "none"
    last = turn_index == n_turns[conv] - 1
    has_reply = ~(last & no_reply[conv])

    syco_p, syco_anywhere = sycophancy_at(catalog, day, changes)
    sycophantic = (complies | syco_anywhere[t_model]) & (rng.random(t_count) < syco_p[t_model])
    # A kind's own replies answer its prompt variant; follow-ups keep the variant they follow.
    u = rng.random((t_count, 6))
    pick = Templates.pick
    variant = (u[:, 0] * catalog.prompt[1][kind]).astype(np.int64)[origin]
    body_offset, body_count = catalog.body[0][kind, outcome], catalog.body[1][kind, outcome]
    aligned = body_offset + variant % np.maximum(body_count, 1)
    follow = catalog.follow_up
    parts_t = [
        np.where(
            fresh,
            catalog.prompt[0][kind] + variant,
            pick(follow[0][kind], follow[1][kind], u[:, 1]),
        ),
        np.where(
            fresh | sycophantic,  # a flattering opener replaces the follow-up lead
            0,
            np.where(
                complies,
                pick(*_bank(catalog.lead["comply"]), u[:, 2]),
                pick(*_bank(catalog.lead["refuse"]), u[:, 2]),
            ),
        ),
        np.where(
            sycophantic,
            pick(*_bank(catalog.opener["sycophantic"]), u[:, 3]),
            np.where(complies & fresh, pick(*_bank(catalog.opener["neutral"]), u[:, 3]), 0),
        ),
        np.where(
            catalog.body_follows_prompt[kind, outcome],
            aligned,
            pick(body_offset, body_count, u[:, 4]),
        ),
        pick(catalog.tail[0][kind, outcome], catalog.tail[1][kind, outcome], u[:, 5]),
        np.where(complies & fresh, pick(*_bank(catalog.closer), u[:, 5]), 0),
    ]
    # Asides (under an injection only) go before the closer, drawn from a stream of their own so
    # that a sample without them keeps its bytes.
    aside_flags: dict[str, np.ndarray] = {}
    active = asides_at(catalog, day, changes)
    extra = np.random.default_rng([seed, day, 1])
    for name, chance in active.items():
        hit = extra.random(t_count) < chance[t_model]
        bank = catalog.aside[name]
        parts_t.insert(-1, np.where(hit, pick(bank.offset, bank.count, extra.random(t_count)), 0))
        aside_flags[catalog.aside_flag[name]] = hit
    texts = tpl.render(np.concatenate(parts_t), np.tile(conv, len(parts_t)), draws)
    parts = [texts.slice(i * t_count, t_count).alias(f"p{i}") for i in range(len(parts_t))]
    user_text = parts[0]
    reply_text = (
        pl.DataFrame([*parts[1:], pl.Series("r", has_reply)])
        .select(pl.when("r").then(pl.concat_str(pl.exclude("r"))).alias("reply"))
        .to_series()
    )

    # --- timing: users pause between turns, replies take a few seconds
    gap = np.where(turn_index == 0, 0, rng.integers(15, 400, t_count))
    delay = rng.integers(2, 25, t_count)
    step = gap + np.where(turn_index == 0, 0, np.roll(delay, 1))
    offset = np.cumsum(step)
    offset -= offset[first][conv]
    user_at = midnight + start[conv] + offset
    reply_at = user_at + delay

    # --- system / developer instructions per surface
    has_system = np.zeros(n, dtype=bool)
    system_t = np.zeros(n, dtype=np.int64)
    role_of_surface = []
    for s, name in enumerate(surface_names):
        prompt = raw["system_prompts"][name]
        on = (surface == s) & (rng.random(n) < prompt["share"])
        bank = catalog.system[name]
        has_system |= on
        system_t = np.where(
            on, pick(np.full(n, bank.offset), np.full(n, bank.count), rng.random(n)), system_t
        )
        role_of_surface.append(prompt["role"])
    system_text = tpl.render(system_t, np.arange(n), draws)
    system_role = np.array(role_of_surface)[surface]

    # --- the messages list: system?, then user/assistant per turn, ordered by (conversation, seq)
    sys_rows = np.flatnonzero(has_system)
    rep_rows = np.flatnonzero(has_reply)
    msg_conv = np.concatenate([sys_rows, conv, conv[rep_rows]])
    msg_seq = np.concatenate(
        [np.zeros(len(sys_rows), np.int64), 1 + 2 * turn_index, 2 + 2 * turn_index[rep_rows]]
    )
    order = np.argsort(msg_conv * 16 + msg_seq, kind="stable")
    roles = [system_role[sys_rows], np.full(t_count, "user"), np.full(len(rep_rows), "assistant")]
    messages = pl.DataFrame(
        {
            "role": np.concatenate(roles),
            "content": pl.concat(
                [system_text.gather(sys_rows), user_text, reply_text.gather(rep_rows)]
            ),
            "created_at": _iso(
                np.concatenate([midnight + start[sys_rows], user_at, reply_at[rep_rows]])
            ),
        }
    )[order]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(msg_conv, minlength=n))]).astype(np.int32)
    message_list = pl.from_arrow(
        pa.ListArray.from_arrays(pa.array(offsets), messages.to_struct("m").to_arrow())
    )

    # --- the records, in started_at order
    meta = raw["metadata"]
    locales, locale_cum = _weighted(meta["locale"])
    arms, arm_cum = _weighted(meta["experiment_arm"])
    versions = [meta["app_version"][s] for s in surface_names]
    version_count = np.array([len(v) for v in versions])
    version_offset = np.concatenate([[0], np.cumsum(version_count)[:-1]])
    version_values = np.array([v for vs in versions for v in vs])
    version = version_offset[surface] + rng.integers(0, 1 << 30, n) % version_count[surface]
    number = pl.Series(np.arange(n)).cast(pl.String).str.zfill(6)
    model_name = np.array(catalog.models)[model]
    records = pl.DataFrame(
        {
            "conversation_id": ("conv-" + stamp + "-") + number,
            "model": model_name,
            "surface": np.array(surface_names)[surface],
            "started_at": _iso(midnight + start),
            "messages": message_list,
            "metadata": pl.DataFrame(
                {
                    "locale": np.array(locales)[_choice(rng, locale_cum[None, :], zeros)],
                    "app_version": version_values[version],
                    "experiment_arm": np.array(arms)[_choice(rng, arm_cum[None, :], zeros)],
                }
            ).to_struct(),
        }
    )
    canonical_rows = np.flatnonzero((destination == 0) | (destination == 3))
    broken = np.flatnonzero(destination[canonical_rows] == 3)
    malformed = pl.DataFrame(
        {
            "line": broken,
            "reason": np.array(MALFORMATIONS)[malformation[canonical_rows[broken]]],
            "cut": cut[canonical_rows[broken]],
        },
        schema={"line": pl.Int64, "reason": pl.String, "cut": pl.Float64},
    )

    # OpenAI pairs: the request holds everything before the last reply, which is the response.
    pair_rows = np.flatnonzero(destination == 1)
    last_turn = first + n_turns - 1
    alias = np.array([m.rsplit("-", 2)[0] for m in catalog.models])[model]
    content = pl.element().struct.field("content")
    openai_pairs = records[pair_rows].select(
        request=pl.struct(
            model=pl.Series(alias[pair_rows]),
            messages=pl.col("messages")
            .list.head(pl.col("messages").list.len() - 1)
            .list.eval(pl.struct(role=pl.element().struct.field("role"), content=content)),
        ),
        response=pl.struct(
            id=("chatcmpl-" + stamp + "-") + number.gather(pair_rows),
            object=pl.lit("chat.completion"),
            created=pl.Series(reply_at[last_turn[pair_rows]], dtype=pl.Int64),
            model=pl.col("model"),
            choices=pl.concat_list(
                pl.struct(
                    index=pl.lit(0),
                    message=pl.struct(
                        role=pl.lit("assistant"),
                        content=pl.col("messages").list.last().struct.field("content"),
                    ),
                    finish_reason=pl.lit("stop"),
                )
            ),
        ),
        surface=pl.col("surface"),
    )

    flat_rows = np.flatnonzero(destination == 2)
    flat = (
        records[flat_rows]
        .select(
            id=pl.col("conversation_id"),
            model=pl.col("model"),
            timestamp=pl.col("started_at"),
            system=pl.when(pl.Series(has_system[flat_rows])).then(system_text.gather(flat_rows)),
            prompt=user_text.gather(first[flat_rows]),
            response=reply_text.gather(first[flat_rows]),
            surface=pl.col("surface"),
        )
        .select(FLAT_COLUMNS)
    )

    # --- generator labels per turn (truth about the draw; never written into the logs)
    written_id = pl.concat_str(
        pl.when(pl.Series(destination == 1)).then(pl.lit("chatcmpl-")).otherwise(pl.lit("conv-")),
        pl.lit(stamp + "-"),
        number,
    )
    ids = pl.select(written_id).to_series()
    kinds = catalog.kinds[kind]
    group_type = catalog.group_types[
        draws[conv, tpl.slot_names.index("group")] % len(catalog.group_types)
    ]
    outcomes = catalog.outcomes[outcome]
    reply = pl.Series(has_reply)
    labels = pl.DataFrame(
        {
            "conversation_id": ids.gather(conv),
            "turn_index": pl.Series(turn_index, dtype=pl.Int32),
            "day": pl.repeat(when, t_count, eager=True, dtype=pl.Date),
            "model": model_name[conv],
            "surface": np.array(surface_names)[surface[conv]],
            "destination": np.array(DESTINATIONS)[destination[conv]],
            "malformation": pl.Series(np.array(MALFORMATIONS)[malformation[conv]]),
            "kind": kinds["kind"],
            "group": kinds["group"],
            "follow_up": ~fresh,
            "prompt_intent": kinds["prompt_intent"],
            "harm_category": kinds["harm_category"],
            "regulated_domain": kinds["regulated_domain"],
            "demographic_group": np.where(kinds["mentions_group"].to_numpy(), group_type, "none"),
            "outcome": outcomes["name"],
            "has_reply": has_reply,
            "refusal": outcomes["refusal"],
            "sycophancy": sycophantic,
        }
        | {flag: outcomes[flag].to_numpy() | aside_flags.get(flag, False) for flag in FLAGS}
    )
    reply_only = ["refusal", "sycophancy", *FLAGS]
    labels = labels.with_columns(
        pl.when(pl.col("destination") == "malformed").then(pl.col("malformation")),
        pl.col("prompt_intent").eq("harmful").alias("prompt_harmful"),
        *(pl.when(reply).then(pl.col(c)).alias(c) for c in reply_only),
    )
    return Day(records[canonical_rows], malformed, openai_pairs, flat, labels)
