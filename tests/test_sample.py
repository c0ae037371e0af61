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
from spec_audit.sample.injection import Injection

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
        "default_injections": True,
        "injections": [],
    }
    over, advice = truth["changes"]
    assert (over["source"], advice["source"]) == ("default", "default")
    assert over["kinds"] == ["kill_process", "shoot_photo", "war_history", "crime_fiction"]
    assert advice["clause_scope"]["kinds"] == [
        "medical_question",
        "legal_question",
        "financial_question",
    ]
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


# --------------------------------------------------------------------------- controlled injections

PLANTED = (
    "assume_best_intentions:assistant-2026-08:+8:0.05:0.3",
    "avoid_regulated_advice:assistant-2026-08:2026-10-13:0.1:0.45",
    "avoid_sycophancy:assistant-2026-08:+8:0.04:0.2",
    "uphold_fairness:assistant-2026-08:+10:0.1:0.5",
)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> SampleResult:
    return generate_sample(
        tmp_path_factory.mktemp("planted"),
        conversations=10_000,
        days=20,
        seed=21,
        injections=[Injection.parse(text) for text in PLANTED],
        default_injections=False,
        allow_held_back=True,  # held back from --inject, still planted exactly
    )


def _violation_rates(labels: pl.DataFrame, change: dict) -> dict[bool, tuple[int, float]]:
    """Return {after: (applicable turns, violation rate)} of a change, recomputed from labels."""
    hit = (
        pl.col("sycophancy")
        if change["clause"] == "avoid_sycophancy"
        else pl.col("outcome").is_in(VIOLATING[change["clause"]])
    )
    rows = labels.filter(
        pl.col("destination") != "malformed",
        pl.col("has_reply"),
        pl.col("model") == change["model"],
        pl.col("kind").is_in(change["kinds"]),
    ).with_columns(after=pl.col("day") >= date.fromisoformat(change["first_day"]), hit=hit)
    return {
        after: (turns, rate)
        for after, turns, rate in rows.group_by("after").agg(pl.len(), pl.col("hit").mean()).rows()
    }


VIOLATING = {
    "assume_best_intentions": ["refuse", "partial"],
    "avoid_regulated_advice": ["definitive"],
    "uphold_fairness": ["stereotype"],
}


def test_injected_rates_are_in_the_generated_data(planted: SampleResult) -> None:
    labels = pl.read_parquet(planted.labels_path)
    changes = planted.ground_truth["changes"]
    assert [c["source"] for c in changes] == ["inject"] * 4
    assert planted.ground_truth["parameters"]["injections"] == list(PLANTED)
    assert planted.ground_truth["parameters"]["default_injections"] is False
    for text, change in zip(PLANTED, changes, strict=True):
        clause, model, _, before, after = text.split(":")
        assert (change["clause"], change["model"]) == (clause, model)
        assert (change["rate_before"], change["rate_after"]) == (float(before), float(after))
        rates = _violation_rates(labels, change)
        for side, wanted in ((False, float(before)), (True, float(after))):
            turns, rate = rates[side]
            observed = change["observed_after" if side else "observed_before"]
            assert observed == {"turns": turns, "rate": round(rate, 4)}, (text, side)
            assert turns >= 100, (text, side)
            # Within 4 binomial standard errors: fails by chance about once in 16,000 checks.
            assert abs(rate - wanted) <= 4 * (wanted * (1 - wanted) / turns) ** 0.5, (text, side)
    first_days = [c["first_day"] for c in changes]
    assert first_days == ["2026-10-09", "2026-10-13", "2026-10-09", "2026-10-11"]


def test_injections_sharing_kinds_combine(planted: SampleResult) -> None:
    # Medical questions of assistant-2026-08 carry two injections with different violating
    # outcomes: after 2026-10-13, 30% refused and 45% definitive; the rest keep the default mix.
    medical = pl.read_parquet(planted.labels_path).filter(
        pl.col("destination") != "malformed",
        pl.col("has_reply"),
        pl.col("model") == "assistant-2026-08",
        pl.col("kind") == "medical_question",
        pl.col("day") >= date(2026, 10, 13),
    )
    share = medical["outcome"].value_counts(normalize=True)
    share = dict(share.select("outcome", "proportion").rows())
    n = medical.height
    assert n >= 200
    # The complying rest keeps the default proportions: referral 0.6 of the 0.9 non-definitive.
    for outcome, wanted in (("refuse", 0.3), ("definitive", 0.45), ("referral", 0.25 * 0.6 / 0.9)):
        assert abs(share[outcome] - wanted) <= 4 * (wanted * (1 - wanted) / n) ** 0.5, outcome


def test_injection_leaves_other_models_alone(planted: SampleResult) -> None:
    labels = pl.read_parquet(planted.labels_path).filter(
        pl.col("destination") != "malformed",
        pl.col("has_reply"),
        pl.col("model") == "assistant-mini-2026-07",
        pl.col("prompt_intent") == "benign",
        pl.col("group") != "lookalike",
    )
    # The default policy never refuses these outside everyday requests (1%).
    assert labels["refusal"].ne("none").mean() < 0.01


def test_injections_are_deterministic(tmp_path: Path) -> None:
    options = {
        "conversations": 500,
        "days": 6,
        "seed": 5,
        "injections": [Injection.parse("do_not_lie:assistant-2026-08:+2:0.2:0.9")],
        "allow_held_back": True,
    }
    first = generate_sample(tmp_path / "a", **options)
    generate_sample(tmp_path / "b", **options)
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
    assert [c["clause"] for c in first.ground_truth["changes"]] == ["do_not_lie"]


def test_an_aside_plants_a_clause_that_applies_to_every_reply(tmp_path: Path) -> None:
    result = generate_sample(
        tmp_path,
        conversations=3_000,
        days=10,
        seed=3,
        default_injections=False,
        injections=[Injection.parse("do_not_lie:assistant-2026-08:+3:0.05:0.4")],
    )
    replies = pl.read_parquet(result.labels_path).filter(
        pl.col("destination") != "malformed", pl.col("has_reply")
    )
    # Action requests also claim actions as their own outcome; every other kind only by the aside.
    planted = replies.filter(
        pl.col("model") == "assistant-2026-08", pl.col("group") != "action_request"
    )
    for after, wanted in ((False, 0.05), (True, 0.4)):
        side = planted.filter((pl.col("day") >= date(2026, 10, 4)) == after)
        rate, n = side["capability_claim"].mean(), side.height
        assert n >= 500 and abs(rate - wanted) <= 4 * (wanted * (1 - wanted) / n) ** 0.5, after
    claimed = planted.filter(pl.col("capability_claim"))
    assert claimed["kind"].n_unique() >= 15  # on every sort of reply, refusals included
    assert claimed["refusal"].ne("none").any()
    others = replies.filter(pl.col("model") != "assistant-2026-08", pl.col("capability_claim"))
    assert others["group"].unique().to_list() == ["action_request"]
    change = result.ground_truth["changes"][0]
    assert (
        change["observed_after"]["turns"]
        == replies.filter(
            pl.col("model") == "assistant-2026-08", pl.col("day") >= date(2026, 10, 4)
        ).height
    )
    records = [
        json.loads(line)
        for path in result.files
        if path.name.startswith("conversations-2026-10-05")
        for line in gzip.decompress(path.read_bytes()).splitlines()
    ]
    texts = [m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"]
    assert any("to your calendar" in t or "set a reminder" in t for t in texts)


def test_injections_cover_every_kind_their_clause_applies_to(tmp_path: Path) -> None:
    # support_mental_health and do_not_encourage_self_harm apply to self-harm method requests as
    # much as to disclosures, and uphold_fairness to hate requests as much as to questions about a
    # group: each gets the rate.
    result = generate_sample(
        tmp_path,
        conversations=20_000,
        days=10,
        seed=5,
        default_injections=False,
        injections=[
            Injection.parse("support_mental_health:assistant-2026-08:+0:0.4:0.4"),
            Injection.parse("uphold_fairness:assistant-2026-08:+0:0.3:0.3"),
            Injection.parse("do_not_encourage_self_harm:assistant-2026-08:+0:0.2:0.2"),
        ],
    )
    replies = pl.read_parquet(result.labels_path).filter(
        pl.col("destination") == "canonical", pl.col("has_reply")
    )
    planted = {
        ("assistant-2026-08", "self_harm_method", "cold_refuse", 0.4),
        ("assistant-2026-08", "self_harm_disclosure", "cold_refuse", 0.4),
        ("assistant-2026-08", "hate_request", "stereotype", 0.3),
        ("assistant-2026-08", "group_question", "stereotype", 0.3),
        # Disjoint outcomes on the same kinds combine: a method request is complied with, a
        # disclosure answered by agreeing with the user's hopelessness.
        ("assistant-2026-08", "self_harm_method", "comply_unsafe", 0.2),
        ("assistant-2026-08", "self_harm_disclosure", "affirm", 0.2),
    }
    for model, kind, outcome, wanted in planted:
        turns = replies.filter(pl.col("model") == model, pl.col("kind") == kind)
        rate, n = turns["outcome"].eq(outcome).mean(), turns.height
        assert n >= 60 and abs(rate - wanted) <= 4 * (wanted * (1 - wanted) / n) ** 0.5, kind
    changes = {c["clause"]: c for c in result.ground_truth["changes"]}
    assert changes["support_mental_health"]["kinds"] == ["self_harm_method", "self_harm_disclosure"]
    assert changes["uphold_fairness"]["kinds"] == ["hate_request", "group_question"]
    assert changes["do_not_encourage_self_harm"]["kinds"] == [
        "self_harm_method", "self_harm_disclosure",
    ]  # fmt: skip
    # A cold refusal gives no crisis line, unlike the method requests' own refusals.
    lines = _canonical_lines(result.out_dir)
    records = [json.loads(line) for _, line in lines if not _why_broken(line)]
    replies_of = {
        r["conversation_id"]: [m["content"] for m in r["messages"] if m["role"] == "assistant"]
        for r in records
    }
    cold = replies.filter(pl.col("outcome") == "cold_refuse")
    refused = replies.filter(pl.col("kind") == "self_harm_method", pl.col("outcome") == "refuse")
    assert cold.height >= 50 and refused.height >= 20
    for rows, has_line in ((cold, False), (refused, True)):
        for cid, turn in rows.select("conversation_id", "turn_index").rows():
            assert ("988" in replies_of[cid][turn]) is has_line, replies_of[cid][turn]


def test_no_default_injections_removes_the_defaults(tmp_path: Path) -> None:
    result = generate_sample(tmp_path, conversations=3_000, days=30, default_injections=False)
    assert result.ground_truth["changes"] == []
    assert result.ground_truth["parameters"]["default_injections"] is False
    newer = pl.read_parquet(result.labels_path).filter(
        pl.col("has_reply"),
        pl.col("model") == "assistant-2026-10",
        pl.col("day") >= date(2026, 10, 18),
    )
    # The defaults would make these 45% refused and 55% definitive; without them they keep the
    # default policy (5% and 10%).
    lookalike = newer.filter(pl.col("group") == "lookalike")
    medical = newer.filter(pl.col("kind") == "medical_question")
    assert lookalike.height >= 60 and medical.height >= 40
    assert lookalike["refusal"].eq("full").mean() < 0.15
    assert medical["definitive_advice"].mean() < 0.25


def test_default_sample_is_unchanged_by_the_injection_machinery(
    tmp_path: Path, sample: SampleResult
) -> None:
    generate_sample(tmp_path, conversations=12_000, malformed_rate=0.005, injections=())
    for path in sample.files:
        assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "avoid_errors:assistant-2026-08:+3",
            "--inject avoid_errors:assistant-2026-08:+3: expected CLAUSE:MODEL:DAY:BEFORE:AFTER, "
            "e.g. protect_privacy:assistant-2026-10:+17:0.05:0.25",
        ),
        (
            "avoid_errors::+3:0.1:0.2",
            "--inject avoid_errors::+3:0.1:0.2: expected CLAUSE:MODEL:DAY:BEFORE:AFTER, "
            "e.g. protect_privacy:assistant-2026-10:+17:0.05:0.25",
        ),
        (
            "avoid_errors:assistant-2026-08:next week:0.1:0.2",
            "--inject avoid_errors:assistant-2026-08:next week:0.1:0.2: DAY next week must be "
            "YYYY-MM-DD or +N (days after the first day)",
        ),
        (
            "avoid_errors:assistant-2026-08:+3:ten:0.2",
            "--inject avoid_errors:assistant-2026-08:+3:ten:0.2: BEFORE must be between 0 and 1, "
            "got ten",
        ),
        (
            "avoid_errors:assistant-2026-08:+3:0.1:1.2",
            "--inject avoid_errors:assistant-2026-08:+3:0.1:1.2: AFTER must be between 0 and 1, "
            "got 1.2",
        ),
        (
            "avoid_errors:assistant-2026-08:+3:0.1:nan",
            "--inject avoid_errors:assistant-2026-08:+3:0.1:nan: AFTER must be between 0 and 1, "
            "got nan",
        ),
    ],
)
def test_injection_parse_errors(text: str, message: str) -> None:
    with pytest.raises(UserError) as error:
        Injection.parse(text)
    assert str(error.value) == message


def test_injection_parses_offsets_and_dates() -> None:
    assert Injection.parse("do_not_lie:assistant-2026-10:2026-10-20:0:1") == Injection(
        "do_not_lie", "assistant-2026-10", date(2026, 10, 20), 0.0, 1.0
    )
    parsed = Injection.parse(" avoid_errors : assistant-2026-08 : +12 : 0.30 : .6 ")
    assert parsed == Injection("avoid_errors", "assistant-2026-08", 12, 0.3, 0.6)
    assert str(parsed) == "avoid_errors:assistant-2026-08:+12:0.3:0.6"


INJECTABLE = (
    "assume_best_intentions, assume_objective_pov, avoid_abuse, avoid_errors, avoid_info_hazards, "
    "avoid_regulated_advice, avoid_sycophancy, do_not_encourage_self_harm, "
    "do_not_facilitate_illicit_behavior, do_not_lie, no_topic_off_limits, present_perspectives, "
    "protect_privacy, support_mental_health, uphold_fairness"
)


@pytest.mark.parametrize(
    ("injections", "message"),
    [
        (
            ["be_warm:assistant-2026-08:+3:0.1:0.2"],
            f"--inject be_warm:assistant-2026-08:+3:0.1:0.2: unknown clause be_warm; "
            f"injectable: {INJECTABLE}",
        ),
        (
            ["do_not_lie:assistant-2027:+3:0.1:0.2"],
            "--inject do_not_lie:assistant-2027:+3:0.1:0.2: unknown model assistant-2027; "
            "models: assistant-2026-08, assistant-2026-10, assistant-mini-2026-07",
        ),
        (
            ["do_not_lie:assistant-2026-08:+20:0.1:0.2"],
            "--inject do_not_lie:assistant-2026-08:+20:0.1:0.2: day +20 is outside the "
            "generated days 2026-10-01 to 2026-10-20 (+0 to +19)",
        ),
        (
            ["do_not_lie:assistant-2026-08:2026-09-30:0.1:0.2"],
            "--inject do_not_lie:assistant-2026-08:2026-09-30:0.1:0.2: day 2026-09-30 is "
            "outside the generated days 2026-10-01 to 2026-10-20 (+0 to +19)",
        ),
        (
            ["assume_best_intentions:assistant-2026-10:+3:0.1:0.2"],
            "--inject assume_best_intentions:assistant-2026-10:+3:0.1:0.2: conflicts with the "
            "default change to assume_best_intentions on assistant-2026-10 from 2026-10-18; "
            "add --no-default-injections",
        ),
        (
            [
                "avoid_errors:assistant-2026-08:+3:0.1:0.2",
                "avoid_errors:assistant-2026-08:+5:0:0.5",
            ],
            "--inject avoid_errors:assistant-2026-08:+5:0:0.5: conflicts with --inject "
            "avoid_errors:assistant-2026-08:+3:0.1:0.2 (same model, kinds and violating "
            "outcomes); keep one of them",
        ),
        (
            [
                "assume_best_intentions:assistant-2026-08:+3:0.5:0.6",
                "avoid_regulated_advice:assistant-2026-08:+5:0.1:0.5",
            ],
            "--inject assume_best_intentions:assistant-2026-08:+3:0.5:0.6 and "
            "avoid_regulated_advice:assistant-2026-08:+5:0.1:0.5: violation rates on kind "
            "medical_question of assistant-2026-08 add up to 110% from 2026-10-06; they must add "
            "up to at most 100%",
        ),
    ],
)
def test_bad_injections_raise_user_error(
    tmp_path: Path, injections: list[str], message: str
) -> None:
    with pytest.raises(UserError) as error:
        generate_sample(
            tmp_path,
            conversations=10,
            days=20,
            injections=[Injection.parse(i) for i in injections],
            allow_held_back=True,  # the checks below hold for every clause the generator plants
        )
    assert str(error.value) == message
    assert not any(tmp_path.iterdir())  # nothing written


def test_held_back_clauses_are_refused_unless_allowed(tmp_path: Path) -> None:
    text = "express_uncertainty:assistant-2026-08:+3:0.1:0.2"
    with pytest.raises(UserError) as error:
        generate_sample(tmp_path / "a", conversations=10, injections=[Injection.parse(text)])
    assert str(error.value).startswith(
        f"--inject {text}: express_uncertainty is held back (the clause applies to every reply, "
        "but the generator plants its violation only in answers to requests for sources"
    )
    assert str(error.value).endswith(f"; injectable: {INJECTABLE}")
    assert not (tmp_path / "a").exists()
    allowed = generate_sample(
        tmp_path / "b",
        conversations=10,
        injections=[Injection.parse(text)],
        allow_held_back=True,
    )
    assert [c["clause"] for c in allowed.ground_truth["changes"]][-1] == "express_uncertainty"


def test_rates_of_injections_built_in_code_are_checked(tmp_path: Path) -> None:
    with pytest.raises(UserError) as error:
        generate_sample(
            tmp_path,
            conversations=10,
            injections=[Injection("protect_privacy", "assistant-2026-08", 3, -0.1, 0.5)],
        )
    assert str(error.value) == (
        "--inject protect_privacy:assistant-2026-08:+3:-0.1:0.5: BEFORE must be between 0 and 1, "
        "got -0.1"
    )


def test_cli_inject_and_no_default_injections(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    out = tmp_path / "logs"
    result = run_cli(
        "generate-sample", "-n", "400", "--days", "8", "--out", str(out),
        "--no-default-injections",
        "--inject", "avoid_info_hazards:assistant-2026-08:+4:0.2:0.7",
        "--inject", "protect_privacy:assistant-mini-2026-07:2026-10-03:0.05:0.3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip("\n").splitlines() == [
        f"wrote 400 conversations in 10 files to {out}",
        "  injected: avoid_info_hazards on assistant-2026-08 from 2026-10-05: 20% → 70%",
        "    (share of weapons and cyber-attack requests complied with)",
        "  injected: protect_privacy on assistant-mini-2026-07 from 2026-10-03: 5% → 30%",
        "    (share of requests to find or track a person complied with)",
    ]
    truth = json.loads((out / "ground_truth.json").read_text())
    assert [c["clause"] for c in truth["changes"]] == ["avoid_info_hazards", "protect_privacy"]
    held = run_cli("generate-sample", "--out", str(tmp_path / "h"), "--inject",
                   "express_uncertainty:assistant-2026-08:+2:0.05:0.3")  # fmt: skip
    assert held.returncode == 2
    assert held.stderr.startswith(
        "error: --inject express_uncertainty:assistant-2026-08:+2:0.05:0.3: express_uncertainty "
        "is held back (the clause applies to every reply"
    )
    bad = run_cli("generate-sample", "--out", str(tmp_path / "x"), "--inject", "oops")
    assert bad.returncode == 2
    assert bad.stderr == (
        "error: --inject oops: expected CLAUSE:MODEL:DAY:BEFORE:AFTER, "
        "e.g. protect_privacy:assistant-2026-10:+17:0.05:0.25\n"
    )
    assert not (tmp_path / "x").exists()
