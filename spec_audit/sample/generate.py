"""Write seeded sample production logs, in all three input shapes, and their ground truth.

Output folder layout:

- ``conversations-YYYY-MM-DD.jsonl.gz``: canonical records (DESIGN.md §3), one file per day,
  including ``malformed_rate`` deliberately broken lines;
- ``api-export-openai.jsonl``: about 3% of conversations as chat-completions request/response pairs;
- ``flat-export.csv``: about 2% as flat rows (id, model, timestamp, system, prompt, response,
  surface);
- ``ground_truth.json``: generation parameters, counts, malformed lines and every injected change
  (the defaults of deployment.yaml and each ``Injection``) with its intended and observed rates;
- ``_labels.parquet``: the generator's own per-turn truth (kind, outcome, refusal, flags). It is not
  input: ingest must skip files whose name starts with ``_``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from spec_audit.errors import UserError
from spec_audit.sample.catalog import Catalog, load_catalog
from spec_audit.sample.day import FLAT_COLUMNS, MALFORMATIONS, day_counts, generate_day
from spec_audit.sample.injection import Change, Injection, clause_scope, plan

OPENAI_FILE = "api-export-openai.jsonl"
FLAT_FILE = "flat-export.csv"
GROUND_TRUTH_FILE = "ground_truth.json"
LABELS_FILE = "_labels.parquet"
# Level 6 is gzip's default; it costs a few seconds per million conversations over level 1 but
# keeps the files about a third smaller, which matters more for the demo's landing folder.
GZIP_LEVEL = 6


@dataclass(frozen=True)
class SampleResult:
    """What ``generate_sample`` wrote: log files, counts, ground truth and the labels file."""

    out_dir: Path
    files: list[Path]  # the log files (inputs to ingest), in write order
    conversations: int  # requested = valid conversations in all files + malformed lines
    ground_truth: dict[str, Any]
    ground_truth_path: Path
    labels_path: Path
    counts: dict[str, int] = field(default_factory=dict)


def generate_sample(
    out_dir: Path,
    *,
    conversations: int = 20000,
    days: int = 30,
    seed: int = 7,
    start: date = date(2026, 10, 1),
    malformed_rate: float = 0.001,
    on_progress: Callable[[int, int], None] | None = None,
    injections: Sequence[Injection] = (),
    default_injections: bool = True,
    allow_held_back: bool = False,
) -> SampleResult:
    """Return what was written after generating ``conversations`` over ``days`` into ``out_dir``.

    ``injections`` plant changes of chosen size (see ``spec_audit.sample.injection``);
    ``default_injections=False`` drops the two default changes of deployment.yaml;
    ``allow_held_back=True`` also plants clauses deployment.yaml holds back from ``--inject``. The
    same arguments always produce byte-identical files.
    """
    if conversations < 0:
        raise UserError(f"conversations: must be 0 or more, got {conversations}")
    if days < 1:
        raise UserError(f"days: must be 1 or more, got {days}")
    if not 0 <= malformed_rate <= 1:
        raise UserError(f"malformed_rate: must be between 0 and 1, got {malformed_rate}")
    catalog = load_catalog()
    changes = plan(
        catalog,
        injections,
        defaults=default_injections,
        start=start,
        days=days,
        allow_held_back=allow_held_back,
    )
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir}: exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)

    files: list[Path] = []
    # Exports are serialised per day: the frames are views into the whole day's text buffers.
    pairs: list[bytes] = []
    flats: list[bytes] = []
    labels: list[pl.DataFrame] = []
    # One background thread compresses and writes day d while day d+1 is drawn (zlib releases the
    # GIL); waiting for it before queueing the next day keeps at most one day's bytes in memory.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[None] | None = None
        for day, n in enumerate(
            day_counts(conversations, days, start, weekend=catalog.raw["weekend"])
        ):
            when = start + timedelta(days=day)
            drawn = generate_day(
                catalog,
                seed=seed,
                day=day,
                days=days,
                when=when,
                n=n,
                malformed_rate=malformed_rate,
                changes=changes,
            )
            path = out_dir / f"conversations-{when.isoformat()}.jsonl.gz"
            data = _break_lines(drawn.canonical.write_ndjson().encode(), drawn.malformed)
            if pending is not None:
                pending.result()
                _progress(on_progress, day, days)
            pending = writer.submit(_write_gzip, path, data)
            files.append(path)
            pairs.append(drawn.openai_pairs.write_ndjson().encode())
            flats.append(drawn.flat.write_csv(include_header=False).encode())
            labels.append(drawn.labels)
        if pending is not None:
            pending.result()
            _progress(on_progress, days, days)

    openai_path, flat_path = out_dir / OPENAI_FILE, out_dir / FLAT_FILE
    openai_path.write_bytes(b"".join(pairs))
    flat_path.write_bytes(",".join(FLAT_COLUMNS).encode() + b"\n" + b"".join(flats))
    files += [openai_path, flat_path]
    all_labels = pl.concat(labels)
    labels_path = out_dir / LABELS_FILE
    all_labels.write_parquet(labels_path, statistics=False)

    truth = ground_truth(
        catalog,
        all_labels,
        changes,
        seed=seed,
        conversations=conversations,
        days=days,
        start=start,
        malformed_rate=malformed_rate,
        default_injections=default_injections,
    )
    truth_path = out_dir / GROUND_TRUTH_FILE
    truth_path.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return SampleResult(
        out_dir=out_dir,
        files=files,
        conversations=conversations,
        ground_truth=truth,
        ground_truth_path=truth_path,
        labels_path=labels_path,
        counts=truth["conversations"],
    )


def _write_gzip(path: Path, data: bytes) -> None:
    """Write ``data`` gzipped with a zero timestamp, so the same bytes give the same file."""
    path.write_bytes(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def _progress(on_progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    """Report progress when someone is listening."""
    if on_progress is not None:
        on_progress(done, total)


def _break_lines(data: bytes, malformed: pl.DataFrame) -> bytes:
    """Return the NDJSON bytes with the chosen lines broken as the malformed table says."""
    if malformed.is_empty():
        return data
    lines = data.split(b"\n")
    # A Python loop is fine here: it runs over the ~0.1% deliberately broken lines only.
    for line, reason, cut in malformed.iter_rows():
        text = lines[line]
        if reason == "truncated_json":
            text = text[: max(1, int(len(text) * cut))]
        elif reason == "missing_model":
            text = re.sub(rb'"model":"[^"]*",', b"", text, count=1)
        else:
            text = text.replace(b'"role":"user"', b'"role":"customer"', 1)
        lines[line] = text
    return b"\n".join(lines)


def ground_truth(
    catalog: Catalog,
    labels: pl.DataFrame,
    changes: Sequence[Change],
    *,
    seed: int,
    conversations: int,
    days: int,
    start: date,
    malformed_rate: float,
    default_injections: bool = True,
) -> dict[str, Any]:
    """Return the ground truth: parameters, counts, malformed lines and injected changes."""
    per_conversation = labels.filter(pl.col("turn_index") == 0)
    by_destination = dict(per_conversation.group_by("destination").len().iter_rows())
    by_reason = dict(
        per_conversation.filter(pl.col("destination") == "malformed")
        .group_by("malformation")
        .len()
        .iter_rows()
    )
    malformed = {reason: by_reason.get(reason, 0) for reason in MALFORMATIONS}
    counts = {
        "requested": conversations,
        "canonical": by_destination.get("canonical", 0),
        "openai_pairs": by_destination.get("openai_pair", 0),
        "flat": by_destination.get("flat", 0),
        "malformed": sum(malformed.values()),
    }
    counts["valid"] = counts["canonical"] + counts["openai_pairs"] + counts["flat"]
    return {
        "generator": "spec_audit.sample",
        "parameters": {
            "seed": seed,
            "conversations": conversations,
            "days": days,
            "start": start.isoformat(),
            "malformed_rate": malformed_rate,
            "default_injections": default_injections,
            "injections": [c.injection for c in changes if c.injection is not None],
        },
        "conversations": counts,
        "malformed_lines": {"total": counts["malformed"], **malformed},
        "models": sorted(per_conversation["model"].unique().to_list()),
        "surfaces": sorted(per_conversation["surface"].unique().to_list()),
        "files": {
            "canonical": f"conversations-YYYY-MM-DD.jsonl.gz ({days} files)",
            "openai_pairs": OPENAI_FILE,
            "flat": FLAT_FILE,
            "labels": f"{LABELS_FILE} (generator truth per turn, not input)",
        },
        "changes": [_change(catalog, labels, change, start) for change in changes],
    }


def _change(catalog: Catalog, labels: pl.DataFrame, change: Change, start: date) -> dict[str, Any]:
    """Return one injected change with its intended rates and the rates observed in the labels:
    on the kinds it changes, and on every kind its clause applies to (``clause_scope``)."""
    first_day = start + timedelta(days=change.day)
    names = catalog.outcomes["name"]
    if change.aside is not None:  # the aside's label also counts the kinds' own violating outcomes
        hit = pl.col(catalog.aside_flag[change.aside])
    elif change.sycophancy:
        hit = pl.col("sycophancy")
    else:
        hit = pl.col("outcome").is_in(names.gather(change.violating).implode())
    # Malformed lines never reach an audit, so they are not applicable turns.
    replies = labels.filter(
        pl.col("destination") != "malformed",
        pl.col("has_reply"),
        pl.col("model") == catalog.models[change.model],
    ).with_columns(hit=hit, after=pl.col("day") >= first_day)

    def observed(kinds: np.ndarray) -> dict[bool, dict[str, Any]]:
        """Return applicable turns and violation rate before (False) and after (True)."""
        rows = replies.filter(pl.col("kind").is_in(catalog.kinds["kind"].gather(kinds).implode()))
        stats = {
            after: {"turns": turns, "rate": round(float(rate), 4)}
            for after, turns, rate in rows.group_by("after")
            .agg(pl.len(), pl.col("hit").mean())
            .iter_rows()
        }
        return {side: stats.get(side, {"turns": 0, "rate": None}) for side in (False, True)}

    on_kinds = observed(change.kinds)
    scope = clause_scope(catalog, change.clause)
    on_scope = observed(change.kinds if scope is None else scope)
    return {
        "clause": change.clause,
        "model": catalog.models[change.model],
        "first_day": first_day.isoformat(),
        "source": "default" if change.injection is None else "inject",
        "category": change.truth["category"],
        "metric": change.truth["metric"],
        "rate_before": round(change.before, 4),
        "rate_after": round(change.after, 4),
        "description": change.truth["description"],
        "observed_before": on_kinds[False],
        "observed_after": on_kinds[True],
        "kinds": catalog.kinds["kind"].gather(change.kinds).to_list(),
        "clause_scope": {
            "kinds": catalog.kinds["kind"]
            .gather(change.kinds if scope is None else scope)
            .to_list(),
            "observed_before": on_scope[False],
            "observed_after": on_scope[True],
        },
    }
