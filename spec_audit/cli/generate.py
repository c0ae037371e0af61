"""`spec-audit generate-sample`: write seeded, realistic sample logs and their ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from spec_audit.cli.options import console, parse_day
from spec_audit.errors import UserError
from spec_audit.sample import generate_sample as write_sample


def generate_sample(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the logs into.")] = Path(
        "data/samples"
    ),
    conversations: Annotated[
        int, typer.Option("--conversations", "-n", help="Conversations to generate.", min=1)
    ] = 20_000,
    days: Annotated[int, typer.Option("--days", help="Days the logs span.", min=1)] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same bytes.")] = 7,
    start: Annotated[
        str, typer.Option("--start", help="First day of the logs, YYYY-MM-DD.")
    ] = "2026-10-01",
    malformed_rate: Annotated[
        float,
        typer.Option("--malformed-rate", help="Share of lines deliberately broken.", min=0, max=1),
    ] = 0.001,
) -> None:
    """Write sample production logs (JSONL.gz per day, an OpenAI export, a flat CSV) and
    ground_truth.json describing every injected behaviour change.

    Example: spec-audit generate-sample --conversations 20000 --days 30 --seed 7 --out data/samples
    """
    first_day = parse_day(start, "--start")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("generating days", total=days)
        result = write_sample(
            out,
            conversations=conversations,
            days=days,
            seed=seed,
            start=first_day,
            malformed_rate=malformed_rate,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(
        f"wrote {result.conversations:,} conversations in {len(result.files)} files to {out}"
    )
    for change in result.ground_truth["changes"]:
        console.print(
            f"  injected: {change['clause']} on {change['model']} from {change['first_day']}: "
            f"{change['rate_before']:.0%} → {change['rate_after']:.0%}\n"
            f"    ({change['metric']})"
        )
