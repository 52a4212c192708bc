#!/usr/bin/env python3
"""Score dedup's near-duplicate clusters on Reuters-21578 against exact Jaccard.

    python3 scripts/eval/reuters.py --report /tmp/dedup-eval/reuters-report.csv \
        --pairs ../shared/data/reuters21578-neardup/pairs.tsv

Gold (pairs.tsv, header `id_a id_b jaccard containment`): every pair of stories
whose word-5-shingle Jaccard is >= 0.3; a pair that is not listed has
Jaccard < 0.3. (Shingles: case-folded \\w+ words of the body, title line
excluded; stories with < 10 shingles were left out of the pairing.)

From the report's near_duplicate and exact_duplicate rows we build clusters:
a row puts both `doc` and `keep_doc` into cluster `cluster`. A report doc
"r123.txt" is gold id "r123".

Printed:
  (a) recall: share of gold pairs (J >= 0.8 / 0.85 / 0.9) whose two stories
      share a cluster;
  (b) precision: share of flagged rows (doc -> keep_doc) whose gold J is
      >= 0.7 (and >= 0.8), for all whole-document rows and per kind;
  (c) rows per kind and number of clusters;
  plus up to 10 worst false positives (gold J < 0.7) and up to 10 missed
  pairs with gold J >= 0.85.

Optional --docs (default: docs.jsonl.gz next to pairs.tsv, if present): used
only to put an exact Jaccard next to "<0.3" for pairs that pairs.tsv does not
list (same shingling as the gold), and to judge rows involving the 20 short
stories that the gold pairing skipped. Without it, unlisted pairs count as
J < 0.3. Always exits 0 once the report has been read.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from evalcommon import (ALL_KINDS, SCAN_COLUMNS, WHOLE_DOC_KINDS, fmt_pct,
                        read_report)

RECALL_THRESHOLDS = (0.8, 0.85, 0.9)     # (a)
PRECISION_THRESHOLDS = (0.7, 0.8)        # (b)
FALSE_POSITIVE_BELOW = 0.7               # worst false positives list
MISSED_AT_LEAST = 0.85                   # missed pairs list
LIST_LIMIT = 10
GOLD_MIN_JACCARD = 0.3                   # pairs.tsv lists everything >= this
GOLD_MIN_SHINGLES = 10                   # gold skipped stories below this


# --------------------------------------------------------------------------
# Gold
# --------------------------------------------------------------------------

def pair_key(a: str, b: str) -> tuple[str, str]:
    """Order-independent key for a pair of ids."""
    return (a, b) if a <= b else (b, a)


def load_pairs(path: Path) -> dict[tuple[str, str], float]:
    """{(id_a, id_b) sorted: jaccard} from pairs.tsv."""
    pairs = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().split()
        if header[:3] != ["id_a", "id_b", "jaccard"]:
            raise SystemExit(f"error: unexpected header in {path}: {header}")
        for line in f:
            a, b, jaccard, _containment = line.split("\t")
            pairs[pair_key(a, b)] = float(jaccard)
    return pairs


class Shingler:
    """Exact word-5-shingle Jaccard with the gold's definition, for pairs
    that pairs.tsv does not list. Loaded from docs.jsonl.gz on first use."""

    def __init__(self, docs_path: Path):
        self.docs_path = docs_path
        self.texts: dict[str, str] | None = None
        self.cache: dict[str, set] = {}

    def _load(self) -> dict[str, str]:
        if self.texts is None:
            with gzip.open(self.docs_path, "rt", encoding="utf-8") as f:
                self.texts = {r["id"]: r["text"] for r in map(json.loads, f)}
        return self.texts

    def shingles(self, doc_id: str) -> set | None:
        """The story's set of word 5-grams (None for an unknown id)."""
        if doc_id not in self.cache:
            text = self._load().get(doc_id)
            if text is None:
                return None
            body = text.split("\n", 1)[1] if "\n" in text else ""
            words = re.findall(r"\w+", body.casefold())
            self.cache[doc_id] = {tuple(words[i:i + 5])
                                  for i in range(len(words) - 4)}
        return self.cache[doc_id]

    def jaccard(self, a: str, b: str) -> float | None:
        sa, sb = self.shingles(a), self.shingles(b)
        if sa is None or sb is None or not (sa | sb):
            return None
        return len(sa & sb) / len(sa | sb)

    def is_short(self, doc_id: str) -> bool:
        s = self.shingles(doc_id)
        return s is not None and len(s) < GOLD_MIN_SHINGLES


# --------------------------------------------------------------------------
# Report -> clusters
# --------------------------------------------------------------------------

def doc_to_id(doc: str) -> str:
    """"r123.txt" -> "r123" (the report's doc is relative to the folder)."""
    return doc[:-4] if doc.endswith(".txt") else doc


def build_clusters(rows: list[dict]) -> dict[str, set[str]]:
    """{cluster id: set of story ids} from whole-document rows."""
    clusters: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        clusters[row["cluster"]].add(doc_to_id(row["doc"]))
        if row["keep_doc"]:
            clusters[row["cluster"]].add(doc_to_id(row["keep_doc"]))
    return clusters


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(
        description="Score dedup near-duplicate clusters on Reuters-21578.")
    parser.add_argument("--report", type=Path, required=True,
                        help="CSV report written by `dedup scan`")
    parser.add_argument("--pairs", type=Path, required=True,
                        help="gold pairs.tsv")
    parser.add_argument("--docs", type=Path, default=None,
                        help="docs.jsonl.gz for exact J of unlisted pairs "
                             "(default: next to pairs.tsv if present)")
    args = parser.parse_args()

    docs_path = args.docs or args.pairs.parent / "docs.jsonl.gz"
    shingler = Shingler(docs_path) if docs_path.is_file() else None

    gold = load_pairs(args.pairs)
    rows = read_report(args.report, required=(
        *SCAN_COLUMNS, "keep_doc", "similarity", "cluster"))
    # A scan of the JSONL shard names documents "<shard>:<line>" and carries the story ids in the
    # id / keep_id columns; a scan of .txt files names them "<id>.txt".
    for r in rows:
        if r.get("id"):
            r["doc"] = r["id"]
        if r.get("keep_id"):
            r["keep_doc"] = r["keep_id"]
    dup_rows = [r for r in rows if r["kind"] in WHOLE_DOC_KINDS]
    clusters = build_clusters(dup_rows)

    # Which cluster(s) each story is in. A story should be in at most one;
    # more than one means the report is inconsistent (we still count a pair
    # as found when the two stories share any cluster).
    member_of: dict[str, set[str]] = defaultdict(set)
    for cluster_id, members in clusters.items():
        for doc_id in members:
            member_of[doc_id].add(cluster_id)
    in_several = sorted(d for d, c in member_of.items() if len(c) > 1)

    def same_cluster(a: str, b: str) -> bool:
        return bool(member_of.get(a, set()) & member_of.get(b, set()))

    print(f"report: {args.report}")
    print(f"gold:   {args.pairs} ({len(gold)} pairs with J >= "
          f"{GOLD_MIN_JACCARD})")

    # ---- (c) report contents ---------------------------------------------
    kind_counts = Counter(r["kind"] for r in rows)
    print("\n(c) Report contents")
    print(f"  {'kind':<20} {'rows':>7}")
    for kind in ALL_KINDS:
        print(f"  {kind:<20} {kind_counts.get(kind, 0):>7}")
    for kind in sorted(set(kind_counts) - set(ALL_KINDS)):
        print(f"  {kind:<20} {kind_counts[kind]:>7}   (unexpected kind)")
    print(f"  {'clusters':<20} {len(clusters):>7}   "
          f"({len(member_of)} stories in clusters)")
    if in_several:
        print(f"  WARNING: {len(in_several)} stories are in more than one "
              f"cluster, e.g. {in_several[:5]}")
    no_keep = sum(1 for r in dup_rows if not r["keep_doc"])
    self_rows = sum(1 for r in dup_rows if r["doc"] == r["keep_doc"])
    if no_keep:
        print(f"  WARNING: {no_keep} whole-document rows have no keep_doc")
    if self_rows:
        print(f"  WARNING: {self_rows} whole-document rows have "
              f"doc == keep_doc (left out of precision)")

    # ---- (a) recall --------------------------------------------------------
    print("\n(a) Recall: gold pairs whose two stories share a cluster")
    print(f"  {'gold J':<8} {'pairs':>6} {'found':>6} {'recall':>7}")
    for t in RECALL_THRESHOLDS:
        wanted = [p for p, j in gold.items() if j >= t]
        found = sum(1 for a, b in wanted if same_cluster(a, b))
        print(f"  >= {t:<5} {len(wanted):>6} {found:>6} "
              f"{fmt_pct(found, len(wanted)):>7}")

    # ---- (b) precision -----------------------------------------------------
    # Judge every flagged row (doc, keep_doc) by the gold J of that pair.
    judged = []          # (row, doc id, keep id, J or None, label for J)
    recomputed = 0       # rows judged by our own exact Jaccard
    for row in dup_rows:
        a, b = doc_to_id(row["doc"]), doc_to_id(row["keep_doc"])
        if not row["keep_doc"] or a == b:
            continue
        if pair_key(a, b) in gold:
            j = gold[pair_key(a, b)]
            label = f"{j:.3f}"
        elif shingler is None:
            j, label = 0.0, "<0.3"          # the README's guarantee
        else:
            exact = shingler.jaccard(a, b)
            if exact is None:               # unknown id or no shingles at all
                j, label = 0.0, "<0.3"
            elif shingler.is_short(a) or shingler.is_short(b):
                # The gold skipped this short story: use our exact value.
                j, label = exact, f"{exact:.3f} (short story, not in gold)"
                recomputed += 1
            else:
                j, label = exact, f"<0.3 ({exact:.3f})"
        judged.append((row, a, b, j, label))

    print("\n(b) Precision: flagged rows (doc -> keep_doc) by gold J of the pair")
    header = "".join(f" {'J>=' + str(t):>16}" for t in PRECISION_THRESHOLDS)
    print(f"  {'rows':<17} {'n':>6}{header}")
    groups = [("all whole-doc", WHOLE_DOC_KINDS)] + [(k, (k,))
                                                     for k in WHOLE_DOC_KINDS]
    for name, kinds in groups:
        items = [x for x in judged if x[0]["kind"] in kinds]
        cells = ""
        for t in PRECISION_THRESHOLDS:
            ok = sum(1 for x in items if x[3] >= t)
            cells += f" {ok:>7} {fmt_pct(ok, len(items)):>8}"
        print(f"  {name:<17} {len(items):>6}{cells}")
    if recomputed:
        print(f"  note: {recomputed} row(s) involve stories with < "
              f"{GOLD_MIN_SHINGLES} shingles that the gold skipped; judged by "
              f"exact Jaccard recomputed from docs.jsonl.gz")

    # ---- worst false positives --------------------------------------------
    false_pos = sorted((x for x in judged if x[3] < FALSE_POSITIVE_BELOW),
                       key=lambda x: (x[3], x[1]))
    print(f"\nWorst false positives (gold J < {FALSE_POSITIVE_BELOW}): "
          f"{len(false_pos)} rows, showing {min(LIST_LIMIT, len(false_pos))}")
    if false_pos:
        print(f"  {'doc':<10} {'keep_doc':<10} {'kind':<16} {'sim':>6}  gold J")
        for row, a, b, _j, label in false_pos[:LIST_LIMIT]:
            sim = "" if row["similarity"] is None else f"{row['similarity']:.3f}"
            print(f"  {a:<10} {b:<10} {row['kind']:<16} {sim:>6}  {label}")

    # ---- missed pairs -------------------------------------------------------
    missed = sorted(((j, a, b) for (a, b), j in gold.items()
                     if j >= MISSED_AT_LEAST and not same_cluster(a, b)),
                    key=lambda x: (-x[0], x[1], x[2]))
    print(f"\nMissed pairs (gold J >= {MISSED_AT_LEAST}, not in one cluster): "
          f"{len(missed)}, showing {min(LIST_LIMIT, len(missed))}")
    if missed:
        print(f"  {'id_a':<10} {'id_b':<10} {'gold J':>6}  clusters of a / b")
        for j, a, b in missed[:LIST_LIMIT]:
            ca = ",".join(sorted(member_of.get(a, ()))) or "-"
            cb = ",".join(sorted(member_of.get(b, ()))) or "-"
            print(f"  {a:<10} {b:<10} {j:>6.3f}  {ca} / {cb}")


if __name__ == "__main__":
    main()
