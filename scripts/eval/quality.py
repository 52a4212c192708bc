#!/usr/bin/env python3
"""What the default scan cuts, on every corpus we can reach, in one table.

    python3 scripts/eval/quality.py [--only NAMES] [--work DIR] [--json FILE]
        [--show N] [-- DEDUP ARGS...]

Labelled web pages (byte scores on non-whitespace bytes, removed = boilerplate
+ repeated_paragraph spans):
  sites-en     boilerplate-sites-en, 428 pages of 41 sites, one scan with one
               folder per site. The weights of the furniture model were fit on
               this set, so this row is in sample.
  sites-en-cv  the same pages, leave-publisher-out: scripts/fit/context.py
               fits the model's second stage again with each publisher's
               sites held out in turn, and this row scores the held-out folds
               (default options only; it needs numpy, in a virtualenv that
               script makes).
  fr-labelled  fr-web-pages/labelled.jsonl (2 pages, full line labels)
  fr-snippets  fr-web-pages/snippets.jsonl (21 pages of 21 sites): "keep"
               snippets left whole, "remove" snippets cut whole
Columns: precision, recall and F1 of the boilerplate class, and CONTENT CUT,
the share of the content (non-boilerplate) bytes that the scan removes: text
a reader wanted, lost.

Corpora that are not web pages, without labels (what any furniture cut there
removes is content):
  reuters      Reuters-21578 bodies (the stories without their title line)
  docs-en-fr   the benchmark corpus's documents in English and French
  docs-de-nl   its documents in German, Spanish, Italian, Portuguese, Dutch
  code         source code: the .rs files of the crates this project builds
               with (cargo's registry after `cargo fetch`) and the Python
               standard library's modules
  markdown     the .md files of those crates and of /usr/share/doc
Column FURNITURE SHARE: the share of the corpus's non-whitespace bytes cut by
the default scan and not by `--no-furniture` (what page furniture alone takes;
`--no-furniture` also cuts short lines repeated inside a document wherever
they are, which the default does only in pages). Also given: the share cut by the default scan in all, and ADJ.
ROWS, the pairs of boilerplate rows of one document with nothing but
whitespace between them (0 unless the scan is given `--rows units`).

The benchmark corpus is /tmp/dedup-bench/corpus-100mb (scripts/data/gen_corpus.py
writes it, and this script runs it when it is missing); its documents are put
in a language group by the NLTK stop words they hold.

Data sets are research-only: everything is written under WORK (default
/tmp/dedup-eval/quality), never into the repository. The binary is
$DEDUP_BIN, else target/release/dedup. Everything after `--` goes to every
`dedup scan`.
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalcommon import (NonWhitespaceBytes, ByteScore, dedup_binary,  # noqa: E402
                        describe_binary, merge_spans, read_report, repo_root,
                        score_bytes, shared_data_dir, spans_by_doc,
                        whole_doc_flagged, write_corpus, intersect_spans,
                        line_byte_ranges, fmt, split_passthrough)

WORK = Path("/tmp/dedup-eval/quality")
BENCH_CORPUS = Path("/tmp/dedup-bench/corpus-100mb")
REMOVED = ("boilerplate", "repeated_paragraph")
OFF = ["--no-furniture"]
WORD = re.compile(r"[^\W\d_]+")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


ADJACENT = collections.Counter()


def adjacent_rows(rows: list[dict], texts: dict[str, bytes]) -> int:
    """Pairs of boilerplate rows of one document with nothing but whitespace between them
    (none are expected unless `--rows units`)."""
    n = 0
    prev = None
    for r in rows:
        if r["kind"] != "boilerplate":
            prev = None
            continue
        if prev and prev["doc"] == r["doc"] and r["doc"] in texts:
            gap = texts[r["doc"]][prev["end"]:r["start"]]
            n += not gap.strip()
        prev = r
    return n


def scan(binary: Path, folder: Path, report: Path, extra: list[str]) -> list[dict]:
    cmd = [str(binary), "scan", "-q", str(folder), "-o", str(report), *extra]
    started = time.monotonic()
    result = subprocess.run(cmd)
    if result.returncode not in (0, 3):
        sys.exit(f"error: {' '.join(cmd)} exited with {result.returncode}")
    log(f"  {' '.join(cmd[1:])}  ({time.monotonic() - started:.1f} s)")
    return read_report(report)


# --------------------------------------------------------------------------
# Corpora

def jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def stop_words() -> dict[str, set[str]]:
    """The NLTK stop-word lists that the Rust crate `stop-words` embeds."""
    found = sorted(glob.glob(str(Path.home() / ".cargo/registry/src/*/stop-words-0.9.0/src/nltk")))
    if not found:
        sys.exit("stop-words 0.9.0 is not in cargo's registry: run `cargo fetch`")
    out = {}
    for lang in ["english", "french", "german", "spanish", "italian", "portuguese", "dutch"]:
        words = Path(found[-1], lang).read_text(encoding="utf-8").split()
        out[lang] = {w.lower() for w in words}
    return out


def language(text: str, lists: dict[str, set[str]]) -> str | None:
    words = [w.lower() for w in WORD.findall(text[:20000])]
    hits = {lang: sum(w in ws for w in words) for lang, ws in lists.items()}
    best = max(hits, key=hits.get)
    return best if words and hits[best] >= 0.15 * len(words) else None


def bench_corpus() -> Path:
    if not BENCH_CORPUS.is_dir():
        log(f"{BENCH_CORPUS} is missing: generating it (a few minutes)")
        subprocess.run([str(repo_root() / "scripts/data/gen_corpus.py"), "--mb", "100",
                        "--out", str(BENCH_CORPUS)], check=True)
    return BENCH_CORPUS


def docs_by_language(groups: tuple[str, ...]) -> dict[str, str]:
    lists = stop_words()
    files = {}
    for path in sorted(bench_corpus().glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if language(text, lists) in groups:
            files[path.name] = text
    return files


def crate_files(pattern: str, limit: int) -> dict[str, str]:
    """Files of cargo's registry (the crates of Cargo.lock, after `cargo fetch`) whose name
    matches, in path order, up to `limit` bytes."""
    subprocess.run(["cargo", "fetch", "--quiet"], cwd=repo_root(), check=False)
    roots = sorted(glob.glob(str(Path.home() / ".cargo/registry/src/*/")))
    files, total = {}, 0
    for root in roots:
        for path in sorted(Path(root).rglob(pattern)):
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            files[str(path.relative_to(root))] = text
            total += len(text)
            if total >= limit:
                return files
    return files


def code_files() -> dict[str, str]:
    files = {f"rust/{k}": v for k, v in crate_files("*.rs", 12_000_000).items()}
    for path in sorted(Path(sys.base_prefix, "lib").glob("python3*/*.py")):
        files[f"python/{path.name}"] = path.read_text(encoding="utf-8", errors="replace")
    return files


def markdown_files() -> dict[str, str]:
    files = {f"crates/{k}": v for k, v in crate_files("*.md", 20_000_000).items()}
    for path in sorted(Path("/usr/share/doc").rglob("*.md*")):
        if path.suffix not in (".md", ".gz") or not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            if not path.name.endswith(".md.gz"):
                continue
            raw = gzip.decompress(raw)
        files[f"doc/{path.relative_to('/usr/share/doc')}".removesuffix(".gz")] = \
            raw.decode("utf-8", errors="replace")
    return files


def reuters_bodies() -> dict[str, str]:
    out = {}
    with gzip.open(shared_data_dir("reuters21578-neardup") / "docs.jsonl.gz", "rt",
                   encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            text = r["text"]
            out[f"{r['id']}.txt"] = text.split("\n", 1)[1] if "\n" in text else text
    return out


UNLABELLED = {
    "reuters": ("Reuters-21578 bodies", reuters_bodies),
    "docs-en-fr": ("documentation, en + fr", lambda: docs_by_language(("english", "french"))),
    "docs-de-nl": ("documentation, de es it pt nl",
                   lambda: docs_by_language(("german", "spanish", "italian", "portuguese", "dutch"))),
    "code": ("source code (Rust, Python)", code_files),
    "markdown": ("Markdown", markdown_files),
}


def materialise(name: str, build) -> Path:
    """The corpus folder, written once (a stamp marks a complete one)."""
    folder = WORK / "corpora" / name
    stamp = folder.with_suffix(".done")
    if not stamp.exists():
        log(f"writing corpus {name}")
        write_corpus(folder, build())
        stamp.write_text("ok\n")
    return folder


# --------------------------------------------------------------------------
# Measures

class Line:
    """One row of the table."""

    def __init__(self, name: str, docs: int, nbytes: int):
        self.name, self.docs, self.bytes = name, docs, nbytes
        self.score: ByteScore | None = None
        self.content_cut: float | None = None
        self.furniture: float | None = None
        self.cut: float | None = None
        self.note = ""
        self.prf: tuple | None = None

    adjacent = 0

    def cells(self) -> str:
        p, r, f = self.prf or (None, None, None)
        if self.score:
            p, r, f = self.score.prf()
        pct = lambda v: "-".rjust(7) if v is None else f"{100 * v:6.2f}%"
        return (f"{self.name:<38} {self.docs:>6} {self.bytes / 1e6:>7.1f} | {fmt(p)} {fmt(r)} "
                f"{fmt(f)} {pct(self.content_cut)} | {pct(self.furniture)} {pct(self.cut)} "
                f"{self.adjacent:>5}  {self.note}")

    def as_dict(self) -> dict:
        p, r, f = self.prf or (None, None, None)
        if self.score:
            p, r, f = self.score.prf()
        return {"docs": self.docs, "bytes": self.bytes, "precision": p, "recall": r, "f1": f,
                "content_cut": self.content_cut, "furniture_share": self.furniture,
                "cut_share": self.cut, "adjacent_rows": self.adjacent, "note": self.note}


def labelled(name: str, binary: Path, pages: dict[str, tuple[str, list]], folder: Path,
             extra: list[str], show: int) -> Line:
    """Pages {doc: (text, gold spans)} written under `folder` (doc may hold a folder)."""
    write_corpus(folder, {doc: text for doc, (text, _) in pages.items()})
    rows = scan(binary, folder, WORK / f"{name}.csv", extra)
    removed = spans_by_doc(rows, REMOVED)
    whole = whole_doc_flagged(rows)
    total = ByteScore()
    content = 0
    lost = []
    for doc, (text, gold) in pages.items():
        if doc in whole:
            continue
        counter = NonWhitespaceBytes(text)
        s = score_bytes(counter, gold, removed.get(doc, []))
        total.add(s)
        content += s.total - counter.count_spans(merge_spans(gold))
        if show:
            gold_m = merge_spans(gold)
            for a, b in merge_spans(removed.get(doc, [])):
                keep = [(a, b)]
                for g in intersect_spans(gold_m, [(a, b)]):
                    keep = [piece for k in keep for piece in
                            ((k[0], min(k[1], g[0])), (max(k[0], g[1]), k[1])) if piece[0] < piece[1]]
                for x, y in keep:
                    n = counter.count(x, y)
                    if n > 0:
                        lost.append((n, doc, text.encode()[x:y].decode(errors="replace")[:90]))
    line = Line(name, len(pages), sum(len(t.encode()) for t, _ in pages.values()))
    line.adjacent = adjacent_rows(rows, {d: t.encode() for d, (t, _) in pages.items()})
    line.score = total
    line.content_cut = total.fp / content if content else None
    for n, doc, preview in sorted(lost, reverse=True)[:show]:
        log(f"    content cut {n:>5} B  {doc}: {preview!r}")
    return line


def sites_en(binary: Path, extra: list[str], show: int) -> Line:
    pages = {f"{d['site']}/{d['id']}.txt": (d["text"], [tuple(s) for s in d["boilerplate_spans"]])
             for d in jsonl(shared_data_dir("boilerplate-sites-en") / "docs.jsonl")}
    line = labelled("sites-en", binary, pages, WORK / "sites-en", extra, show)
    line.name = "boilerplate-sites-en"
    return line


def fr_labelled(binary: Path, extra: list[str], show: int) -> Line:
    pages = {f"{d['id']}.txt": (d["text"], [tuple(s) for s in d["boilerplate_spans"]])
             for d in jsonl(shared_data_dir("fr-web-pages") / "labelled.jsonl")}
    line = labelled("fr-labelled", binary, pages, WORK / "fr-labelled", extra, show)
    line.name = "fr-web-pages, labelled pages"
    return line


def fr_snippets(binary: Path, extra: list[str], show: int) -> Line:
    records = jsonl(shared_data_dir("fr-web-pages") / "snippets.jsonl")
    folder = WORK / "fr-snippets"
    write_corpus(folder, {f"{r['id']}.txt": r["text"] for r in records})
    rows = scan(binary, folder, WORK / "fr-snippets.csv", extra)
    removed = spans_by_doc(rows, REMOVED)
    kept = with_total = gone = without_total = 0
    for r in records:
        text = r["text"]
        counter = NonWhitespaceBytes(text)
        lines = line_byte_ranges(text)
        mine = merge_spans(removed.get(f"{r['id']}.txt", []))
        for kind, ranges in (("with", r["with_lines"]), ("without", r["without_lines"])):
            for rng in ranges:
                if rng is None:
                    continue
                span = (lines[rng[0]][0], lines[rng[1]][1])
                hit = counter.count_spans(intersect_spans([span], mine))
                total = counter.count(*span)
                if kind == "with":
                    with_total += 1
                    kept += hit == 0
                    if hit and show:
                        log(f"    keep snippet cut: {r['id']} {text[slice(*span)][:80]!r}")
                else:
                    without_total += 1
                    gone += total > 0 and hit == total
    line = Line("fr-web-pages, snippets", len(records), sum(len(r["text"].encode()) for r in records))
    line.note = f"keep {kept}/{with_total}, remove {gone}/{without_total}"
    return line


def sites_en_cv(extra: list[str]) -> Line:
    """The held-out folds of scripts/fit/context.py's leave-publisher-out cross-validation."""
    line = Line("boilerplate-sites-en, held-out folds", 0, 0)
    if extra:
        line.note = "skipped: the cross-validation is of the default options"
        return line
    out = WORK / "sites-en-cv.json"
    script = repo_root() / "scripts" / "fit" / "context.py"
    subprocess.run([sys.executable, str(script), "--work", str(WORK / "fit"), "--json", str(out)],
                   check=True, stdout=sys.stderr)
    figures = json.loads(out.read_text())
    held = figures["leave-publisher-out"]
    line.docs, line.bytes = figures["pages"], figures["bytes"]
    line.prf = (held["precision"], held["recall"], held["f1"])
    line.content_cut = held["content_cut"]
    line.note = f"{figures['groups']} publisher groups held out in turn"
    return line


def unlabelled(name: str, title: str, build, binary: Path, extra: list[str], show: int) -> Line:
    folder = materialise(name, build)
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(folder))] = path.read_bytes().decode("utf-8", errors="replace")
    default = scan(binary, folder, WORK / f"{name}.csv", extra)
    off = scan(binary, folder, WORK / f"{name}-off.csv", [*extra, *OFF])
    by_default = spans_by_doc(default, REMOVED)
    by_off = spans_by_doc(off, REMOVED)
    total = cut = furniture = 0
    lost = []
    for doc, text in files.items():
        counter = NonWhitespaceBytes(text)
        total += counter.count(0, counter.length)
        mine = merge_spans(by_default.get(doc, []))
        theirs = merge_spans(by_off.get(doc, []))
        cut += counter.count_spans(mine)
        furniture += counter.count_spans(mine) - counter.count_spans(intersect_spans(mine, theirs))
        if show:
            raw = text.encode()
            for a, b in mine:
                if not intersect_spans([(a, b)], theirs):
                    lost.append((counter.count(a, b), doc, raw[a:b].decode(errors="replace")[:90]))
    line = Line(title, len(files), sum(len(t.encode()) for t in files.values()))
    line.adjacent = adjacent_rows(default, {d: t.encode() for d, t in files.items()})
    line.furniture = furniture / total if total else None
    line.cut = cut / total if total else None
    for n, doc, preview in sorted(lost, reverse=True)[:show]:
        log(f"    furniture cut {n:>5} B  {doc}: {preview!r}")
    return line


def main() -> None:
    global WORK
    ours, extra = split_passthrough(sys.argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated corpus names (default: all)")
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--json", type=Path, help="also write the table as JSON")
    ap.add_argument("--show", type=int, default=0,
                    help="print the N largest content cuts of each corpus on stderr")
    args = ap.parse_args(ours)
    WORK = args.work
    WORK.mkdir(parents=True, exist_ok=True)
    binary = dedup_binary()
    log(describe_binary(binary))
    wanted = set(args.only.split(",")) if args.only else None
    jobs = [("sites-en", lambda: sites_en(binary, extra, args.show)),
            ("sites-en-cv", lambda: sites_en_cv(extra)),
            ("fr-labelled", lambda: fr_labelled(binary, extra, args.show)),
            ("fr-snippets", lambda: fr_snippets(binary, extra, args.show))]
    for name, (title, build) in UNLABELLED.items():
        jobs.append((name, lambda n=name, t=title, b=build: unlabelled(n, t, b, binary, extra,
                                                                         args.show)))
    lines = {}
    for name, job in jobs:
        if wanted is None or name in wanted:
            log(f"{name}:")
            lines[name] = job()
    print(f"dedup scan {' '.join(extra)}".rstrip())
    print(f"{'corpus':<38} {'docs':>6} {'MB':>7} | {'prec':>6} {'recall':>6} {'F1':>6} "
          f"{'content':>7} | {'furnit.':>7} {'all cut':>7} {'adj.':>5}")
    print(f"{'':<38} {'':>6} {'':>7} | {'':>6} {'':>6} {'':>6} {'cut':>7} | {'share':>7} {'share':>7} "
          f"{'rows':>5}")
    for line in lines.values():
        print(line.cells())
    if args.json:
        args.json.write_text(json.dumps({k: v.as_dict() for k, v in lines.items()}, indent=1) + "\n")


if __name__ == "__main__":
    main()
