"""Evidence spans shown in a conversation: byte offsets to characters, and escaped highlighting.

The ``evidence`` table stores UTF-8 byte offsets; Python strings index characters, so the few
spans a page shows are converted here. Every piece of text is HTML-escaped before it is wrapped
in ``<mark>``, so nothing a user wrote in a conversation can inject markup into the page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable


def char_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the character offsets of the UTF-8 byte span [start, end) of ``text``.

    >>> text = "Zoë says: no"
    >>> char_span(text, 11, 13), text[slice(*char_span(text, 11, 13))]
    ((10, 12), 'no')
    """
    raw = text.encode("utf-8")
    begin = len(raw[: max(start, 0)].decode("utf-8", errors="ignore"))
    return begin, begin + len(raw[max(start, 0) : max(end, start)].decode("utf-8", errors="ignore"))


def highlight(text: str | None, spans: Iterable[tuple[int, int, str]]) -> str:
    """Return ``text`` as escaped HTML with each byte span (start, end, signal) in a ``<mark>``.

    Overlapping spans are merged into the first; a null text is shown as "(no reply)".

    >>> highlight("I <b>can't</b> help, Zoë", [(0, 1, "refusal"), (21, 25, "name")])
    '<mark title="refusal">I</mark> &lt;b&gt;can&#x27;t&lt;/b&gt; help, <mark title="name">Zoë</mark>'
    """
    if text is None:
        return "<em>(no reply)</em>"
    pieces, cursor = [], 0
    for start, end, signal in sorted(
        (*char_span(text, start, end), signal) for start, end, signal in spans
    ):
        if start < cursor or end <= start:
            continue
        pieces += [
            html.escape(text[cursor:start]),
            f'<mark title="{html.escape(signal)}">{html.escape(text[start:end])}</mark>',
        ]
        cursor = end
    pieces.append(html.escape(text[cursor:]))
    return "".join(pieces)
