#!/usr/bin/env python3
"""bench-stress: dedup on the shapes of input the corpus benchmark does not have.

    scripts/bench/stress.py                          # the built binary
    scripts/bench/stress.py --baseline OLD_BINARY    # and an older one beside it
    scripts/bench/stress.py --work /tmp/dedup-bench --repeat 3

The 100 MB benchmark corpus (bench-peers) is 16,775 files of 2-30 KB. These
inputs are built from it (WORK/corpus-100mb, generated with scripts/data/gen_corpus.py
when missing) under WORK/stress/, deterministically:

  one-doc      the last 6,000 files of the corpus, concatenated: one ~36 MB
               document
  corpus+doc   the first 10,775 files and that document, named to sort in the
               middle of them (one huge file among many small ones)
  rows-2m      one document of 2,000,000 short furniture lines ("Share",
               "Tweet", ...; seeded): two million rows
  one-line     20 MB of the corpus's text on a single line
  one-shard    the whole corpus as one JSONL shard ({"id", "text"} records)

Each input is scanned with `dedup scan --threads 2 -q` (every detector on)
under GNU time; the table gives the median wall time, the largest peak RSS,
the report's rows and the first 8 hex digits of its md5 (the same for two
binaries means the same report). Standard library only; the page cache is
warmed before each run. The table goes to stdout and WORK/bench-stress.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS / "lib"))

import evalcommon as ec  # noqa: E402

FURNITURE = ["Share", "Tweet", "Publicité", "Leave a Reply", "Print this page"]
ONE_DOC_FILES = 6000
ROWS = 2_000_000
ONE_LINE_BYTES = 20_000_000


def log(msg: str) -> None:
    print(f"bench-stress: {msg}", file=sys.stderr, flush=True)


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_file())


def build_inputs(corpus: Path, out: Path) -> dict[str, Path]:
    """Builds (once) the inputs of the docstring under `out`; returns name -> path."""
    files = corpus_files(corpus)
    split = max(len(files) - ONE_DOC_FILES, len(files) // 2)
    head, tail = files[:split], files[split:]
    inputs = {name: out / name for name in
              ["one-doc", "corpus+doc", "rows-2m", "one-line", "one-shard"]}
    done = out / ".complete"
    if done.is_file() and done.read_text() == str(len(files)):
        return inputs
    for path in inputs.values():
        path.mkdir(parents=True, exist_ok=True)
        for old in path.iterdir():
            old.unlink()
    big = inputs["one-doc"] / "one-doc.txt"
    with big.open("wb") as w:
        for f in tail:
            w.write(f.read_bytes())
    mixed = inputs["corpus+doc"]
    for f in head:
        (mixed / f.name).symlink_to(f.resolve())
    middle = head[len(head) // 2].stem if head else "d"
    (mixed / f"{middle}-one-doc.txt").symlink_to(big.resolve())
    state = 0x5EED
    with (inputs["rows-2m"] / "rows.txt").open("w", encoding="utf-8") as w:
        for _ in range(ROWS):
            state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
            w.write(FURNITURE[(state >> 33) % len(FURNITURE)] + "\n")
    text = bytearray()
    for f in files:
        if len(text) >= ONE_LINE_BYTES:
            break
        text += f.read_bytes().replace(b"\n", b" ").replace(b"\r", b" ") + b" "
    (inputs["one-line"] / "one-line.txt").write_bytes(bytes(text))
    with (inputs["one-shard"] / "corpus.jsonl").open("w", encoding="utf-8") as w:
        for f in files:
            record = {"id": f.name, "text": f.read_text(encoding="utf-8")}
            w.write(json.dumps(record, ensure_ascii=False) + "\n")
    done.write_text(str(len(files)))
    return inputs


def warm(path: Path) -> None:
    for root, _dirs, names in os.walk(path, followlinks=True):
        for name in names:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 20):
                    pass


def run(binary: Path, path: Path) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS KiB, report rows, report md5) of one scan."""
    with tempfile.TemporaryDirectory() as tmp:
        report, timing = Path(tmp) / "report.csv", Path(tmp) / "time"
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", str(timing), str(binary),
               "scan", "--threads", "2", "-q", str(path)]
        with report.open("wb") as out:
            code = subprocess.run(cmd, stdout=out).returncode
        if code not in (0, 3):
            sys.exit(f"error: {shlex.join(cmd)} exited with {code}")
        wall, rss = timing.read_text().split()[-2:]
        data = report.read_bytes()
        rows = max(data.count(b"\n") - 1, 0)
        return float(wall), int(rss), rows, hashlib.md5(data).hexdigest()[:8]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, default=Path("/tmp/dedup-bench"))
    p.add_argument("--baseline", type=Path,
                   help="an older dedup binary, run beside the current one")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--only", help="comma-separated input names")
    args = p.parse_args()
    corpus = args.work / "corpus-100mb"
    if not corpus.is_dir():
        cmd = [str(SCRIPTS / "data" / "gen_corpus.py"), "--mb", "100", "--out", str(corpus)]
        log(f"corpus missing; generating it:\n$ {shlex.join(cmd)}")
        subprocess.run(cmd, check=True)
    if not os.environ.get("DEDUP_BIN"):
        subprocess.run(["cargo", "build", "--release", "-q"],
                       cwd=ec.repo_root(), check=True)
    binaries = [("now", ec.dedup_binary())]
    if args.baseline:
        binaries.insert(0, ("baseline", args.baseline))
    log("building the inputs under " + str(args.work / "stress"))
    inputs = build_inputs(corpus, args.work / "stress")
    if args.only:
        inputs = {k: v for k, v in inputs.items() if k in args.only.split(",")}
    lines = ["| input | size MB | binary | wall s | peak RSS MiB | rows | md5 |",
             "| --- | ---: | --- | ---: | ---: | ---: | --- |"]
    for name, path in inputs.items():
        size = sum(f.stat().st_size for f in path.iterdir()) / 1e6
        for label, binary in binaries:
            runs = []
            for _ in range(args.repeat):
                warm(path)
                runs.append(run(binary, path))
            wall = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs) / 1024
            rows, md5 = runs[-1][2], runs[-1][3]
            log(f"{name} {label}: {wall:.2f} s, {rss:.0f} MiB, {rows} rows, {md5}")
            lines.append(f"| {name} | {size:.1f} | {label} | {wall:.2f} | "
                         f"{rss:.0f} | {rows} | {md5} |")
    table = "\n".join(lines)
    header = [f"binaries: " + ", ".join(f"{label} = {b}" for label, b in binaries),
              f"command: scripts/bench/stress.py " + shlex.join(sys.argv[1:])]
    print("\n".join(header) + "\n\n" + table)
    (args.work / "bench-stress.md").write_text("\n".join(header) + "\n\n" + table + "\n")


if __name__ == "__main__":
    main()
