"""Import a Markdown spec into a catalog skeleton, one clause per section with its own authority.

The public Model Spec marks its sections with attribute blocks, ``## Title {#anchor authority=root}``
(levels 1-4; the block may carry ``tags=...`` too). Every heading with an ``authority`` becomes a
clause: id = anchor, title, chapter = the enclosing level-1 anchor, authority, and the section's
own prose (up to its first example, fenced block or sub-heading) as ``text``. The layer is a guess
a spec owner reviews (root/system/platform → rule, anything else → default); severity ``medium``
and kind ``other`` are placeholders; no conditions, so every clause starts untestable until someone
adds signals. Headings inside ``~~~`` or ````` fences are example content, not sections.

Parsing walks the document's lines once: a spec is one document, not a table of production data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from spec_audit.errors import UserError
from spec_audit.spec.catalog import AUTHORITY_ALIASES, SIGNALS_VERSION

_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*\{#([A-Za-z0-9_-]+)((?:\s+[\w-]+=[^\s}]*)*)\s*\}\s*$")
_ATTRIBUTE = re.compile(r"([\w-]+)=([^\s}]*)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_FOOTNOTE = re.compile(r"\[\^[^\]]*\]")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_VERSION = re.compile(r"(\d{4}-\d{2}-\d{2})")
#: Longest clause text kept from a section, in characters; the full text stays in the source.
MAX_TEXT = 1200
RULE_AUTHORITIES = ("root", "system", "platform")


@dataclass(frozen=True)
class Section:
    """One anchored heading of a Markdown spec and the prose it opens with."""

    anchor: str
    title: str
    level: int
    authority: str | None
    chapter: str
    line: int
    text: str


def parse_sections(markdown: str) -> list[Section]:
    """Return every anchored heading (levels 1-4, outside code fences) with its own prose.

    >>> doc = "# Intro {#intro}\\n\\n## Be kind {#be_kind authority=user}\\nBe kind[^x].\\n~~~\\n# no\\n~~~\\n"
    >>> [(s.anchor, s.authority, s.chapter, s.text) for s in parse_sections(doc)]
    [('intro', None, 'intro', ''), ('be_kind', 'user', 'intro', 'Be kind.')]
    """
    sections: list[Section] = []
    body: list[str] = []
    fence: str | None = None
    chapter = ""
    stopped = False  # the section's own prose ends at its first example or fenced block

    def close() -> None:
        if sections:
            last = sections[-1]
            sections[-1] = Section(**{**last.__dict__, "text": _prose(body)})

    for number, line in enumerate(markdown.splitlines(), start=1):
        fenced = _FENCE.match(line)
        if fence is not None:
            if fenced and fenced.group(1) == fence:
                fence = None
            continue
        if fenced:
            fence, stopped = fenced.group(1), True
            continue
        heading = _HEADING.match(line)
        if heading is None:
            if line.startswith("**Example**"):
                stopped = True
            if not stopped:
                body.append(line)
            continue
        close()
        body, stopped = [], False
        level = len(heading.group(1))
        anchor = heading.group(3)
        attributes = dict(_ATTRIBUTE.findall(heading.group(4)))
        if level == 1:
            chapter = anchor
        sections.append(
            Section(
                anchor=anchor,
                title=heading.group(2).strip(),
                level=level,
                authority=attributes.get("authority"),
                chapter=chapter or anchor,
                line=number,
                text="",
            )
        )
    close()
    return sections


def skeleton(
    markdown: str,
    *,
    spec_id: str,
    version: str,
    title: str,
    url: str,
    license: str | None = None,
) -> dict[str, Any]:
    """Return a catalog mapping (as ``load_catalog`` reads it) with one clause per section with authority."""
    clauses = []
    for section in parse_sections(markdown):
        if section.authority is None:
            continue
        if not re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", section.anchor):
            raise UserError(
                f"line {section.line}: anchor '{section.anchor}' is not lower_snake_case, "
                "so it cannot be a clause id"
            )
        authority = AUTHORITY_ALIASES.get(section.authority, section.authority)
        clauses.append(
            {
                "id": section.anchor,
                "title": _LINK.sub(r"\1", section.title),
                "chapter": section.chapter,
                "layer": "rule" if section.authority in RULE_AUTHORITIES else "default",
                "authority": authority,
                "severity": "medium",
                "kind": "other",
                "text": section.text or _LINK.sub(r"\1", section.title),
            }
        )
    if not clauses:
        raise UserError("no heading carries an authority ({#anchor authority=...})")
    source: dict[str, str] = {"url": url}
    if license:
        source["license"] = license
    return {
        "spec_id": spec_id,
        "version": version,
        "title": title,
        "source": source,
        "signals_version": SIGNALS_VERSION,
        "clauses": clauses,
    }


def import_markdown(
    path: Path,
    *,
    spec_id: str | None = None,
    version: str | None = None,
    title: str | None = None,
    url: str | None = None,
    license: str | None = None,
) -> str:
    """Return the YAML text of the catalog skeleton for the Markdown spec in ``path``.

    ``spec_id`` and ``version`` default to the file name (``model_spec-2025-12-18.md`` →
    ``model-spec``, ``2025-12-18``); ``url`` defaults to the file's path.
    """
    try:
        markdown = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such Markdown file") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    found = _VERSION.search(path.stem)
    version = version or (found.group(1) if found else None)
    if version is None:
        raise UserError(f"{path}: no version in the file name; give --version")
    stem = path.stem.replace(found.group(1), "") if found else path.stem
    spec_id = spec_id or (stem.strip("-_ .").replace("_", "-").lower() or "spec")
    try:
        data = skeleton(
            markdown,
            spec_id=spec_id,
            version=version,
            title=title or spec_id.replace("-", " ").capitalize(),
            url=url or str(path),
            license=license,
        )
    except UserError as exc:
        raise UserError(f"{path}: {exc}") from None
    header = (
        f"# Spec catalog skeleton imported from {path.name} by `spec-audit spec import`.\n"
        "# One clause per section with its own authority; text is the section's opening prose.\n"
        "# To complete: review layer (guessed from authority), severity and kind (placeholders),\n"
        "# rewrite text in your own words if the source's licence asks it, and add applies_when /\n"
        "# violation_when over signals where a clause can be tested.\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _prose(lines: list[str]) -> str:
    """Return a section's opening prose on one line: footnotes and link targets dropped, capped."""
    text = " ".join(" ".join(lines).split())
    text = _LINK.sub(r"\1", _FOOTNOTE.sub("", text)).strip()
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT].rsplit(" ", 1)[0] + " …"
    return text
