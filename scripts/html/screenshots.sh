#!/usr/bin/env bash
# The README's screenshots of the HTML report, taken with headless Chromium: the seeds' overview
# and a document view, and (with ../shared/data) Reuters-21578's overview and a cluster view.
# Writes docs/screenshots/*.png.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
command -v chromium >/dev/null || { echo "screenshots: needs chromium (scripts/html/test.sh installs it)" >&2; exit 1; }
cargo build --release --quiet
DEDUP="${CARGO_TARGET_DIR:-$ROOT/target}/release/dedup"
OUT=docs/screenshots
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
shot() { # page, fragment, output, height
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --disable-background-networking --user-data-dir="$WORK/profile" \
        --window-size="1200,$4" --screenshot="$OUT/$3" "file://$1#$2" 2>/dev/null
}
"$DEDUP" scan -q seeds --html "$WORK/seeds.html" > /dev/null
shot "$WORK/seeds.html" overview seeds-overview.png 900
# The view of seed 001 (its body twice, and the comment-form furniture).
doc=$(grep -o 'id="view-doc-[0-9]*" class="view doc" data-doc="001_[^"]*"' "$WORK/seeds.html" | head -1 | sed 's/id="view-\(doc-[0-9]*\)".*/\1/')
shot "$WORK/seeds.html" "$doc" seeds-document.png 900
REUTERS=../shared/data/reuters21578-neardup/docs.jsonl.gz
if [ -f "$REUTERS" ]; then
    mkdir -p "$WORK/reuters"
    cp "$REUTERS" "$WORK/reuters/"
    "$DEDUP" scan -q "$WORK/reuters" --html "$WORK/reuters.html" > /dev/null
    shot "$WORK/reuters.html" overview reuters-overview.png 1400
    shot "$WORK/reuters.html" clusters reuters-clusters.png 900
    # The cluster with the most members among those shown.
    cluster=$(grep -o '<tr data-id="[0-9]*" data-size="[0-9]*"' "$WORK/reuters.html" \
        | sed 's/<tr data-id="\([0-9]*\)" data-size="\([0-9]*\)"/\2 \1/' | sort -k1,1nr -k2,2n | head -1 | cut -d' ' -f2)
    shot "$WORK/reuters.html" "cluster-$cluster" reuters-cluster.png 1000
fi
ls -la "$OUT"
