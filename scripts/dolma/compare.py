#!/usr/bin/env python3
"""Checks that Dolma's mixer output equals `dedup apply`'s, record for record.

    compare.py MIXED_DIR APPLIED_DIR FILE...

For each FILE (a documents file's name, `.jsonl`, `.jsonl.gz` or `.jsonl.zst`), the records of
MIXED_DIR/FILE (written by `dolma mix`) and APPLIED_DIR/FILE (written by `dedup apply`) must
be equal in order, every field compared, once the fields the mixer adds are left out
(`attributes`, and `metadata.provenance` where `metadata` held nothing else). Prints one line per
file; exits 1 on the first difference, naming the record and the field.
"""

import gzip
import io
import json
import sys
from pathlib import Path

import zstandard


def records(path: Path) -> list:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    elif path.name.endswith(".zst"):
        raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
    return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]


def without_mixer_fields(record: dict) -> dict:
    record = dict(record)
    record.pop("attributes", None)
    meta = record.get("metadata")
    if isinstance(meta, dict) and "provenance" in meta:
        meta = {k: v for k, v in meta.items() if k != "provenance"}
        if meta:
            record["metadata"] = meta
        else:
            record.pop("metadata")
    return record


def main() -> int:
    mixed_dir, applied_dir, names = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    for name in names:
        mixed = [without_mixer_fields(r) for r in records(mixed_dir / name)]
        applied = records(applied_dir / name)
        if len(mixed) != len(applied):
            print(f"dolma-test: {name}: dolma mix wrote {len(mixed)} records, dedup apply "
                  f"{len(applied)}", file=sys.stderr)
            return 1
        for i, (m, a) in enumerate(zip(mixed, applied), 1):
            if m != a:
                fields = sorted(k for k in set(m) | set(a) if m.get(k) != a.get(k))
                print(f"dolma-test: {name}: record {i} (id {a.get('id')!r}) differs in "
                      f"{fields}: {str(m.get(fields[0]))[:120]!r} vs "
                      f"{str(a.get(fields[0]))[:120]!r}", file=sys.stderr)
                return 1
        print(f"dolma-test: {name}: {len(applied)} records equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
