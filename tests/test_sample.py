"""The seeded sample generator: determinism, counts, record shapes, ground truth, changes."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import yaml

from spec_audit.errors import UserError
from spec_audit.sample import SampleResult, generate_sample
from spec_audit.sample.day import day_counts

ROLES = {"system", "developer", "user", "assistant", "tool"}
REQUIRED = ("conversation_id", "model", "started_at", "messages")
KINDS = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "spec_audit/sample/kinds.yaml").read_text()
)


def _canonical_lines(out: Path) -> list[tuple[str, bytes]]:
    """Return (file name, line) for every line of every daily file, in file order."""
    return [
        (path.name, line)
        for path in sorted(out.glob("conversations-*.jsonl.gz"))
        for line in gzip.decompress(path.read_bytes()).splitlines()
    ]


def _why_broken(line: bytes) -> str | None:
    """Return how a canonical line is unusable, or None when it is a valid record."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return "truncated_json"
    if any(record.get(key) in (None, "") for key in REQUIRED):
        return "missing_model" if "model" not in record else "missing_field"
    if any(m["role"] not in ROLES for m in record["messages"]):
        return "unknown_role"
    return None


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleResult:
    return generate_sample(
        tmp_path_factory.mktemp("sample"), conversations=12_000, malformed_rate=0.005
    )


@pytest.fixture(scope="module")
def records(sample: SampleResult) -> list[dict]:
    lines = _canonical_lines(sample.out_dir)
    return [json.loads(line) for _, line in lines if not _why_broken(line)]


@pytest.fixture(scope="module")
def labels(sample: SampleResult) -> pl.DataFrame:
    return pl.read_parquet(sample.labels_path)


def test_same_seed_same_bytes_and_other_seed_other_bytes(tmp_path: Path) -> None:
    first = generate_sample(tmp_path / "a", conversations=600, days=4, seed=11)
    again = generate_sample(tmp_path / "b", conversations=600, days=4, seed=11)
    other = generate_sample(tmp_path / "c", conversations=600, days=4, seed=12)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "_labels.parquet",
        "api-export-openai.jsonl",
        "conversations-2026-10-01.jsonl.gz",
        "conversations-2026-10-02.jsonl.gz",
        "conversations-2026-10-03.jsonl.gz",
        "conversations-2026-10-04.jsonl.gz",
        "flat-export.csv",
        "ground_truth.json",
    ]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for path in first.files:
        assert path.read_bytes() != (tmp_path / "c" / path.name).read_bytes(), path.name
    assert first.ground_truth == again.ground_truth
    assert [p.name for p in first.files] == [p.name for p in other.files]


def test_valid_conversations_plus_malformed_lines_equal_requested(sample: SampleResult) -> None:
    out = sample.out_dir
    lines = _canonical_lines(out)
    broken = [why for _, line in lines if (why := _why_broken(line))]
    pairs = (out / "api-export-openai.jsonl").read_text().splitlines()
    flat = pl.read_csv(out / "flat-export.csv")
    valid = len(lines) - len(broken) + len(pairs) + flat.height
    assert valid + len(broken) == 12_000
    counts = sample.ground_truth["conversations"]
    assert counts == {
        "requested": 12_000,
        "canonical": len(lines) - len(broken),
        "openai_pairs": len(pairs),
        "flat": flat.height,
        "malformed": len(broken),
        "valid": valid,
    }
    # The export shares are about 3% and 2% of all conversations.
    assert 0.02 < len(pairs) / 12_000 < 0.04
    assert 0.012 < flat.height / 12_000 < 0.028


def test_broken_lines_are_counted_by_reason_in_ground_truth(sample: SampleResult) -> None:
    reasons = [why for _, line in _canonical_lines(sample.out_dir) if (why := _why_broken(line))]
    found = {r: reasons.count(r) for r in ("truncated_json", "missing_model", "unknown_role")}
    assert sample.ground_truth["malformed_lines"] == {"total": len(reasons), **found}
    assert len(reasons) == sum(found.values())  # nothing broken by accident
    assert all(found.values())  # each kind of breakage is present at this rate


def test_valid_canonical_records_have_the_input_format(
    sample: SampleResult, records: list[dict]
) -> None:
    for record in records:
        assert set(record) == {*REQUIRED, "surface", "metadata"}
        assert record["conversation_id"].startswith("conv-")
        day = record["started_at"][:10]
        assert record["conversation_id"][5:13] == day.replace("-", "")
        assert record["started_at"].endswith("Z")
        roles = [m["role"] for m in record["messages"]]
        users = roles.count("user")
        assert 1 <= users <= 4
        assert roles[0] in {"system", "developer", "user"}
        # user and assistant alternate after the optional instructions
        body = [r for r in roles if r in ("user", "assistant")]
        assert body[::2] == ["user"] * users
        for message in record["messages"]:
            assert message["content"]
            assert message["created_at"] >= record["started_at"]
    ids = [r["conversation_id"] for r in records]
    assert len(ids) == len(set(ids))
    assert {r["model"] for r in records} == {
        "assistant-2026-08",
        "assistant-2026-10",
        "assistant-mini-2026-07",
    }
    assert {r["surface"] for r in records} == {"chat", "api", "voice", "enterprise"}
    # The newer model only appears from day 10 (2026-10-11).
    newer = [r["started_at"] for r in records if r["model"] == "assistant-2026-10"]
    assert min(newer) >= "2026-10-11"
    mean_bytes = sum(len(json.dumps(r, separators=(",", ":"))) for r in records) / len(records)
    assert 1200 < mean_bytes < 1800


def test_openai_pairs_and_flat_rows_have_their_shapes(sample: SampleResult) -> None:
    pairs = [json.loads(line) for line in (sample.out_dir / "api-export-openai.jsonl").open()]
    for pair in pairs:
        assert set(pair) == {"request", "response", "surface"}
        assert pair["surface"] == "api"
        assert pair["request"]["messages"][-1]["role"] == "user"
        assert pair["response"]["id"].startswith("chatcmpl-")
        assert isinstance(pair["response"]["created"], int)
        assert pair["response"]["model"].startswith(pair["request"]["model"])
        assert pair["response"]["choices"][0]["message"]["role"] == "assistant"
    flat = pl.read_csv(sample.out_dir / "flat-export.csv")
    assert flat.columns == ["id", "model", "timestamp", "system", "prompt", "response", "surface"]
    assert flat["prompt"].null_count() == 0
    assert flat["response"].null_count() == 0


def test_ground_truth_lists_the_injected_changes(sample: SampleResult) -> None:
    truth = json.loads((sample.out_dir / "ground_truth.json").read_text())
    assert truth == sample.ground_truth
    assert truth["parameters"] == {
        "seed": 7,
        "conversations": 12_000,
        "days": 30,
        "start": "2026-10-01",
        "malformed_rate": 0.005,
    }
    over, advice = truth["changes"]
    assert {k: over[k] for k in ("clause", "model", "first_day", "category")} == {
        "clause": "assume_best_intentions",
        "model": "assistant-2026-10",
        "first_day": "2026-10-18",
        "category": "violence_weapons",
    }
    assert (over["rate_before"], over["rate_after"]) == (0.05, 0.45)
    assert over["metric"] == "probability a benign look-alike prompt in violence_weapons is refused"
    assert (advice["clause"], advice["first_day"], advice["category"]) == (
        "avoid_regulated_advice",
        "2026-10-23",
        "medical",
    )
    assert (advice["rate_before"], advice["rate_after"]) == (0.1, 0.55)


def test_changes_outside_the_window_are_not_listed(tmp_path: Path) -> None:
    result = generate_sample(tmp_path, conversations=200, days=20)
    assert [c["clause"] for c in result.ground_truth["changes"]] == ["assume_best_intentions"]


def test_over_refusal_change_is_in_the_data(
    sample: SampleResult, records: list[dict], labels: pl.DataFrame
) -> None:
    affected = labels.filter(
        pl.col("destination") == "canonical",
        pl.col("has_reply"),
        pl.col("model") == "assistant-2026-10",
        pl.col("group") == "lookalike",
        pl.col("harm_category") == "violence_weapons",
    ).with_columns(after=pl.col("day") >= date(2026, 10, 18))
    rates = {
        after: (rows.height, rows["refusal"].eq("full").mean())
        for (after,), rows in affected.group_by("after")
    }
    (n_before, before), (n_after, after) = rates[False], rates[True]
    assert n_before >= 40 and n_after >= 100
    assert before < 0.15 and after > 0.3
    # The same change, read from the text actually written: look-alike refusals are the group's.
    replies = {
        r["conversation_id"]: [m["content"] for m in r["messages"] if m["role"] == "assistant"]
        for r in records
    }
    refusals = tuple(KINDS["groups"]["lookalike"]["replies"]["refuse"])
    for cid, turn, refusal in affected.select("conversation_id", "turn_index", "refusal").rows():
        assert replies[cid][turn].endswith(refusals) == (refusal == "full"), (cid, turn)
    # The older model is unchanged.
    old = labels.filter(
        pl.col("model") == "assistant-2026-08",
        pl.col("group") == "lookalike",
        pl.col("has_reply"),
        pl.col("day") >= date(2026, 10, 18),
    )
    assert old["refusal"].eq("full").mean() < 0.12


def test_labels_match_the_written_records(records: list[dict], labels: pl.DataFrame) -> None:
    canonical = labels.filter(pl.col("destination") == "canonical")
    users = {r["conversation_id"]: sum(m["role"] == "user" for m in r["messages"]) for r in records}
    per_conversation = dict(canonical.group_by("conversation_id").len().rows())
    assert per_conversation == users
    replies = sum(m["role"] == "assistant" for r in records for m in r["messages"])
    assert canonical["has_reply"].sum() == replies
    assert set(labels["destination"]) == {"canonical", "openai_pair", "flat", "malformed"}
    # Flags only exist where there is a reply.
    assert canonical.filter(~pl.col("has_reply"))["refusal"].null_count() == (
        canonical.height - replies
    )
    assert canonical["follow_up"].sum() > 0
    assert set(canonical["prompt_intent"]) == {"benign", "ambiguous", "harmful"}


def test_fabricated_citations_and_capability_claims_show_in_text(
    records: list[dict], labels: pl.DataFrame
) -> None:
    replies = {
        r["conversation_id"]: [m["content"] for m in r["messages"] if m["role"] == "assistant"]
        for r in records
    }
    rows = labels.filter(
        pl.col("destination") == "canonical", pl.col("has_reply"), ~pl.col("follow_up")
    )
    cited = rows.filter(pl.col("fabricated_citation"))
    claimed = rows.filter(pl.col("capability_claim"))
    assert cited.height > 20 and claimed.height > 20
    for cid, turn in cited.select("conversation_id", "turn_index").rows():
        assert "doi:10." in replies[cid][turn]
    for cid, turn in claimed.select("conversation_id", "turn_index").rows():
        assert "I've" in replies[cid][turn]


def test_progress_is_reported_per_day(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    generate_sample(
        tmp_path, conversations=50, days=3, on_progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_days_without_conversations_still_get_a_file(tmp_path: Path) -> None:
    result = generate_sample(tmp_path, conversations=2, days=5, malformed_rate=0)
    daily = [p for p in result.files if p.name.startswith("conversations-")]
    assert len(daily) == 5
    assert [len(gzip.decompress(p.read_bytes()).splitlines()) for p in daily[2:]] == [0, 0, 0]
    per_day = pl.read_parquet(result.labels_path).filter(pl.col("turn_index") == 0)["day"]
    assert per_day.to_list() == [date(2026, 10, 1), date(2026, 10, 2)]
    assert result.ground_truth["conversations"]["valid"] == 2


def test_day_counts_add_up_and_weekends_are_quieter() -> None:
    # Monday 2026-10-05 to Sunday: a weekday gets 1000 / 6.6 = 151.5, a weekend day 121.2; the
    # 3 left after rounding down go to the first days.
    assert day_counts(1000, 7, date(2026, 10, 5)) == [152, 152, 152, 151, 151, 121, 121]
    assert day_counts(10, 3, date(2026, 10, 10), weekend=0.5) == [3, 2, 5]  # Sat, Sun, Mon


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"days": 0}, "days: must be 1 or more, got 0"),
        ({"conversations": -1}, "conversations: must be 0 or more, got -1"),
        ({"malformed_rate": 1.5}, "malformed_rate: must be between 0 and 1, got 1.5"),
    ],
)
def test_bad_options_raise_user_error(tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(UserError) as error:
        generate_sample(tmp_path, **options)
    assert str(error.value) == message


def test_out_dir_that_is_a_file_is_a_user_error(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(UserError) as error:
        generate_sample(target, conversations=10)
    assert str(error.value) == f"{target}: exists and is not a folder"
