"""Render a report's HTML page to PDF with WeasyPrint (pure Python over Pango; no browser).

The page carries the generation time as its document dates (``dcterms.created``/``modified``), so
two renders of the same report give the same PDF bytes.
"""

from __future__ import annotations

from pathlib import Path


def write_pdf(html: str, target: Path) -> Path:
    """Return ``target`` after rendering the self-contained ``html`` page to a PDF there."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF output needs.
    import weasyprint

    # No base_url: the page references no file, and nothing may be fetched.
    weasyprint.HTML(string=html).write_pdf(target)
    return target
