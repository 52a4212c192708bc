#!/usr/bin/env bash
# The browser test of the HTML report (run by .ci/run, kept out of `cargo test` so that the tests
# need no browser): `dedup scan seeds --html` is rendered by headless Chromium (Debian's
# `chromium`, installed with apt if missing), and scripts/html/check_dom.py checks from the
# rendered DOM that each of the seeds' rows is a marked cut of its kind in its document's view,
# and from Chromium's network log that the page makes no network request.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
if ! command -v chromium >/dev/null 2>&1; then
    echo "html-test: installing chromium" >&2
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
cargo build --release --quiet
DEDUP="${CARGO_TARGET_DIR:-$ROOT/target}/release/dedup"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
chrome() { # extra flags, then the URL
    # The browser's own traffic (updates, sync, spelling dictionaries) is turned off, so that
    # the network log holds only what the page asks for.
    timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --disable-spell-checking \
        --disable-client-side-phishing-detection --disable-domain-reliability \
        --disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication \
        --user-data-dir="$WORK/profile" "$@" 2>>"$WORK/chromium.log"
}
"$DEDUP" scan -q --offsets chars seeds --html "$WORK/page.html" > "$WORK/report.csv"
chrome --virtual-time-budget=2000 --log-net-log="$WORK/net.json" --net-log-capture-mode=Everything \
    --dump-dom "file://$WORK/page.html" > "$WORK/dom.html"
# A control page that does load from the network (an address that cannot resolve).
echo '<!DOCTYPE html><img src="http://dedup-html-test.invalid/x.png">' > "$WORK/control.html"
chrome --virtual-time-budget=2000 --log-net-log="$WORK/control.json" --net-log-capture-mode=Everything \
    --dump-dom "file://$WORK/control.html" > /dev/null
python3 scripts/html/check_dom.py "$WORK/dom.html" "$WORK/report.csv" seeds "$WORK/net.json" "$WORK/control.json"
echo "html-test: passed"
