#!/usr/bin/env bash
# The Dolma equality test (run by .ci/run, kept out of `cargo test` so that the tests need no
# Python packages): `dedup scan --format dolma` writes attribute files beside a corpus of
# documents files (plain, gzip and zstd; French text with accents, so that code-point offsets
# matter; numeric and string ids; nested fields), the real `dolma mix` (PyPI `dolma`, in a
# virtualenv: DOLMA_VENV, default target/dolma-venv) removes the spans and drops the
# duplicates, and its output must equal `dedup apply`'s record for record, with the CSV report
# and with the attribute folder as the report. With ../shared/data present, 4,000 Reuters
# stories are added.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
VENV="${DOLMA_VENV:-$ROOT/target/dolma-venv}"
. scripts/lib/venv.sh
ensure_venv dolma-test "$VENV" scripts/dolma/requirements.txt dolma --help
cargo build --release --quiet
DEDUP="${CARGO_TARGET_DIR:-$ROOT/target}/release/dedup"
WORK="$(mktemp -d)"
[ -n "${DOLMA_TEST_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
DOCS="$WORK/corpus/documents"

# The documents files: the fixture shards in three compressions, the seeds as records with
# numeric ids and nested metadata (one seed twice: an exact duplicate), Reuters if at hand.
"$VENV/bin/python" - "$DOCS" <<'PY'
import gzip, json, sys
from pathlib import Path
import zstandard
docs = Path(sys.argv[1]); (docs / "news").mkdir(parents=True)
fixtures = Path("tests/fixtures/shards")
(docs / "part-0.jsonl").write_bytes((fixtures / "part-0.jsonl").read_bytes())
(docs / "part-1.jsonl.gz").write_bytes(gzip.compress((fixtures / "part-1.jsonl").read_bytes()))
(docs / "part-2.jsonl.zst").write_bytes(
    zstandard.ZstdCompressor().compress((fixtures / "part-2.jsonl").read_bytes()))
seeds = sorted(Path("seeds").glob("*.txt"))
lines = [json.dumps({"id": i + 1, "text": p.read_text(), "meta": {"file": p.name, "n": [i]}},
                    ensure_ascii=False) for i, p in enumerate(seeds)]
lines.append(json.dumps({"id": 99, "text": seeds[0].read_text(), "meta": {"file": "copy"}},
                        ensure_ascii=False))
(docs / "news" / "seeds.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
reuters = Path("../shared/data/reuters21578-neardup/docs.jsonl.gz")
if reuters.exists():
    head = gzip.decompress(reuters.read_bytes()).decode().splitlines()[:4000]
    (docs / "news" / "reuters.jsonl.zst").write_bytes(
        zstandard.ZstdCompressor().compress(("\n".join(head) + "\n").encode()))
PY
FILES=$(cd "$DOCS" && find . -type f | sed 's|^\./||' | sort)

"$DEDUP" scan --format dolma --attributes dedup "$DOCS"
"$DEDUP" scan -q "$DOCS" -o "$WORK/report.csv"
"$DEDUP" apply -q --report "$WORK/report.csv" --out "$WORK/applied" "$DOCS"
"$DEDUP" apply -q --report "$WORK/corpus/attributes/dedup" --out "$WORK/applied-attributes" "$DOCS"
if ! diff -r "$WORK/applied" "$WORK/applied-attributes" >/dev/null; then
    echo "dolma-test: apply with the attribute folder differs from apply with the CSV report" >&2
    exit 1
fi

# Dolma's mixer: drop what is flagged whole, cut the spans.
{
    echo "streams:"
    echo "  - name: dedup"
    echo "    documents:"
    for f in $FILES; do echo "      - $DOCS/$f"; done
    cat <<YAML
    attributes: [dedup]
    output:
      path: $WORK/mixed
      max_size_in_bytes: 10000000000
    filter:
      exclude:
        - "\$.attributes[?(@.dedup__near_duplicate && @.dedup__near_duplicate[0] && @.dedup__near_duplicate[0][2] >= 0)]"
        - "\$.attributes[?(@.dedup__exact_duplicate && @.dedup__exact_duplicate[0] && @.dedup__exact_duplicate[0][2] >= 0)]"
    span_replacement:
      - span: "\$.attributes.dedup__boilerplate"
        min_score: 0.0
        replacement: ""
      - span: "\$.attributes.dedup__repeated_paragraph"
        min_score: 0.0
        replacement: ""
work_dir:
  input: $WORK/mix-work/input
  output: $WORK/mix-work/output
processes: 1
shuffle: false
YAML
} > "$WORK/mix.yaml"
"$VENV/bin/dolma" -c "$WORK/mix.yaml" mix > "$WORK/mix.log" 2>&1 || { cat "$WORK/mix.log" >&2; exit 1; }

# The mixer writes each documents file's output at its relative path.
# shellcheck disable=SC2086
"$VENV/bin/python" scripts/dolma/compare.py "$WORK/mixed/documents" "$WORK/applied" $FILES
echo "dolma-test: passed"
