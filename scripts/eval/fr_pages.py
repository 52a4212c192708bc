#!/usr/bin/env python3
"""Boilerplate evaluation on the French pages of fr-web-pages: dedup and the
jusText baseline in the same run.

    python3 scripts/eval/fr_pages.py [--min-docs N] [--no-baseline] [--venv DIR]
        [--data DIR] [--work DIR] [-- DEDUP ARGS...]

Two scans, each run once over one folder with one file per page:

1. labelled.jsonl (2 pages, lemonde-1 and liberation-1, full line labels):
   pages go to WORK/fr-labelled/<id>.txt and are scored like
   boilerplate_sites.py: byte precision / recall / F1 of removed bytes vs the
   gold `boilerplate_spans`, non-whitespace bytes, micro-averaged, per page
   and overall ("removed" = boilerplate + repeated_paragraph spans, second
   column group = boilerplate spans only).

2. snippets.jsonl (21 pages from 21 different sites, sparse labels):
   pages go to WORK/fr-snippets/<id>.txt. Each page lists line ranges
   [first, last] (0-based, inclusive; null = not located) of `with` snippets
   (main text that must stay) and `without` snippets (boilerplate that must
   go). Only located ranges count; on non-whitespace bytes:
     kept-rate    = share of `with` ranges with no byte removed (target 100%)
     removed-rate = share of `without` ranges whose bytes are all removed
   Lines that no snippet names are unlabelled and do not count.

In both sets, pages that get a whole-document row (near_duplicate /
exact_duplicate) are counted and left out of dedup's scores.

The jusText baseline (skipped with --no-baseline) classifies every page
alone, its lines given to jusText as <p> paragraphs, French stoplist,
default parameters (scripts/eval/justext_lines.py, run in the virtualenv of
scripts/eval/requirements.txt: --venv, default WORK/venv-eval, made on first
use and reinstalled when that file changes). The lines it does not class
"good" are its removed spans, scored by the same code as dedup's: a second
byte table for labelled.jsonl, a third column group and a total line for
snippets.jsonl. It scores every page (it has no whole-document rows).

The binary is $DEDUP_BIN, else target/release/dedup (built if missing).
Everything after `--` is passed to `dedup scan`. The pages belong to their
publishers: they are written under WORK (default /tmp/dedup-eval), never
into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from evalcommon import (BASELINE_HEADER, DEFAULT_WORK_DIR, SCORE_GROUPS,
                        SCORE_HEADER, SCORE_NOTES, SPAN_KINDS,
                        NonWhitespaceBytes, baseline_cells, check_unknown_docs,
                        default_venv, describe_binary, dedup_binary, fmt_pct,
                        intersect_spans, line_byte_ranges, merge_spans,
                        read_report, run_justext, run_scan, score_cells,
                        score_pages, shared_data_dir, spans_as_rows,
                        spans_by_doc, split_passthrough, whole_doc_flagged,
                        write_corpus)

SHOW_FAILURES = 20   # how many failing snippet lines to list per type


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scan(binary: Path, folder: Path, records: list[dict], extra: list[str],
         report: Path) -> list[dict]:
    """Write one <id>.txt per record into `folder`, scan it once, read the
    report."""
    write_corpus(folder, {f"{r['id']}.txt": r["text"] for r in records})
    seconds = run_scan(binary, [folder], extra, report)
    print(f"  ({seconds:.1f} s)")
    return read_report(report)


# --------------------------------------------------------------------------
# 1. labelled.jsonl: byte P/R/F1
# --------------------------------------------------------------------------

def eval_labelled(binary: Path, records: list[dict], work: Path,
                  extra: list[str], venv: Path | None) -> None:
    print("\n=== fr-web-pages/labelled.jsonl: byte precision / recall / F1 ===")
    rows = scan(binary, work / "fr-labelled", records, extra,
                work / "fr-labelled-report.csv")
    pages = {f"{r['id']}.txt": (NonWhitespaceBytes(r["text"]),
                                [tuple(s) for s in r["boilerplate_spans"]])
             for r in records}
    results = score_pages(pages, rows, "fr labelled")
    baseline = None
    if venv is not None:
        spans, about = run_justext({f"{r['id']}.txt": r["text"]
                                    for r in records},
                                   "French", work, venv, "fr-labelled")
        baseline = (about, score_pages(pages, spans_as_rows(spans),
                                       "jusText fr labelled"))

    print(SCORE_NOTES)
    print()
    print("dedup:")
    print(f"{'':<26} {SCORE_GROUPS}")
    print(f"{'page':<26} {SCORE_HEADER}")
    for doc, result in results.items():
        print(f"{doc.removesuffix('.txt'):<26} {score_cells([result])}")
    print(f"{'ALL':<26} {score_cells(results.values())}")
    if baseline:
        about, jt_results = baseline
        print()
        print(about)
        print(f"{'page':<26} {BASELINE_HEADER}")
        for doc, result in jt_results.items():
            print(f"{doc.removesuffix('.txt'):<26} {baseline_cells([result])}")
        print(f"{'ALL':<26} {baseline_cells(jt_results.values())}")


# --------------------------------------------------------------------------
# 2. snippets.jsonl: kept-rate / removed-rate
# --------------------------------------------------------------------------

def snippet_checks(record: dict, removed: list[tuple[int, int]]):
    """Yield (kind, first, last, removed bytes, total bytes) for each located
    snippet range of one page; kind is "with" or "without"; bytes are
    non-whitespace; `removed` are the page's removed spans."""
    text = record["text"]
    counter = NonWhitespaceBytes(text)
    lines = line_byte_ranges(text)
    removed = merge_spans(removed)
    for kind, ranges in (("with", record["with_lines"]),
                         ("without", record["without_lines"])):
        for rng in ranges:
            if rng is None:          # snippet not located in text
                continue
            first, last = rng
            span = (lines[first][0], lines[last][1])
            yield (kind, first, last,
                   counter.count_spans(intersect_spans([span], removed)),
                   counter.count(*span))


def eval_snippets(binary: Path, records: list[dict], work: Path,
                  extra: list[str], venv: Path | None) -> None:
    print("\n=== fr-web-pages/snippets.jsonl: kept-rate / removed-rate ===")
    rows = scan(binary, work / "fr-snippets", records, extra,
                work / "fr-snippets-report.csv")
    check_unknown_docs(rows, {f"{r['id']}.txt" for r in records},
                       "fr snippets")
    flagged = whole_doc_flagged(rows)
    # Readings of "removed": dedup's two, as in the byte tables, then jusText.
    removed_by = {"all": spans_by_doc(rows, SPAN_KINDS),
                  "bp": spans_by_doc(rows, ("boilerplate",))}
    about = None
    if venv is not None:
        removed_by["jt"], about = run_justext(
            {f"{r['id']}.txt": r["text"] for r in records}, "French", work,
            venv, "fr-snippets")

    # Totals per reading: [kept, with_total, removed, without_total]
    totals = {reading: [0, 0, 0, 0] for reading in removed_by}
    failures = {"kept": [], "removed": []}   # filled for "all" only
    excluded = []

    print("Line ranges of located snippets; non-whitespace bytes. 'kept' = no "
          "byte removed,\n'removed' = every byte removed. dedup's removed "
          "spans = boilerplate + repeated_paragraph\n(second group: "
          "boilerplate spans only)"
          + ("; third group: jusText." if about else "."))
    if about:
        print(about)
    groups = f"{'dedup: bp + rep':^16} | {'dedup: bp only':^16}"
    header = f"{'kept':>7} {'removed':>8} | {'kept':>7} {'removed':>8}"
    if about:
        groups += f" | {'jusText':^16}"
        header += f" | {'kept':>7} {'removed':>8}"
    print(f"\n{'':<42} {groups}")
    print(f"{'page':<42} {header}")
    for record in records:
        doc = f"{record['id']}.txt"
        name = record["id"].removeprefix("traf-")
        text_lines = record["text"].split("\n")
        if doc in flagged:
            excluded.append(name)
        cells = []
        for reading, removed in removed_by.items():
            if reading != "jt" and doc in flagged:
                cells.append(f"{'(dup: excluded)':^16}")
                continue
            kept = with_total = gone = without_total = 0
            for kind, first, last, hit, total in snippet_checks(
                    record, removed.get(doc, [])):
                preview = " | ".join(text_lines[first:last + 1])[:70]
                if kind == "with":
                    with_total += 1
                    if hit == 0:
                        kept += 1
                    elif reading == "all":
                        failures["kept"].append(
                            (name, first, last, f"{hit}/{total}", preview))
                else:
                    without_total += 1
                    if total > 0 and hit == total:
                        gone += 1
                    elif reading == "all":
                        failures["removed"].append(
                            (name, first, last, f"{hit}/{total}", preview))
            for i, n in enumerate((kept, with_total, gone, without_total)):
                totals[reading][i] += n
            cells.append(f"{kept:>3}/{with_total:<3} {gone:>4}/{without_total:<3}")
        print(f"{name[:42]:<42} {' | '.join(cells)}")

    def rates(t):
        return (f"kept-rate {fmt_pct(t[0], t[1])} ({t[0]}/{t[1]}), "
                f"removed-rate {fmt_pct(t[2], t[3])} ({t[2]}/{t[3]})")

    print(f"\nALL, boilerplate + repeated: {rates(totals['all'])}")
    print(f"ALL, boilerplate only:       {rates(totals['bp'])}")
    if about:
        print(f"ALL, jusText:                {rates(totals['jt'])}")
    print(f"{len(excluded)} page(s) got a near_duplicate/exact_duplicate row "
          f"and were excluded from dedup's figures"
          f"{': ' + ', '.join(excluded) if excluded else '.'}")

    # What went wrong, line by line (boilerplate + repeated reading).
    for key, title in (("kept", "`with` lines that lost bytes (content removed)"),
                       ("removed", "`without` lines not fully removed")):
        items = failures[key]
        if not items:
            continue
        print(f"\n{title}: {len(items)}, showing {min(len(items), SHOW_FAILURES)}"
              f"  [page, lines, removed/total non-ws bytes, text]")
        for name, first, last, ratio, preview in items[:SHOW_FAILURES]:
            where = f"{first}" if first == last else f"{first}-{last}"
            print(f"  {name[:34]:<34} {where:>7} {ratio:>9}  {preview!r}")


# --------------------------------------------------------------------------

def main() -> None:
    own_args, dedup_args = split_passthrough(sys.argv[1:])
    parser = argparse.ArgumentParser(
        description="Boilerplate evaluation on fr-web-pages (labelled + "
                    "snippets). Put dedup arguments after `--`.")
    parser.add_argument("--data", type=Path,
                        default=shared_data_dir("fr-web-pages"),
                        help="folder with labelled.jsonl and snippets.jsonl "
                             "(default: %(default)s)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK_DIR,
                        help="work folder (default: %(default)s)")
    parser.add_argument("--min-docs", type=int,
                        help="passed to dedup as --min-docs N")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the jusText baseline")
    parser.add_argument("--venv", type=Path,
                        help="jusText virtualenv (default WORK/venv-eval)")
    args = parser.parse_args(own_args)
    venv = None if args.no_baseline else (args.venv or default_venv(args.work))

    extra = (["--min-docs", str(args.min_docs)]
             if args.min_docs is not None else []) + dedup_args
    binary = dedup_binary()
    print(describe_binary(binary))
    eval_labelled(binary, read_jsonl(args.data / "labelled.jsonl"),
                  args.work, extra, venv)
    eval_snippets(binary, read_jsonl(args.data / "snippets.jsonl"),
                  args.work, extra, venv)


if __name__ == "__main__":
    main()
