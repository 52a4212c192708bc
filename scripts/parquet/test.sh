#!/usr/bin/env bash
# The Parquet test (run by .ci/run, kept out of `cargo test` so that the tests need no Python
# packages): Parquet files written by pyarrow, Polars and DuckDB are scanned, reported as Parquet
# and applied, and checked against the same records as a JSONL shard (scripts/parquet/check.py).
# Installs pyarrow, polars and duckdb in a virtualenv (PARQUET_VENV, default target/parquet-venv).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
VENV="${PARQUET_VENV:-$ROOT/target/parquet-venv}"
. scripts/lib/venv.sh
ensure_venv parquet-test "$VENV" scripts/parquet/requirements.txt python -c "import pyarrow, polars, duckdb"
cargo build --release --quiet
DEDUP="${CARGO_TARGET_DIR:-$ROOT/target}/release/dedup"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$VENV/bin/python" scripts/parquet/check.py "$DEDUP" "$WORK"
echo "parquet-test: passed"
