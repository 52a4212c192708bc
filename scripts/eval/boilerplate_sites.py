#!/usr/bin/env python3
"""Byte-level boilerplate evaluation on boilerplate-sites-en (428 pages, 41 sites),
dedup and the jusText baseline in the same run.

    python3 scripts/eval/boilerplate_sites.py [--min-docs N | --sweep 2,3,4,5,6]
        [--holdout PATTERNS] [--no-baseline] [--venv DIR] [--json FILE]
        [--data DIR] [--work DIR] [-- DEDUP ARGS...]

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
     scores;
  4. the jusText baseline (skipped with --no-baseline): every page alone,
     its lines given to jusText as <p> paragraphs, English stoplist, default
     parameters (scripts/eval/justext_lines.py, run in the virtualenv of
     scripts/eval/requirements.txt, made on first use); the lines jusText
     does not class "good" are its removed spans, scored by the very same
     code as dedup's report (second table; one reading, as jusText has no
     repeated_paragraph; it scores every page, `dup` ones included).

Overall lines, for dedup and for jusText:
  ALL       every page
  FIT       the sites not held out
  HELD-OUT  the held-out sites
The default held-out set is three publishers:
  cnn-2005, cnn-2009, cnn-2013, cnn-2017 (cnn),
  nypost-2005, nypost-2009, nypost-2013, nypost-2017 (nypost),
  tv.msnbc.com_news.
These held-out sites MUST NOT be used to fit the furniture classifier's
weights (nor to choose its features or thresholds): fit on the FIT sites
only, and read HELD-OUT as the estimate on publishers the fit never saw.

Options:
  --min-docs N       passed to dedup as `--min-docs N` (default: not passed,
                     so dedup's own default applies)
  --sweep LIST       comma-separated min-docs values; one scan per value and
                     ALL/FIT/HELD-OUT lines per value (to choose the default);
                     jusText (which has no min-docs) then gets only its
                     ALL/FIT/HELD-OUT lines
  --holdout PATTERNS comma-separated site names or shell patterns (fnmatch)
                     of the held-out sites (default "cnn-*,nypost-*,
                     tv.msnbc.com_news"; "" = none held out)
  --no-baseline      skip jusText (quick iterations; no virtualenv needed)
  --venv DIR         the jusText virtualenv (default WORK/venv-eval); it is
                     created, or reinstalled when eval-requirements.txt's
                     sha256 changes (needs PyPI then), else reused as is
  --json FILE        also write the overall ALL/FIT/HELD-OUT figures as JSON
                     (not with --sweep), for a fitting script:
                       {"held_out_sites": [...], "pages": N, ...,
                        "dedup":   {"removed": {"ALL": S, "FIT": S,
                                                "HELD-OUT": S},
                                    "boilerplate": {...same keys...}, ...},
                        "justext": {"removed": {...same keys...}, ...}
                                   or null with --no-baseline}
                     with S = {"p", "r", "f1" (null when undefined), "tp",
                     "fp", "fn", "total" (non-whitespace bytes), "pages",
                     "dup"}; "removed" = boilerplate + repeated_paragraph
                     spans, "boilerplate" = boilerplate spans only
  --data DIR         data folder (default ../shared/data/boilerplate-sites-en)
  --work DIR         work folder (default /tmp/dedup-eval)
  -- ARGS            everything after `--` is passed to `dedup scan`

The binary is $DEDUP_BIN, else target/release/dedup (built if missing).
The data is research-only: pages are written under WORK, never into the repo.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from evalcommon import (BASELINE_HEADER, DEFAULT_WORK_DIR, SCORE_GROUPS,
                        SCORE_HEADER, SCORE_NOTES, NonWhitespaceBytes,
                        baseline_cells, default_venv, describe_binary,
                        dedup_binary, read_report, run_justext, run_scan,
                        score_cells, score_pages, shared_data_dir,
                        spans_as_rows, split_passthrough, sum_results,
                        summary_dict, write_corpus)

# Publishers held out from fitting (see the docstring): cnn, nypost, msnbc.
DEFAULT_HOLDOUT = "cnn-*,nypost-*,tv.msnbc.com_news"


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


def expand_sites(patterns: list[str], sites: list[str]) -> list[str]:
    """The sites matching any of `patterns` (names or fnmatch patterns);
    exits when a pattern matches no site (a typo would hold out nothing)."""
    chosen = set()
    for pattern in patterns:
        hits = fnmatch.filter(sites, pattern)
        if not hits:
            sys.exit(f"error: holdout {pattern!r} matches no site; sites are "
                     f"{sites}")
        chosen.update(hits)
    return sorted(chosen)


def grouped(results: dict, site_of: dict, held: set) -> dict[str, list]:
    """{"ALL" / "FIT" / "HELD-OUT": [PageResult, ...]}."""
    return {
        "ALL": list(results.values()),
        "FIT": [r for d, r in results.items() if site_of[d] not in held],
        "HELD-OUT": [r for d, r in results.items() if site_of[d] in held],
    }


def group_summary(groups: dict[str, list]) -> dict:
    """JSON figures of grouped(): both readings, per group."""
    out = {"removed": {}, "boilerplate": {}}
    for label, results in groups.items():
        pages, dup, removed, boiler = sum_results(results)
        out["removed"][label] = summary_dict(removed, pages, dup)
        out["boilerplate"][label] = summary_dict(boiler, pages, dup)
    return out


def main() -> None:
    own_args, dedup_args = split_passthrough(sys.argv[1:])
    parser = argparse.ArgumentParser(
        description="Byte P/R/F1 of dedup boilerplate removal on "
                    "boilerplate-sites-en, with the jusText baseline. Put "
                    "dedup arguments after `--`.")
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
    parser.add_argument("--holdout", type=parse_list,
                        default=parse_list(DEFAULT_HOLDOUT),
                        help="held-out sites: names or shell patterns, "
                             f'comma-separated (default "{DEFAULT_HOLDOUT}"; '
                             '"" = none); never fit on them')
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the jusText baseline")
    parser.add_argument("--venv", type=Path,
                        help="jusText virtualenv (default WORK/venv-eval)")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="write the overall ALL/FIT/HELD-OUT figures "
                             "as JSON")
    args = parser.parse_args(own_args)
    if args.json and args.sweep:
        parser.error("--json works with a single run, not with --sweep")

    texts, pages, site_of = load_pages(args.data)
    sites = sorted(set(site_of.values()))
    held_sites = expand_sites(args.holdout, sites)
    held = set(held_sites)

    sites_dir = args.work / "sites"
    write_corpus(sites_dir, texts)
    binary = dedup_binary()
    held_pages = sum(1 for d in site_of if site_of[d] in held)
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

    # [(min-docs value or None, {doc: PageResult})], one per scan.
    if args.sweep:
        runs = [(value, run(value, f"boilerplate-report-min-docs-{value}.csv"))
                for value in args.sweep]
    else:
        value = str(args.min_docs) if args.min_docs is not None else None
        runs = [(value, run(value, "boilerplate-report.csv"))]

    baseline = None
    if not args.no_baseline:
        spans, about = run_justext(
            texts, "English", args.work,
            args.venv or default_venv(args.work), "boilerplate-sites-en")
        baseline = (about, score_pages(pages, spans_as_rows(spans),
                                       "jusText boilerplate-sites-en"))

    print()
    print(SCORE_NOTES)
    print(f"HELD-OUT = {len(held_sites)} site(s), {held_pages} pages: "
          f"{', '.join(held_sites) or '(none)'}\n"
          f"  (never fit on these); FIT = the other "
          f"{len(sites) - len(held_sites)} site(s).")

    if args.sweep:
        # One scan per value: ALL / FIT / HELD-OUT lines per value.
        print()
        print(f"{'':<24} {SCORE_GROUPS}")
        print(f"{'dedup':<24} {SCORE_HEADER}")
        for value, results in runs:
            for label, group in grouped(results, site_of, held).items():
                print(f"{'min-docs ' + value:<13}{label:<11} "
                      f"{score_cells(group)}")
    else:
        results = runs[0][1]
        by_site = defaultdict(list)
        for doc, result in results.items():
            by_site[site_of[doc]].append(result)
        print()
        print("=== dedup ===")
        print(f"{'':<26} {SCORE_GROUPS}")
        print(f"{'site':<26} {SCORE_HEADER}")
        for site in sites:
            print(f"{site:<26} {score_cells(by_site[site])}")
        print("-" * (27 + len(SCORE_HEADER)))
        for label, group in grouped(results, site_of, held).items():
            print(f"{label:<26} {score_cells(group)}")
    dup_pages = sum(r.whole_doc for r in runs[-1][1].values())
    print(f"\n{dup_pages} page(s) got a near_duplicate/exact_duplicate row "
          f"and were excluded from dedup's byte scores"
          f"{' (last run)' if args.sweep else ''}.")

    if baseline:
        about, jt_results = baseline
        by_site = defaultdict(list)
        for doc, result in jt_results.items():
            by_site[site_of[doc]].append(result)
        print()
        print("=== jusText baseline ===")
        print(about)
        print(f"{'overall' if args.sweep else 'site':<26} {BASELINE_HEADER}")
        if not args.sweep:
            for site in sites:
                print(f"{site:<26} {baseline_cells(by_site[site])}")
            print("-" * (27 + len(BASELINE_HEADER)))
        for label, group in grouped(jt_results, site_of, held).items():
            print(f"{label:<26} {baseline_cells(group)}")
        if dup_pages:
            print(f"note: jusText scores every page, including the "
                  f"{dup_pages} that dedup's scores exclude.")

    if args.json:
        value, results = runs[0]
        summary = {
            "data": str(args.data),
            "pages": len(pages),
            "sites": len(sites),
            "held_out_sites": held_sites,
            "dedup": {"binary": str(binary),
                      "scan_args": (["--min-docs", value] if value else [])
                      + dedup_args,
                      **group_summary(grouped(results, site_of, held))},
            "justext": None,
        }
        if baseline:
            about, jt_results = baseline
            jt = group_summary(grouped(jt_results, site_of, held))
            summary["justext"] = {"about": about, "removed": jt["removed"]}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n",
                             encoding="utf-8")
        print(f"\nsummary written to {args.json}")


if __name__ == "__main__":
    main()
