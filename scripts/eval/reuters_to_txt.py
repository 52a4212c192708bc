#!/usr/bin/env python3
"""Turn the Reuters-21578 near-duplicate data set into one .txt file per story.

    python3 scripts/eval/reuters_to_txt.py \
        --data ../shared/data/reuters21578-neardup --out /tmp/dedup-eval/reuters-txt

Reads DATA/docs.jsonl.gz (records {id: "r123", newid, date, title, topics,
text}) and writes each story's `text` exactly (UTF-8, no newline added) to
OUT/<id>.txt, so the report's `doc` "r123.txt" maps back to gold id "r123".

With --body-only the title line (the text's first line) is left out, which is how the
gold Jaccard values of pairs.tsv were computed; without it the stories are scanned as
they are, title included, as a user would.

The data is licensed for research only: write OUT outside the repository
(the default work area is /tmp/dedup-eval). Stale .txt files in OUT that are
not stories of the data set are deleted so they cannot pollute the scan.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from evalcommon import shared_data_dir, write_corpus  # noqa: E402


def load_stories(data_dir: Path, body_only: bool = False) -> dict[str, str]:
    """{"<id>.txt": text} for every record of docs.jsonl.gz."""
    files: dict[str, str] = {}
    with gzip.open(data_dir / "docs.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            name = f"{record['id']}.txt"
            if name in files:
                raise SystemExit(f"error: duplicate id {record['id']}")
            text = record["text"]
            files[name] = text.split("\n", 1)[1] if body_only and "\n" in text else text
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path,
                        default=shared_data_dir("reuters21578-neardup"),
                        help="folder holding docs.jsonl.gz (default: %(default)s)")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write <id>.txt files into")
    parser.add_argument("--body-only", action="store_true",
                        help="leave out each story's title line, as the gold pairs do")
    args = parser.parse_args()

    files = load_stories(args.data, args.body_only)
    write_corpus(args.out, files)
    print(f"wrote {len(files)} stories to {args.out}")


if __name__ == "__main__":
    main()
