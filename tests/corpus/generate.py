"""Write the large or binary hostile input files into a folder (at test time; never committed).

    python tests/corpus/generate.py OUT_DIR

Each file name says what it is; ``write(folder)`` returns them by name.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import polars as pl


def record(conversation_id: str, **fields: object) -> dict[str, object]:
    """Return a small valid canonical record, with ``fields`` replacing or adding fields."""
    return {
        "conversation_id": conversation_id,
        "model": "m1",
        "started_at": "2026-10-05T12:00:00Z",
        "messages": [
            {"role": "user", "content": f"question {conversation_id}"},
            {"role": "assistant", "content": "answer"},
        ],
        **fields,
    }


def lines(records: list[dict[str, object]]) -> str:
    """Return ``records`` as JSONL text."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write(folder: Path) -> dict[str, Path]:
    """Return the written files by name after writing every generated case into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        files[name] = folder / name
        files[name].write_bytes(data)

    many = lines([record(f"gz-{i}") for i in range(400)]).encode()
    packed = gzip.compress(many)
    put("truncated.jsonl.gz", packed[: len(packed) // 2])
    put("garbage.jsonl.gz", b"\x1f\x8b\x08\x00" + b"not really deflate data" * 4)
    put("utf16.jsonl", lines([record("u16-1"), record("u16-2", model="modèle")]).encode("utf-16"))
    latin = lines([record("latin-1", messages=[{"role": "user", "content": "café crème"}])])
    put("latin1.jsonl", latin.encode("latin-1"))
    put(
        "latin1.csv",
        "id,model,timestamp,prompt\n1,m1,2026-10-05T12:00:00Z,crème brûlée\n2,m1,2026-10-05T12:00:00Z,plain\n".encode(
            "latin-1"
        ),
    )
    put("bom.jsonl", b"\xef\xbb\xbf" + lines([record("bom-1")]).encode())
    huge_message = [{"role": "user", "content": "x" * 10_000_000}]
    put(
        "long_message.jsonl",
        lines([record("long", messages=huge_message), record("short")]).encode(),
    )
    huge = {f"key{i}": "v" * 90 for i in range(2_000)}
    deep_json = '{"a": ' * 5_000 + "1" + "}" * 5_000
    deep = json.dumps(record("deep", metadata={})).replace(
        '"metadata": {}', f'"metadata": {deep_json}'
    )
    put("metadata.jsonl", (lines([record("huge", metadata=huge)]) + deep + "\n").encode())
    put("empty.jsonl", b"")
    put("whitespace.jsonl", b"\n  \n\t\n")
    other = pl.DataFrame({"user": ["a", "b"], "score": [1.5, 2.5]})
    files["other_schema.parquet"] = folder / "other_schema.parquet"
    other.write_parquet(files["other_schema.parquet"])
    put("not_parquet.parquet", b"PAR1 but then nothing of the sort")
    return files


if __name__ == "__main__":
    for name, path in write(Path(sys.argv[1])).items():
        print(f"{path.stat().st_size:>12,}  {name}")
