#!/usr/bin/env bash
# Scale benchmark of `dedup cluster` (the staged pipeline's global step) on synthetic tables:
#   scripts/bench/cluster.sh [BAND_ROWS] [WORK_DIR] [RUNS]  (default 50000000 /tmp/dedup-bench/synth-N 3)
# Writes the tables with examples/synth_tables (per document: 18 band rows, 69 paragraph keys and
# a 650-value sketch, as `dedup sign` gives on the 100 MB benchmark corpus; 5% near copies), then
# runs `dedup cluster --threads 2` under /usr/bin/time RUNS times (default 3) and prints each run's
# wall time, peak RSS and the time of each step. The first run right after the tables are written
# (or after the page cache was dropped) reads them from disk; the later ones from the page cache.
# The tables are kept (and reused) in WORK_DIR: about 9 GB at 50M band rows.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROWS="${1:-50000000}"
WORK="${2:-/tmp/dedup-bench/synth-$ROWS}"
RUNS="${3:-3}"
cd "$ROOT"
cargo build --release --quiet --example synth_tables
cargo build --release --quiet
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
if [ ! -f "$WORK/params.json" ]; then
    "$TARGET/examples/synth_tables" --band-rows "$ROWS" --sketch 650 --out "$WORK"
fi
du -sh "$WORK"/bands "$WORK"/paras "$WORK"/docs
for run in $(seq "$RUNS"); do
    echo "run $run:"
    /usr/bin/time -f "wall %e s, peak RSS %M KB" "$TARGET/dedup" cluster --threads 2 "$WORK"
done
