#!/usr/bin/env python3
"""Byte-level boilerplate evaluation on boilerplate-sites-en (428 pages, 41 sites).

    python3 scripts/eval_boilerplate.py [--min-docs N | --sweep 2,3,4,5,6]
        [--holdout site1,site2] [--data DIR] [--work DIR] [-- DEDUP ARGS...]

What it does:
  1. writes every page's `text` exactly (UTF-8) to WORK/sites/<site>/<id>.txt,
     one folder per site, so a report doc is "<site>/<id>.txt";
  2. runs `dedup scan WORK/sites [--min-docs N] [DEDUP ARGS]` ONCE over all
     sites together (with --sweep: once per value);
  3. compares the removed byte spans with the gold `boilerplate_spans`:
     precision / recall / F1 over non-whitespace bytes, micro-averaged, per
     site and overall. "removed" = union of boilerplate and
     repeated_paragraph spans; a second column group uses boilerplate spans
     only. Pages that got a whole-document row (near_duplicate /
     exact_duplicate) are counted in column `dup` and left out of the byte
     scores.

Options:
  --min-docs N       passed to dedup as `--min-docs N` (default: not passed,
                     so dedup's own default applies)
  --sweep LIST       comma-separated min-docs values; one scan per value and
                     one overall line per value (to choose the default)
  --holdout SITES    comma-separated site names; adds a line for just those
  --data DIR         data folder (default ../shared/data/boilerplate-sites-en)
  --work DIR         work folder (default /tmp/dedup-eval)
  -- ARGS            everything after `--` is passed to `dedup scan`

The binary is $DEDUP_BIN, else target/release/dedup (built if missing).
The data is research-only: pages are written under WORK, never into the repo.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from evalcommon import (DEFAULT_WORK_DIR, SCORE_GROUPS, SCORE_HEADER,
                        SCORE_NOTES, NonWhitespaceBytes, describe_binary,
                        dedup_binary, read_report, run_scan, score_cells,
                        score_pages, shared_data_dir, split_passthrough,
                        write_corpus)


def load_pages(data_dir: Path):
    """Read docs.jsonl.

    Returns (texts, pages, site_of):
      texts   {doc name "<site>/<id>.txt": text}       -- files to write
      pages   {doc name: (byte counter, gold spans)}    -- for score_pages
      site_of {doc name: site}
    """
    texts, pages, site_of = {}, {}, {}
    with open(data_dir / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            doc = f"{record['site']}/{record['id']}.txt"
            texts[doc] = record["text"]
            pages[doc] = (NonWhitespaceBytes(record["text"]),
                          [tuple(s) for s in record["boilerplate_spans"]])
            site_of[doc] = record["site"]
    return texts, pages, site_of


def parse_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def main() -> None:
    own_args, dedup_args = split_passthrough(sys.argv[1:])
    parser = argparse.ArgumentParser(
        description="Byte P/R/F1 of dedup boilerplate removal on "
                    "boilerplate-sites-en. Put dedup arguments after `--`.")
    parser.add_argument("--data", type=Path,
                        default=shared_data_dir("boilerplate-sites-en"),
                        help="folder with docs.jsonl (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK_DIR,
                        help="work folder (default: %(default)s)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--min-docs", type=int,
                      help="passed to dedup as --min-docs N")
    mode.add_argument("--sweep", type=parse_list,
                      help='min-docs values to try, e.g. "2,3,4,5,6"')
    parser.add_argument("--holdout", type=parse_list, default=[],
                        help='sites for an extra line, e.g. "cnn-2017,bbc-2017"')
    args = parser.parse_args(own_args)

    texts, pages, site_of = load_pages(args.data)
    sites = sorted(set(site_of.values()))
    unknown = [s for s in args.holdout if s not in sites]
    if unknown:
        sys.exit(f"error: unknown holdout site(s) {unknown}; sites are {sites}")

    sites_dir = args.work / "sites"
    write_corpus(sites_dir, texts)
    binary = dedup_binary()
    print(f"boilerplate-sites-en: {len(pages)} pages, {len(sites)} sites, "
          f"written to {sites_dir}")
    print(describe_binary(binary))

    def run(min_docs: str | None, report_name: str):
        """One scan over all sites; returns {doc: PageResult}."""
        extra = (["--min-docs", min_docs] if min_docs is not None else [])
        report = args.work / report_name
        seconds = run_scan(binary, [sites_dir], extra + dedup_args, report)
        print(f"  ({seconds:.1f} s)")
        return score_pages(pages, read_report(report), "boilerplate-sites-en")

    if args.sweep:
        # One scan per value, one overall line (plus holdout line) per value.
        lines = []
        for value in args.sweep:
            results = run(value, f"boilerplate-report-min-docs-{value}.csv")
            lines.append(f"{'min-docs ' + value:<22} "
                         f"{score_cells(results.values())}")
            if args.holdout:
                held = [r for d, r in results.items()
                        if site_of[d] in args.holdout]
                lines.append(f"{'  holdout':<22} {score_cells(held)}")
        print()
        print(SCORE_NOTES)
        if args.holdout:
            print(f"holdout = sites {', '.join(args.holdout)}")
        print()
        print(f"{'':<22} {SCORE_GROUPS}")
        print(f"{'overall':<22} {SCORE_HEADER}")
        print("\n".join(lines))
        return

    # Single run: per-site table.
    results = run(str(args.min_docs) if args.min_docs is not None else None,
                  "boilerplate-report.csv")
    by_site = defaultdict(list)
    for doc, result in results.items():
        by_site[site_of[doc]].append(result)

    print()
    print(SCORE_NOTES)
    print()
    print(f"{'':<26} {SCORE_GROUPS}")
    print(f"{'site':<26} {SCORE_HEADER}")
    for site in sites:
        print(f"{site:<26} {score_cells(by_site[site])}")
    print("-" * (27 + len(SCORE_HEADER)))
    print(f"{'ALL':<26} {score_cells(results.values())}")
    if args.holdout:
        held = [r for d, r in results.items() if site_of[d] in args.holdout]
        print(f"{'holdout':<26} {score_cells(held)}")
        print(f"holdout = sites {', '.join(args.holdout)}")
    dup_pages = sum(r.whole_doc for r in results.values())
    print(f"\n{dup_pages} page(s) got a near_duplicate/exact_duplicate row "
          f"and were excluded from the byte scores.")


if __name__ == "__main__":
    main()
