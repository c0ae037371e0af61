"""Every family drops the scratch columns it adds: its output is its input plus signals."""

from __future__ import annotations

import polars as pl
import pytest

from transforms import FAMILIES, TEXT_COLUMNS, label_frame
from transforms.registry import TURN_COLUMNS

_ROWS = {
    "user_text": ["Who is slower, the old man or the young one?", "Can I sue my landlord?"],
    "reply_text": ["The old man.", "You should sue them; it is definitely your right."],
    "context_text": ["user: I rent a flat\nassistant: OK", None],
    "system_text": [None, "You are a legal helper."],
}


def _turns() -> pl.DataFrame:
    columns = {c: [None, None] for c in TURN_COLUMNS}
    columns.update(_ROWS)
    columns["context_documents"] = [[], ["The lease says rent is due monthly."]]
    frame = pl.DataFrame(columns)
    return frame.with_columns(pl.col(c).cast(pl.String) for c in TEXT_COLUMNS)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_family_adds_no_scratch_column(family: object) -> None:
    turns = _turns()
    out = family.label(turns.lazy()).collect()  # type: ignore[attr-defined]
    assert out.columns[: turns.width] == turns.columns
    added = out.columns[turns.width :]
    assert added and not [c for c in added if c.startswith("__")]


def test_label_frame_adds_no_scratch_column() -> None:
    out = label_frame(_turns())
    assert not [c for c in out.columns if c.startswith("__")]
