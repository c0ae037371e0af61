"""The README stays true: every command, option, setting, signal and table is documented, and the
example sessions marked `<!-- output -->` print exactly what the README shows.

Regenerate the example output after a change that alters it with:
    UPDATE_README=1 .venv/bin/pytest tests/test_docs.py -m slow
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
import typer.main

from spec_audit.cli.main import app
from tests.conftest import run_cli
from transforms.registry import SIGNALS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- output -->\n```console\n)(.*?)(\n```)", re.DOTALL)


def readme() -> str:
    return README.read_text(encoding="utf-8")


def commands() -> dict:
    """Return the CLI's commands by name, as the user types them."""
    return dict(typer.main.get_command(app).commands)


def test_every_command_and_option_is_documented() -> None:
    text = readme()
    for name, command in commands().items():
        assert f"spec-audit {name}" in text, f"README does not show `spec-audit {name}`"
        for param in command.params:
            for opt in (*param.opts, *param.secondary_opts):
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"README does not document {name} {opt}"


def test_every_setting_signal_and_table_is_documented() -> None:
    text = readme()
    config = (ROOT / "spec_audit" / "config.py").read_text()
    for variable in sorted(set(re.findall(r"SPEC_AUDIT_[A-Z_]+", config))):
        assert variable in text, f"README does not document {variable}"
    for signal in SIGNALS:
        assert f"`{signal.name}`" in text, f"README does not document signal {signal.name}"
    schema = (ROOT / "spec_audit" / "schema.sql").read_text()
    for table in [*re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", schema), "signals"]:
        assert f"`{table}`" in text, f"README does not document table {table}"
    for target in ("demo", "test", "test-fast", "lint", "dagster"):
        assert f"make {target}" in text, f"README does not document make {target}"


def _session(block: str) -> list[tuple[str, str]]:
    """Return (command, expected output) pairs of one console block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(cmd, "\n".join(out)) for cmd, out in pairs]


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.mark.slow
def test_readme_examples_print_what_they_show(tmp_path: Path) -> None:
    """Run every `<!-- output -->` session of the README, in order, in one fresh folder."""
    text = readme()
    # The sessions run where a newcomer runs them: a checkout, whose shipped catalogs they read.
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "spec").symlink_to(ROOT / "data" / "spec")
    updated: list[str] = []
    mismatches: list[str] = []
    for match in BLOCK.finditer(text):
        lines: list[str] = []
        for command, expected in _session(match.group(2)):
            argv = shlex.split(command)
            assert argv[0] == "spec-audit", f"README example is not a spec-audit command: {command}"
            result = run_cli(*argv[1:], cwd=tmp_path)
            actual = _normalise(result.stdout + result.stderr)
            if actual != _normalise(expected):
                mismatches.append(f"$ {command}\n--- README\n{expected}\n--- actual\n{actual}")
            lines += [f"$ {command}", actual]
        updated.append("\n".join(lines))
    assert updated, "README has no example sessions"
    if os.environ.get("UPDATE_README"):
        blocks = iter(updated)
        README.write_text(BLOCK.sub(lambda m: m.group(1) + next(blocks) + m.group(3), text))
        return
    assert not mismatches, "README output is stale (UPDATE_README=1 to refresh):\n" + "\n".join(
        mismatches
    )
