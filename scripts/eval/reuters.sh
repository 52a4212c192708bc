#!/usr/bin/env bash
# Near-duplicate evaluation on Reuters-21578 (19,043 stories).
#
# Usage:
#   scripts/eval/reuters.sh [--work DIR] [--body-only] [extra `dedup scan` args...]
#   e.g. scripts/eval/reuters.sh --threshold 0.8
#
# Steps:
#   1. use $DEDUP_BIN, or target/release/dedup (built with
#      `cargo build --release` when missing);
#   2. scan the data's docs.jsonl.gz directly; with --body-only, first write one .txt per
#      story without its title line (as the gold pairs were computed) to WORK/reuters-txt-body;
#   3. run `dedup scan CORPUS --explain [extra args]` into
#      WORK/reuters-report.csv, timed (peak RSS via /usr/bin/time -v if present);
#   4. score the report with scripts/eval_reuters.py.
#
# WORK defaults to /tmp/dedup-eval. The data is read from
# ../shared/data/reuters21578-neardup (override with $REUTERS_DATA); it is
# research-only, so nothing derived from it is written inside the repo.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$(dirname "$SCRIPT_DIR")")"
DATA="${REUTERS_DATA:-$REPO_ROOT/../shared/data/reuters21578-neardup}"

# --work DIR and --body-only must come first; everything else goes to dedup.
WORK=/tmp/dedup-eval
BODY_ONLY=
while true; do
  case "${1:-}" in
    --work) WORK="$2"; shift 2 ;;
    --work=*) WORK="${1#--work=}"; shift ;;
    --body-only) BODY_ONLY=--body-only; shift ;;
    *) break ;;
  esac
done
mkdir -p "$WORK"

# 1. The binary.
if [[ -n "${DEDUP_BIN:-}" ]]; then
  BIN="$DEDUP_BIN"
  [[ -x "$BIN" ]] || { echo "error: DEDUP_BIN=$BIN is not an executable" >&2; exit 1; }
else
  BIN="$REPO_ROOT/target/release/dedup"
  if [[ ! -x "$BIN" ]]; then
    echo "$BIN not found; running cargo build --release" >&2
    (cd "$REPO_ROOT" && cargo build --release)
  fi
fi
echo "binary: $BIN (modified $(date -r "$BIN" '+%Y-%m-%d %H:%M:%S'))"

# 2. The corpus: the JSONL shard as it is, or (--body-only) one .txt per story without its title.
if [[ -z "$BODY_ONLY" ]]; then
  CORPUS="$DATA/docs.jsonl.gz"
else
  CORPUS="$WORK/reuters-txt-body"
  if [[ -f "$CORPUS.done" ]]; then
    echo "corpus: $CORPUS (already written)"
  else
    python3 "$SCRIPT_DIR/reuters_to_txt.py" --data "$DATA" --out "$CORPUS" $BODY_ONLY
    touch "$CORPUS.done"
  fi
fi

# 3. Scan, timed.
REPORT="$WORK/reuters-report${BODY_ONLY:+-body}.csv"
CMD=("$BIN" scan "$CORPUS" --explain "$@")
echo "command: $(printf '%q ' "${CMD[@]}")> $(printf '%q' "$REPORT")"

if [[ -x /usr/bin/time ]]; then
  TIME_LOG="$WORK/reuters-time.txt"
  if ! /usr/bin/time -v -o "$TIME_LOG" "${CMD[@]}" > "$REPORT"; then
    echo "error: dedup scan failed (see above; timing in $TIME_LOG)" >&2
    exit 1
  fi
  # Keep the interesting lines of the verbose timing output.
  grep -E 'Elapsed \(wall clock\)|Maximum resident set size|User time|System time' \
    "$TIME_LOG" | sed 's/^[[:space:]]*/  /'
else
  TIMEFORMAT='  wall %3R s, user %3U s, sys %3S s (peak RSS unavailable: no /usr/bin/time)'
  time "${CMD[@]}" > "$REPORT"
fi
echo "report: $REPORT ($(wc -l < "$REPORT") lines)"
echo

# 4. Score.
python3 "$SCRIPT_DIR/reuters.py" --report "$REPORT" --pairs "$DATA/pairs.tsv"
