#!/usr/bin/env python3
"""bench-peers: dedup against a hashing floor and two MinHash-LSH libraries,
on the same generated corpus, in one run, as one table.

    scripts/bench/peers.py --mb 100
    scripts/bench/peers.py --mb 100 --tools floor,dedup,rensa --repeat 3
    scripts/bench/peers.py --mb 1000 --work /tmp/dedup-bench --timeout 3600

Standard library only (Python 3.11); it installs what it needs:
  * the corpus WORK/corpus-<mb>mb (+ .truth.csv) with scripts/data/gen_corpus.py
    when it is missing;
  * `xxhsum` (apt package xxhash) for the floor and GNU `time` (apt package
    time) for wall time and peak RSS, with apt-get when missing;
  * a virtualenv WORK/venv with the pinned peer libraries of
    scripts/bench/requirements.txt (datasketch, rensa), reinstalled when that
    file changes;
  * the dedup binary: `cargo build --release` is run first (a no-op when the
    build is fresh), then evalcommon.dedup_binary() (DEDUP_BIN overrides).

Tools (each run as a subprocess under `/usr/bin/time -v`; the page cache is
warmed by reading the corpus before every timed run):
  floor       find DIR -type f -print0 | xargs -0 -P2 -n 256 xxhsum -H3 >/dev/null
              (read and xxh3-hash every file with 2 workers: the I/O floor)
  dedup       dedup scan --threads 2 -q --pairs PAIRS DIR > report.csv
  dedup-1t    the same with --threads 1 (run with `dedup`; gives the speed-up)
  dedup-neardup  the same with --detect near-dup (run with `dedup`): only the
              near-duplicate detector, the job the peers do; the targets
              are measured on `dedup`, every detector on
  rensa       scripts/bench/peer_rensa.py, datasketch: scripts/bench/peer_datasketch.py:
              each at its best: 2 worker processes, the same tokenisation and
              5-shingles as dedup (built with one zip), 117 permutations in
              9 bands x 13 rows (datasketch's own choice at threshold 0.8),
              the libraries' batch calls in the parent (rensa's insert_many
              and query_all, datasketch's insertion session; datasketch with
              a C hash, xxh32, instead of its default sha1), LSH candidates
              kept when the estimated Jaccard >= 0.8, union-find (see
              peer_common.py). `--peer-args "--num-perm 128 --bands 16"` runs
              them with 128 permutations in 16 x 8 bands instead
When a dedup binary has no --pairs option, the pairs are taken from the
report instead: each near_duplicate/exact_duplicate row gives (doc, keep_doc).

Scores (truth = the generator's CORPUS.truth.csv, exact Jaccard):
  recall     share of the truth pairs with J >= 0.8 whose two documents end
             up in the same cluster of the tool (union-find over its pairs)
  precision  share of the pairs the tool asserted whose exact Jaccard is
             >= 0.8; a pair not in the truth file gets its exact Jaccard
             computed from the two files (textsim.py, dedup's definition),
             so natural near-duplicates count as correct
  P(rm->kept)  the same for "removed -> kept" pairs: every cluster member
             paired with the cluster's smallest-named document, which is what
             dedup's report rows say (a chain a~b~c can link a and c with
             J < 0.8)
  vs dedup   wall time of the tool / wall time of `dedup` (2 threads)
others' CPU  cores kept busy by other processes during the tool's runs (the
             worst run): busy time in /proc/stat minus the tool's own user +
             system time, per second of wall; a warning is printed when it
             exceeds 0.15, as the times then are not a quiet machine's
Wall is the median of --repeat runs (our clock around the subprocess), peak
RSS the largest: the larger of GNU time's maximum RSS (one process) and the
summed RSS of the tool's process group sampled every 50 ms (the peers'
worker processes count together). MB = 10^6 bytes; RSS MB = 2^20 bytes.

The table goes to stdout and, as markdown, to WORK/bench-<mb>mb.md; every
run's stdout/stderr/time output is kept under WORK/runs-<mb>mb/.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import functools
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS / "lib"))
import evalcommon as ec  # noqa: E402
import textsim  # noqa: E402

ALL_TOOLS = ("floor", "dedup", "rensa", "datasketch")
THRESHOLD = 0.8
MB = 1_000_000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Setup
# --------------------------------------------------------------------------

def apt_install(packages: list[str]) -> None:
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    log(f"$ {shlex.join(cmd)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(cmd, env=env, stdout=sys.stderr).returncode != 0:
        log("$ apt-get update")
        subprocess.run(["apt-get", "update"], env=env, stdout=sys.stderr)
        subprocess.run(cmd, env=env, stdout=sys.stderr, check=True)


def ensure_commands(tools: list[str]) -> None:
    missing = []
    if not Path("/usr/bin/time").is_file():
        missing.append("time")
    if "floor" in tools and not shutil.which("xxhsum"):
        missing.append("xxhash")
    if missing:
        apt_install(missing)


def ensure_venv(work: Path) -> Path:
    """WORK/venv with scripts/bench/requirements.txt installed, reinstalled
    when that file's sha256 changes (evalcommon.ensure_venv); returns its
    python."""
    return ec.ensure_venv(work / "venv", SCRIPTS / "bench" / "requirements.txt",
                          log=log)


def ensure_corpus(args) -> tuple[Path, Path, float]:
    corpus = args.work / f"corpus-{args.mb:g}mb"
    truth = corpus.with_name(corpus.name + ".truth.csv")
    if corpus.is_dir() and truth.is_file():
        return corpus, truth, 0.0
    cmd = [str(SCRIPTS / "data" / "gen_corpus.py"), "--mb", f"{args.mb:g}", "--out",
           str(corpus), "--seed", str(args.seed)]
    log(f"corpus missing; generating it:\n$ {shlex.join(cmd)}")
    started = time.monotonic()
    subprocess.run(cmd, check=True)
    return corpus, truth, time.monotonic() - started


def build_dedup() -> Path:
    if not os.environ.get("DEDUP_BIN"):
        log("$ cargo build --release")
        subprocess.run(["cargo", "build", "--release", "-q"],
                       cwd=ec.repo_root(), check=True)
    binary = ec.dedup_binary()
    log(ec.describe_binary(binary))
    return binary


def has_option(binary: Path, option: str) -> bool:
    result = subprocess.run([str(binary), "scan", "--help"],
                            capture_output=True, text=True)
    return option in result.stdout


def machine_lines() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = Path("/proc/loadavg").read_text().split()[:3]
    lines = [f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))})"
             f", {cpu}{mem}, {platform.platform()}; load average at the end "
             f"{' '.join(load)}",
             f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"]
    damon = damon_pageout()
    if damon:
        lines.append(f"page cache: {damon}")
    return lines


def damon_pageout() -> str | None:
    """A description of the kernel's DAMON proactive reclaim when it runs
    (it pages out memory, page cache included, that it sees idle), else None."""
    root = Path("/sys/kernel/mm/damon/admin/kdamonds")
    try:
        for kdamond in sorted(root.glob("[0-9]*")):
            if (kdamond / "state").read_text().strip() != "on":
                continue
            for scheme in sorted(kdamond.glob("contexts/*/schemes/[0-9]*")):
                if (scheme / "action").read_text().strip() != "pageout":
                    continue
                ctx = scheme.parent.parent
                aggr = int((ctx / "monitoring_attrs/intervals/aggr_us")
                           .read_text()) / 1e6
                age = int((scheme / "access_pattern/age/min").read_text())
                return (f"DAMON pages out regions it sees idle for "
                        f"{age} x {aggr:g} s (kdamond on); the corpus is "
                        f"warmed before every run")
    except (OSError, ValueError):
        return None
    return None


# --------------------------------------------------------------------------
# Running under /usr/bin/time -v
# --------------------------------------------------------------------------

@dataclass
class Run:
    wall: float
    rss_mb: float
    status: str = "ok"        # ok | timeout | failed (code)
    others: float = 0.0       # cores busy with other processes meanwhile
    disk_mb: float = 0.0      # read from disk, not the page cache (time -v)


def busy_seconds() -> float:
    """CPU seconds spent busy on all cores since boot (/proc/stat), steal
    included (time a virtual machine did not get)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = \
        (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf(
        "SC_CLK_TCK")


def parse_time_v(text: str) -> tuple[float | None, float | None, float, float]:
    """(wall s, max RSS MB, user + system CPU s, MB read from disk) from GNU
    time -v (its "File system inputs" count 512-byte blocks)."""
    wall = rss = None
    cpu = disk = 0.0
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("User time (seconds)", "System time (seconds)")):
            cpu += float(line.rsplit(" ", 1)[1])
        elif line.startswith("Elapsed (wall clock) time"):
            value = line.rsplit(" ", 1)[1]
            parts = [float(p) for p in value.split(":")]
            wall = 0.0
            for p in parts:
                wall = wall * 60 + p
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(" ", 1)[1]) / 1024
        elif line.startswith("File system inputs"):
            disk = int(line.rsplit(" ", 1)[1]) * 512 / MB
    return wall, rss, cpu, disk


PAGE = os.sysconf("SC_PAGE_SIZE")


def group_rss(pgid: int) -> int:
    """Summed RSS (bytes) of every process in process group `pgid`."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[21]) * PAGE
    return total


class TreeRss(threading.Thread):
    """Samples the summed RSS of a process group every 50 ms (the peers run
    several worker processes; GNU time reports only the largest one)."""

    def __init__(self, pgid: int):
        super().__init__(daemon=True)
        self.pgid = pgid
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, group_rss(self.pgid))
            self.stop.wait(0.05)


def timed(cmd: list[str], stdout_path: Path, log_dir: Path, label: str,
          timeout: float | None) -> Run:
    """Run `cmd` under GNU time in its own process group; its stdout goes to
    stdout_path, its stderr to log_dir/label.stderr. Wall: our monotonic
    clock around the run (time -v has only 10 ms resolution). Peak RSS: the
    larger of time -v's maximum RSS (largest single process) and the sampled
    sum over the process group (all processes together)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    time_file = log_dir / f"{label}.time"
    full = ["/usr/bin/time", "-v", "-o", str(time_file), *cmd]
    busy_before = busy_seconds()
    started = time.monotonic()
    with open(stdout_path, "wb") as out, \
            open(log_dir / f"{label}.stderr", "wb") as err:
        proc = subprocess.Popen(full, stdout=out, stderr=err,
                                start_new_session=True)
        sampler = TreeRss(proc.pid)
        sampler.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            sampler.stop.set()
            return Run(time.monotonic() - started, sampler.peak / 2**20,
                       "timeout")
        elapsed = time.monotonic() - started
        busy = busy_seconds() - busy_before
        sampler.stop.set()
        sampler.join()
    _wall, rss, cpu, disk = parse_time_v(time_file.read_text(errors="replace")
                                         if time_file.is_file() else "")
    status = "ok" if code == 0 else f"failed ({code})"
    # Others' load: busy CPU time on the machine minus the tool's own, per
    # second of wall (about 0.0 on a quiet machine; 1.0 = a whole core).
    others = max(0.0, busy - cpu) / elapsed if elapsed > 0 else 0.0
    return Run(elapsed, max(rss or 0.0, sampler.peak / 2**20), status,
               others, disk)


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------

def read_truth(path: Path) -> dict[tuple[str, str], float]:
    truth = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            a, b = sorted((row["doc_a"], row["doc_b"]))
            truth[(a, b)] = float(row["jaccard"])
    return truth


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """Pairs CSV of any tool: doc_a,doc_b and jaccard or similarity."""
    pairs = set()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            a = ec.normalise_doc(row["doc_a"])
            b = ec.normalise_doc(row["doc_b"])
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def pairs_from_report(report: Path) -> list[tuple[str, str]]:
    pairs = set()
    for row in ec.read_report(report):
        if row["kind"] in ec.WHOLE_DOC_KINDS and row["keep_doc"]:
            a, b = row["doc"], row["keep_doc"]
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


class ExactJaccard:
    """Exact Jaccard of two corpus documents: from the truth file when the
    pair is there, otherwise computed from the files (cached)."""

    def __init__(self, corpus: Path, truth: dict):
        self.corpus = corpus
        self.truth = truth
        self.cache: dict[tuple[str, str], float] = {}
        self.computed = 0

    @functools.lru_cache(maxsize=8192)
    def shingles(self, doc: str) -> frozenset:
        return frozenset(textsim.shingles(textsim.read_text(self.corpus / doc)))

    def __call__(self, a: str, b: str) -> float:
        key = (min(a, b), max(a, b))
        if key in self.truth:
            return self.truth[key]
        if key not in self.cache:
            self.computed += 1
            self.cache[key] = textsim.jaccard_sets(self.shingles(key[0]),
                                                   self.shingles(key[1]))
        return self.cache[key]


@dataclass
class Score:
    pairs: int = 0
    precision: float | None = None
    recall: float | None = None
    kept_precision: float | None = None
    clusters: int = 0
    removed: int = 0
    false_pairs: list = field(default_factory=list)


def score(pairs: list[tuple[str, str]], positives: list[tuple[str, str]],
          exact: ExactJaccard) -> Score:
    uf = textsim.UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    found = sum(1 for a, b in positives
                if a in uf.parent and b in uf.parent
                and uf.find(a) == uf.find(b))
    good = 0
    false_pairs = []
    for a, b in pairs:
        j = exact(a, b)
        if j >= THRESHOLD:
            good += 1
        else:
            false_pairs.append((a, b, j))
    clusters = uf.clusters()
    kept_pairs = [(c[0], m) for c in clusters for m in c[1:]]
    kept_good = sum(1 for a, b in kept_pairs if exact(a, b) >= THRESHOLD)
    return Score(
        pairs=len(pairs),
        precision=good / len(pairs) if pairs else None,
        recall=found / len(positives) if positives else None,
        kept_precision=kept_good / len(kept_pairs) if kept_pairs else None,
        clusters=len(clusters),
        removed=len(kept_pairs),
        false_pairs=sorted(false_pairs, key=lambda t: t[2]),
    )


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

@dataclass
class Result:
    tool: str
    command: str
    runs: list[Run]
    score: Score | None = None
    note: str = ""

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if r.status == "ok"]

    @property
    def wall(self) -> float | None:
        runs = self.ok_runs
        return statistics.median(r.wall for r in runs) if runs else None

    @property
    def rss(self) -> float | None:
        runs = self.ok_runs
        return max(r.rss_mb for r in runs) if runs else None


def fmt_num(value, digits=3, width=7) -> str:
    if value is None:
        return "-".rjust(width)
    return f"{value:{width}.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Benchmark dedup against peers on a generated corpus "
                    "(see the module docstring).")
    parser.add_argument("--mb", type=float, default=100,
                        help="corpus size in MB (default 100)")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS),
                        help=f"comma-separated subset of {','.join(ALL_TOOLS)}")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per tool; the median wall is reported")
    parser.add_argument("--work", type=Path, default=Path("/tmp/dedup-bench"))
    parser.add_argument("--peer-args", default="",
                        help="extra arguments of the peer scripts (for example "
                             "\"--num-perm 128 --bands 16\")")
    parser.add_argument("--seed", type=int, default=1,
                        help="gen-corpus seed when the corpus is generated")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds after which a tool's run is killed")
    args = parser.parse_args()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in ALL_TOOLS]
    if unknown:
        sys.exit(f"error: unknown tool(s) {unknown}; choose from {ALL_TOOLS}")
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)

    steps: list[tuple[str, float]] = []
    t0 = time.monotonic()
    corpus, truth_path, gen_time = ensure_corpus(args)
    if gen_time:
        steps.append(("generate corpus", gen_time))
    t = time.monotonic()
    ensure_commands(tools)
    python = ensure_venv(args.work) if {"rensa", "datasketch"} & set(tools) \
        else None
    binary = build_dedup() if "dedup" in tools else None
    steps.append(("setup (apt, venv, cargo build)", time.monotonic() - t))

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    corpus_bytes = sum(p.stat().st_size for p in files)
    truth = read_truth(truth_path)
    positives = sorted(k for k, j in truth.items() if j >= THRESHOLD)
    def warm() -> None:
        """Reads every file of the corpus, so that the next run finds it in the page cache."""
        for p in files:
            p.read_bytes()

    t = time.monotonic()
    warm()
    steps.append(("warm page cache", time.monotonic() - t))

    label = f"{args.mb:g}mb"
    run_dir = args.work / f"runs-{label}"
    run_dir.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []

    def bench(tool: str, cmd: list[str], stdout_path: Path) -> Result:
        shown = shlex.join(cmd) + (
            "" if stdout_path.name == "null" else
            f" > {shlex.quote(str(stdout_path))}")
        log(f"[{tool}] $ {shown}")
        runs = []
        for k in range(args.repeat):
            # Warmed again before every run: some machines (this project's VM among them)
            # reclaim an idle page cache within seconds, and a run that reads from disk
            # measures the disk.
            warm()
            run = timed(cmd, stdout_path, run_dir, f"{tool}.{k + 1}",
                        args.timeout)
            log(f"[{tool}] run {k + 1}/{args.repeat}: {run.wall:.2f} s, "
                f"peak RSS {run.rss_mb:.0f} MB, {run.status}, others' CPU "
                f"{run.others:.2f} cores, {run.disk_mb:.0f} MB from disk")
            runs.append(run)
            if run.status != "ok":
                tail = (run_dir / f"{tool}.{k + 1}.stderr").read_text(
                    errors="replace").strip().splitlines()[-3:]
                for line in tail:
                    log(f"[{tool}]   {line}")
                break
        result = Result(tool, shown, runs)
        results.append(result)
        return result

    t_all = time.monotonic()
    if "floor" in tools:
        script = (f"find {shlex.quote(str(corpus))} -type f -print0 | "
                  f"xargs -0 -P2 -n 256 xxhsum -H3 > /dev/null")
        bench("floor", ["bash", "-c", script], Path(os.devnull))

    exact = ExactJaccard(corpus, truth)
    if "dedup" in tools:
        with_pairs = has_option(binary, "--pairs")
        configs = [(2, "dedup", []), (1, "dedup-1t", [])]
        if has_option(binary, "--detect"):
            configs.append((2, "dedup-neardup", ["--detect", "near-dup"]))
        for threads, tool, extra in configs:
            pairs_path = run_dir / f"{tool}.pairs.csv"
            report = run_dir / f"{tool}.report.csv"
            cmd = [str(binary), "scan", "--threads", str(threads), "-q", *extra]
            if with_pairs:
                cmd += ["--pairs", str(pairs_path)]
            cmd.append(str(corpus))
            result = bench(tool, cmd, report)
            if result.ok_runs:
                pairs = read_pairs(pairs_path) if with_pairs \
                    else pairs_from_report(report)
                result.score = score(pairs, positives, exact)
                if not with_pairs:
                    result.note = "pairs from the report (no --pairs)"

    for tool in ("rensa", "datasketch"):
        if tool not in tools:
            continue
        pairs_path = run_dir / f"{tool}.pairs.csv"
        cmd = [str(python), str(SCRIPTS / "bench" / f"peer_{tool}.py"), str(corpus),
               "--workers", "2", "--out", str(pairs_path), *shlex.split(args.peer_args)]
        result = bench(tool, cmd, run_dir / f"{tool}.stdout")
        if result.ok_runs:
            result.score = score(read_pairs(pairs_path), positives, exact)
        else:
            # Partial figures: the last progress line of the peer.
            lines = (run_dir / f"{tool}.{len(result.runs)}.stderr").read_text(
                errors="replace").strip().splitlines()
            progress = [ln for ln in lines if ln.startswith("signatures:")]
            result.note = (f"{result.runs[-1].status} after "
                           f"{result.runs[-1].wall:.0f} s"
                           + (f"; last progress: {progress[-1]}"
                              if progress else ""))
    steps.append(("tool runs + scoring", time.monotonic() - t_all))

    # ------------------------------------------------------------------
    # The table
    # ------------------------------------------------------------------
    dedup_wall = next((r.wall for r in results if r.tool == "dedup"), None)
    header = ["tool", "wall s", "MB/s", "peak RSS MB", "pairs", "precision",
              "recall", "P(rm->kept)", "clusters", "vs dedup", "others' CPU",
              "disk MB"]
    rows = []
    for r in results:
        wall = r.wall
        s = r.score
        ratio = (f"{r.tool}/dedup = {wall / dedup_wall:.2f}×"
                 if wall and dedup_wall and r.tool != "dedup" else
                 ("1×" if r.tool == "dedup" and wall else "-"))
        rows.append([
            r.tool,
            f"{wall:.2f}" if wall else r.runs[-1].status if r.runs else "-",
            f"{corpus_bytes / MB / wall:.1f}" if wall else "-",
            f"{r.rss:.0f}" if r.rss is not None else "-",
            str(s.pairs) if s else "-",
            fmt_num(s.precision).strip() if s else "-",
            fmt_num(s.recall).strip() if s else "-",
            fmt_num(s.kept_precision).strip() if s else "-",
            str(s.clusters) if s else "-",
            ratio,
            f"{max(run.others for run in r.runs):.2f}" if r.runs else "-",
            f"{max(run.disk_mb for run in r.runs):.0f}" if r.runs else "-",
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    head = [
        *machine_lines(),
        f"corpus: {corpus} ({len(files)} files, {corpus_bytes / MB:.1f} MB); "
        f"truth: {len(truth)} pairs, {len(positives)} with J >= {THRESHOLD}",
        f"command: {shlex.join(['scripts/bench/peers.py', *sys.argv[1:]])}",
    ]
    if binary:
        head.append(ec.describe_binary(binary))
    notes = []
    d1 = next((r.wall for r in results if r.tool == "dedup-1t"), None)
    if d1 and dedup_wall:
        notes.append(f"dedup speed-up with 2 threads: {d1 / dedup_wall:.2f}× "
                     f"({d1:.2f} s -> {dedup_wall:.2f} s)")
    near = next((r.wall for r in results if r.tool == "dedup-neardup"), None)
    if near:
        same_job = ", ".join(f"{r.tool}/dedup-neardup = {r.wall / near:.2f}×"
                             for r in results
                             if r.tool in ("rensa", "datasketch") and r.wall)
        notes.append("the peers' job only (dedup with its near-duplicate "
                     f"detector alone, --detect near-dup): {near:.2f} s"
                     + (f"; {same_job}" if same_job else ""))
    for r in results:
        if r.note:
            notes.append(f"{r.tool}: {r.note}")
        if r.score and r.score.false_pairs:
            worst = ", ".join(f"{a}~{b} J={j:.3f}"
                              for a, b, j in r.score.false_pairs[:3])
            notes.append(f"{r.tool}: {len(r.score.false_pairs)} asserted "
                         f"pair(s) below J {THRESHOLD}, lowest: {worst}")
    notes.append(f"exact Jaccard computed for {exact.computed} pair(s) not in "
                 f"the truth file")
    busiest = max((run.others for r in results for run in r.runs), default=0)
    notes.append("others' CPU = cores kept busy by other processes during the "
                 "tool's runs (worst run; /proc/stat minus the tool's own "
                 "CPU time)" + (f": WARNING, up to {busiest:.2f} cores were "
                                "busy elsewhere, so the times are not those "
                                "of a quiet machine" if busiest > 0.15 else ""))
    notes.append("disk MB = data read from disk rather than the page cache "
                 "during the tool's runs (worst run; GNU time's file system "
                 "inputs). The corpus is warmed before every run, so it is 0 "
                 "on a machine that keeps its page cache; a tool that reads "
                 "the corpus twice (dedup, for its rows' previews) can find "
                 "part of it evicted in between on one that does not")
    commands = [f"{r.tool}: {r.command}" for r in results]

    out = [*head, "", line(header), line(["-" * w for w in widths]),
           *(line(row) for row in rows), "", *notes, "", "commands:",
           *(f"  {c}" for c in commands)]
    print("\n".join(out))

    md = [f"### dedup vs peers, {args.mb:g} MB corpus", "",
          *(f"- {h}" for h in head), "",
          "| " + " | ".join(header) + " |",
          "|" + "|".join(" --- " if i == 0 else " ---: "
                         for i in range(len(header))) + "|",
          *("| " + " | ".join(row) + " |" for row in rows), "",
          *(f"- {n}" for n in notes), "", "Commands:", "",
          *(f"    {c}" for c in commands), ""]
    md_path = args.work / f"bench-{label}.md"
    md_path.write_text("\n".join(md), encoding="utf-8")
    steps.append(("total", time.monotonic() - t0))
    log("\nsteps: " + ", ".join(f"{name} {secs:.0f} s" for name, secs in steps))
    log(f"markdown table: {md_path}")


if __name__ == "__main__":
    main()
