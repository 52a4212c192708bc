#!/usr/bin/env python3
"""Fit the furniture model's second stage (src/furniture/mod.rs: CONTEXT, CONTEXT_BIAS) on the
Rust implementation's own features, and give its leave-site-out cross-validation.

    python3 scripts/fit/context.py [--work DIR] [--threshold 0.8] [--content-weight 2]
        [--json FILE]

1. Writes the pages of boilerplate-sites-en (../shared/data, research-only: read in place,
   written under WORK only) one folder per site, and scans them once with
   DEDUP_FURNITURE_FEATURES set, so that `dedup` writes every scored segment's stage-2 inputs
   (src/furniture/dump.rs): the segment's own stage-1 score, its neighbours', the mean around
   it, before / after the main block, the distance to it, first / last tenth; whether it is in an
   interior run or reads as a headline (two hand-set rules, kept as fixed offsets).
2. Labels each segment by the gold boilerplate share of its non-whitespace bytes (> 1/2), and
   fits a logistic regression weighted by those bytes (Newton's method, numpy).
3. Leave-site-out cross-validation: the sites are grouped by publisher (cnn-2005 … cnn-2017 are
   one group, so that no year of a publisher helps predict another), each group is held out in
   turn, the weights are fit on the others, and the held-out pages are cut where the refit model
   says so (at --threshold), together with what the scan cut for other reasons (repetition
   across documents, short lines repeated in a page, sentence tails). Prints precision, recall,
   F1 and content cut over all held-out folds, and the weights fit on every site (`--json`
   also writes the figures; scripts/eval/quality.py shows the held-out ones in its table).

Needs numpy (scripts/fit/requirements.txt), in a virtualenv this script makes under WORK.
The binary is $DEDUP_BIN, else target/release/dedup.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from evalcommon import (ByteScore, NonWhitespaceBytes, dedup_binary, ensure_venv,  # noqa: E402
                        intersect_spans, merge_spans, read_report, score_bytes,
                        shared_data_dir, write_corpus)

HERE = Path(__file__).resolve().parent
INTERIOR = 2.0   # src/furniture/mod.rs
HEADLINE = 3.0   # src/furniture/mod.rs
FEATURES = ["own", "prev", "next", "mean", "before", "after", "ln_distance", "first_tenth",
            "last_tenth"]


def publisher(site: str) -> str:
    return site.split("-")[0] if "-" in site and site.split("-")[-1].isdigit() else site


def fit(np, x, y, w, offset, iters=50, ridge=1e-3):
    """Weighted logistic regression with a fixed offset per sample (Newton's method)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(xb.shape[1])
    for _ in range(iters):
        z = xb @ beta + offset
        p = 1 / (1 + np.exp(-z))
        g = xb.T @ (w * (p - y)) + ridge * beta
        h = (xb * (w * p * (1 - p))[:, None]).T @ xb + ridge * np.eye(len(beta))
        step = np.linalg.solve(h, g)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return beta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/dedup-eval/fit"))
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--content-weight", type=float, default=2.0,
                    help="weight of a content byte against a boilerplate byte in the fit: above "
                         "1 the model cuts less content for less recall")
    args = ap.parse_args()
    if os.environ.get("DEDUP_FIT_IN_VENV") != "1":
        python = ensure_venv(args.work / "venv", HERE / "requirements.txt")
        env = dict(os.environ, DEDUP_FIT_IN_VENV="1", DEDUP_BIN=str(dedup_binary()))
        sys.exit(subprocess.run([str(python), __file__, *sys.argv[1:]], env=env).returncode)
    import numpy as np

    docs = [json.loads(l) for l in open(shared_data_dir("boilerplate-sites-en") / "docs.jsonl")]
    pages = {f"{d['site']}/{d['id']}.txt": d for d in docs}
    folder = args.work / "sites"
    write_corpus(folder, {name: d["text"] for name, d in pages.items()})
    names = sorted(pages)
    dump = args.work / "features.tsv"
    dump.unlink(missing_ok=True)
    report = args.work / "report.csv"
    subprocess.run([str(dedup_binary()), "scan", "-q", str(folder), "-o", str(report)],
                   env=dict(os.environ, DEDUP_FURNITURE_FEATURES=str(dump)), check=True)
    rows = read_report(report)

    # Segments: features, label, weight, and which page.
    seg_doc, seg_span, xs, offsets, ys, ws, now = [], [], [], [], [], [], []
    counters = {name: NonWhitespaceBytes(pages[name]["text"]) for name in names}
    gold = {name: merge_spans([tuple(s) for s in pages[name]["boilerplate_spans"]])
            for name in names}
    for line in open(dump):
        f = line.rstrip("\n").split("\t")
        name = names[int(f[0])]
        start, end = int(f[1]), int(f[2])
        c = counters[name]
        n = c.count(start, end)
        if n == 0:
            continue
        bp = c.count_spans(intersect_spans([(start, end)], gold[name]))
        seg_doc.append(name)
        seg_span.append((start, end))
        xs.append([float(v) for v in f[3:12]])
        offsets.append(-INTERIOR * int(f[12]) - HEADLINE * int(f[13]))
        ys.append(1.0 if bp * 2 > n else 0.0)
        ws.append(float(n))
        now.append(float(f[-1]))
    x, off, y, w = (np.array(v) for v in (xs, offsets, ys, ws))
    w = w * np.where(y == 0, args.content_weight, 1.0)
    groups = np.array([publisher(pages[name]["site"]) for name in seg_doc])

    # What the scan cut for reasons other than the classifier's segment scores: the rows of a
    # scan with the classifier off (repetition), and the sentence tails.
    off_report = args.work / "report-off.csv"
    subprocess.run([str(dedup_binary()), "scan", "-q", str(folder), "--furniture", "off",
                    "-o", str(off_report)], check=True)
    fixed = {}
    for r in read_report(off_report):
        if r["kind"] in ("boilerplate", "repeated_paragraph"):
            fixed.setdefault(r["doc"], []).append((r["start"], r["end"]))
    for r in rows:
        if "(end of line)" in (r["reason"] or ""):
            fixed.setdefault(r["doc"], []).append((r["start"], r["end"]))

    def evaluate(prob) -> tuple[ByteScore, int]:
        cut = {name: list(fixed.get(name, [])) for name in names}
        for name, span, p in zip(seg_doc, seg_span, prob):
            if p >= args.threshold:
                cut[name].append(span)
        total, content = ByteScore(), 0
        for name in names:
            s = score_bytes(counters[name], gold[name], cut[name])
            total.add(s)
            content += s.total - counters[name].count_spans(gold[name])
        return total, content

    def predict(beta, idx):
        xb = np.hstack([x[idx], np.ones((idx.sum(), 1))])
        return 1 / (1 + np.exp(-(xb @ beta + off[idx])))

    figures = {}

    def line(label, score, content):
        p, r, f = score.prf()
        print(f"{label:<38} P {p:.4f}  R {r:.4f}  F1 {f:.4f}  content cut {100 * score.fp / content:.2f}%")
        figures[label.split(" (")[0]] = {"precision": p, "recall": r, "f1": f,
                                         "content_cut": score.fp / content}

    # In-sample: the model as the binary has it, and refit on every site.
    every = np.ones(len(x), dtype=bool)
    beta_all = fit(np, x, y, w, off)
    print(f"{len(x)} segments of {len(names)} pages, {len(set(groups))} publisher groups")
    line("as built (all sites, in sample)", *evaluate(now))
    line("refit on all sites (in sample)", *evaluate(predict(beta_all, every)))
    # Leave-publisher-out.
    cv = np.zeros(len(x))
    for g in sorted(set(groups)):
        held = groups == g
        beta = fit(np, x[~held], y[~held], w[~held], off[~held])
        cv[held] = predict(beta, held)
    line("leave-publisher-out (held-out folds)", *evaluate(cv))
    print("\nweights fit on every site (CONTEXT, then CONTEXT_BIAS):")
    print("  " + ", ".join(f"{b:.3f}" for b in beta_all[:-1]) + f"  bias {beta_all[-1]:.3f}")
    print("  (" + ", ".join(FEATURES) + ")")
    if args.json:
        figures["pages"] = len(names)
        figures["bytes"] = sum(len(pages[n]["text"].encode()) for n in names)
        figures["groups"] = len(set(groups))
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
