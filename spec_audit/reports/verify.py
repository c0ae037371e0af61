"""SHA256SUMS: the checksum list of a report folder, written last and checked by ``verify-report``.

The format is the one ``sha256sum`` writes and ``sha256sum -c`` reads (``<hex>  <name>``, names
sorted), so a recipient can check a report without spec-audit installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spec_audit.errors import UserError
from spec_audit.reports.manifest import file_sha256

SUMS = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def write_sums(folder: Path, names: Iterable[str]) -> Path:
    """Return the SHA256SUMS file written in ``folder`` for the files ``names`` (sorted)."""
    lines = [f"{file_sha256(folder / name)}  {name}\n" for name in sorted(set(names))]
    target = folder / SUMS
    target.write_text("".join(lines), encoding="utf-8")
    return target


@dataclass(frozen=True)
class Verification:
    """The result of checking a report folder against its SHA256SUMS."""

    ok: tuple[str, ...]  # listed, present, hash matches
    changed: tuple[str, ...]  # listed, present, hash differs
    missing: tuple[str, ...]  # listed, absent
    unlisted: tuple[str, ...]  # present in the folder, not listed (reported, not a failure)

    @property
    def passed(self) -> bool:
        """Return whether every listed file is present and unchanged."""
        return bool(self.ok) and not self.changed and not self.missing


def verify(folder: Path) -> Verification:
    """Return how the files in ``folder`` compare with its SHA256SUMS; a bad list is a UserError."""
    sums = folder / SUMS
    if not folder.is_dir():
        raise UserError(f"{folder}: no such report folder")
    if not sums.is_file():
        raise UserError(f"{sums}: no SHA256SUMS file; is this a spec-audit report folder?")
    listed: dict[str, str] = {}
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        match = _LINE.match(line)
        name = match.group(2) if match else ""
        if not match or "/" in name or "\\" in name or name in (".", ".."):
            raise UserError(f"{sums}:{number}: expected '<sha256>  <file name>', got {line[:80]!r}")
        listed[name] = match.group(1)
    ok, changed, missing = [], [], []
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            missing.append(name)
        elif file_sha256(path) == expected:
            ok.append(name)
        else:
            changed.append(name)
    present = {p.name for p in folder.iterdir() if p.is_file() and p.name != SUMS}
    return Verification(
        ok=tuple(ok),
        changed=tuple(changed),
        missing=tuple(missing),
        unlisted=tuple(sorted(present - set(listed))),
    )
