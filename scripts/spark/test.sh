#!/usr/bin/env bash
# The Spark equality test of the staged pipeline (run by .ci/run, kept out of `cargo test` so that
# the tests need no Java):
#   1. `dedup sign` the fixture shards (tests/fixtures/shards, cross-shard clusters, a large
#      bucket) and the seeds;
#   2. run the global step twice on copies of the tables: `dedup cluster` and
#      scripts/spark/cluster.py (Spark in local mode);
#   3. check the two runs' dup_docs and boilerplate tables are equal (scripts/spark/compare.py);
#   4. run `dedup spans` on Spark's tables and check the report equals `dedup scan`'s, byte for byte.
# Installs what it needs: Java 17 with apt if `java` is missing, pyspark in a virtualenv
# (SPARK_VENV, default target/spark-venv).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
VENV="${SPARK_VENV:-$ROOT/target/spark-venv}"

if ! command -v java >/dev/null 2>&1; then
    echo "spark-test: installing Java 17" >&2
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
. scripts/lib/venv.sh
ensure_venv spark-test "$VENV" scripts/spark/requirements.txt python -c "import pyspark"
cargo build --release --quiet
DEDUP="${CARGO_TARGET_DIR:-$ROOT/target}/release/dedup"
WORK="$(mktemp -d)"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
trap 'rm -rf "$WORK"' EXIT

OPTS=()
check() { # name, then the corpus paths; the scan options in OPTS
    local name="$1"; shift
    local t="$WORK/$name"
    "$DEDUP" sign -q "${OPTS[@]}" --out "$t/rust" "$@"
    cp -r "$t/rust" "$t/spark"
    "$DEDUP" cluster -q "${OPTS[@]}" "$t/rust"
    # The Spark step reads every parameter from the tables' params.json.
    "$VENV/bin/python" scripts/spark/cluster.py "$t/spark"
    "$VENV/bin/python" scripts/spark/compare.py "$t/rust" "$t/spark"
    "$DEDUP" scan -q "${OPTS[@]}" "$@" > "$t/scan.csv"
    "$DEDUP" spans -q "${OPTS[@]}" --clusters "$t/spark" "$@" > "$t/spans.csv"
    if cmp -s "$t/scan.csv" "$t/spans.csv"; then
        echo "spark-test: $name: spans on Spark's tables = scan ($(($(wc -l < "$t/scan.csv") - 1)) rows)"
    else
        echo "spark-test: $name: spans on Spark's tables differ from scan" >&2
        diff "$t/scan.csv" "$t/spans.csv" | head -20 >&2
        exit 1
    fi
}

check fixture tests/fixtures/shards/part-0.jsonl tests/fixtures/shards/part-1.jsonl tests/fixtures/shards/part-2.jsonl
check seeds seeds
OPTS=(--min-docs 2 --threshold 0.7)
check fixture-min-docs-2 tests/fixtures/shards/part-0.jsonl tests/fixtures/shards/part-1.jsonl tests/fixtures/shards/part-2.jsonl
OPTS=(--no-furniture --min-docs 4)
check fixture-no-furniture tests/fixtures/shards/part-0.jsonl tests/fixtures/shards/part-1.jsonl tests/fixtures/shards/part-2.jsonl
echo "spark-test: passed"
