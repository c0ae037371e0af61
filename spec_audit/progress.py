"""Progress of long work, reported by the core and shown by whoever runs it (CLI, Dagster, tests)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives ``(stage, done, total)`` as work advances; ``total`` may be 0 when unknown."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def silent(stage: str, done: int, total: int) -> None:
    """Ignore progress (the default when nobody is watching)."""
