"""`spec-audit generate-sample`: write seeded, realistic sample logs and their ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from spec_audit.cli.options import console, parse_day
from spec_audit.errors import UserError
from spec_audit.sample import generate_sample as write_sample
from spec_audit.sample.catalog import load_catalog
from spec_audit.sample.injection import INJECT_FORMAT, Injection, plan


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
    inject: Annotated[
        list[str] | None,
        typer.Option(
            "--inject",
            metavar=INJECT_FORMAT,
            help=(
                "Plant a change (repeatable): from DAY (YYYY-MM-DD or +N days after --start) MODEL "
                "violates CLAUSE on AFTER of the turns it applies to, BEFORE earlier (0 to 1)."
            ),
            show_default=False,
        ),
    ] = None,
    no_default_injections: Annotated[
        bool,
        typer.Option(
            "--no-default-injections",
            help="Leave out the two default changes of the sample deployment.",
        ),
    ] = False,
) -> None:
    """Write sample production logs (JSONL.gz per day, an OpenAI export, a flat CSV) and
    ground_truth.json describing every injected behaviour change.

    Example: spec-audit generate-sample --conversations 20000 --days 30 --seed 7 --out data/samples

    Example: spec-audit generate-sample --no-default-injections
    --inject protect_privacy:assistant-2026-08:+12:0.05:0.25
    """
    injections = [Injection.parse(text) for text in inject or []]
    first_day = parse_day(start, "--start")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    # Checked before the progress bar starts, so a bad --inject prints only its error line.
    plan(load_catalog(), injections, defaults=not no_default_injections, start=first_day, days=days)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("generating days", total=days)
        result = write_sample(
            out,
            conversations=conversations,
            days=days,
            seed=seed,
            start=first_day,
            malformed_rate=malformed_rate,
            injections=injections,
            default_injections=not no_default_injections,
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
