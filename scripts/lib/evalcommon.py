"""Shared helpers for the evaluation scripts in this folder.

Standard library only (Python 3.11). The scripts import this module by name;
that works because Python puts the running script's folder on sys.path.

What lives here:
  * locating (and if needed building) the `dedup` binary,
  * running `dedup scan` and saving its CSV report,
  * reading the report CSV (by column name, so new columns do not matter),
  * byte-span arithmetic: merging spans, intersecting them, and counting the
    non-whitespace bytes they cover; the byte spans of lines and of runs of
    flagged lines (the way the data sets form `boilerplate_spans`),
  * a virtualenv with pinned packages (ensure_venv), and the jusText
    baseline run in it (scripts/eval/justext_lines.py, scripts/eval/requirements.txt),
  * small formatting helpers (precision/recall/F1, percentages).

Report format produced by `dedup scan` (one row per finding), at the time of
writing:
  doc,start,end,kind,keep_doc,keep_start,keep_end,similarity,cluster,id,
  keep_id,reason,line_start,line_end,preview
`start`/`end` are half-open UTF-8 byte offsets into the document's file.
Columns are read by name: scoring needs only doc,start,end,kind.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# --------------------------------------------------------------------------
# Constants describing the report
# --------------------------------------------------------------------------

# The header of `dedup scan` at the time of writing (the tests write reports
# with it). read_report does not depend on it: columns are read by name, and
# columns may be added or reordered.
REPORT_COLUMNS = [
    "doc", "start", "end", "kind", "keep_doc", "keep_start", "keep_end",
    "similarity", "cluster", "id", "keep_id", "reason", "line_start",
    "line_end", "preview",
]
# The columns byte scoring needs; the default `required` of read_report.
SCAN_COLUMNS = ("doc", "start", "end", "kind")

# Kinds that mark a span *inside* a document.
SPAN_KINDS = ("repeated_paragraph", "boilerplate")
# Kinds that mark a *whole* document as a (near-)copy of another one.
WHOLE_DOC_KINDS = ("near_duplicate", "exact_duplicate")
ALL_KINDS = SPAN_KINDS + WHOLE_DOC_KINDS

DEFAULT_WORK_DIR = Path("/tmp/dedup-eval")


# --------------------------------------------------------------------------
# Paths and the binary
# --------------------------------------------------------------------------

def repo_root() -> Path:
    """The crate's root folder (this file lives in <root>/scripts/)."""
    return Path(__file__).resolve().parents[2]


def shared_data_dir(name: str) -> Path:
    """Default location of a data set: <repo root>/../shared/data/<name>.

    The data sets are research-only: we read them in place and never copy
    them into the repository.
    """
    return repo_root().parent / "shared" / "data" / name


def dedup_binary() -> Path:
    """Return the path of the `dedup` binary, building it if needed.

    * If the environment variable DEDUP_BIN is set, that path is used as is
      (relative paths are relative to the current directory) and it must exist.
    * Otherwise the default is <repo root>/target/release/dedup; when it does
      not exist we run `cargo build --release` in the repo root first.
    """
    from_env = os.environ.get("DEDUP_BIN")
    if from_env:
        binary = Path(from_env)
        if not binary.is_file():
            sys.exit(f"error: DEDUP_BIN={from_env} does not exist")
        return binary

    binary = repo_root() / "target" / "release" / "dedup"
    if not binary.is_file():
        print(f"{binary} not found; running `cargo build --release`",
              file=sys.stderr)
        subprocess.run(["cargo", "build", "--release"], cwd=repo_root(),
                       check=True)
        if not binary.is_file():
            sys.exit(f"error: build finished but {binary} is still missing")
    return binary


def describe_binary(binary: Path) -> str:
    """One line naming the binary and when it was built (to spot stale builds)."""
    built = time.strftime("%Y-%m-%d %H:%M:%S",
                          time.localtime(binary.stat().st_mtime))
    return f"binary: {binary} (modified {built})"


def run_scan(binary: Path, folders: list[Path], extra_args: list[str],
             report_path: Path) -> float:
    """Run `dedup scan FOLDER... EXTRA_ARGS` and write its stdout to report_path.

    The exact command is printed first. stderr of dedup goes straight to our
    stderr. Exits the script if dedup fails. Returns the wall time in seconds.
    """
    cmd = [str(binary), "scan", *map(str, folders), *extra_args]
    print(f"$ {shlex.join(cmd)} > {shlex.quote(str(report_path))}", flush=True)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(report_path, "wb") as out:
        result = subprocess.run(cmd, stdout=out)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"error: dedup scan exited with status {result.returncode}")
    return elapsed


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split our own arguments from the ones meant for `dedup scan`.

    Everything after a bare `--` is passed through to dedup unchanged, e.g.
        scripts/eval/boilerplate_sites.py --min-docs 3 -- --threshold 0.8
    """
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


# --------------------------------------------------------------------------
# Writing corpora
# --------------------------------------------------------------------------

def write_corpus(root: Path, files: dict[str, str]) -> None:
    """Write `files` ({relative path with '/': text}) below `root`.

    Each text is written exactly (UTF-8, no newline added). Files whose
    content is already identical are left alone. Stale `.txt` files under
    `root` that are not part of `files` are deleted, so the folder holds
    exactly this corpus (otherwise old files would leak into the scan).
    """
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    wanted = {(root / rel).resolve() for rel in files}
    stale = [p for p in root.rglob("*.txt") if p.resolve() not in wanted]
    for path in stale:
        path.unlink()
    if stale:
        print(f"removed {len(stale)} stale .txt file(s) under {root}",
              file=sys.stderr)


# --------------------------------------------------------------------------
# Reading the report
# --------------------------------------------------------------------------

def normalise_doc(name: str) -> str:
    """Make a report `doc` name comparable: '/' separators, no leading './'."""
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name


def _to_int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def _to_float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


_INT_COLUMNS = ("start", "end", "keep_start", "keep_end", "line_start",
                "line_end")


def read_report(path: Path, required=SCAN_COLUMNS) -> list[dict]:
    """Read a dedup CSV report into a list of dicts, by column name.

    Only the `required` columns must be present (default doc,start,end,kind:
    what byte scoring needs); a report without one of them stops the script
    with an error naming it, since nothing could be scored. Any other column
    may be missing (its cells read as None), and extra or reordered columns
    (id, keep_id, score, ...) are simply carried along: no warning.

    `doc`/`keep_doc` are normalised (see normalise_doc); the offset and line
    columns become ints and similarity a float (None for empty cells); all
    other columns stay strings. An empty file gives an empty list (with a
    warning).
    """
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            print(f"warning: report {path} is empty (no header)",
                  file=sys.stderr)
            return []
        missing = [c for c in required if c not in reader.fieldnames]
        if missing:
            sys.exit(f"error: report {path} lacks column(s) "
                     f"{','.join(missing)} (header: "
                     f"{','.join(reader.fieldnames)})")
        absent = [c for c in REPORT_COLUMNS if c not in reader.fieldnames]
        rows = []
        for row in reader:
            row.pop(None, None)         # surplus cells of a ragged line
            for key in absent:
                row[key] = None
            row["doc"] = normalise_doc(row["doc"] or "")
            row["keep_doc"] = normalise_doc(row["keep_doc"] or "")
            for key in _INT_COLUMNS:
                row[key] = _to_int(row[key])
            row["similarity"] = _to_float(row["similarity"])
            rows.append(row)
    return rows


def spans_by_doc(rows: list[dict], kinds) -> dict[str, list[tuple[int, int]]]:
    """{doc: [(start, end), ...]} for the rows whose kind is in `kinds`."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        if row["kind"] in kinds:
            spans.setdefault(row["doc"], []).append((row["start"], row["end"]))
    return spans


def whole_doc_flagged(rows: list[dict]) -> set[str]:
    """Docs that got a near_duplicate / exact_duplicate row (i.e. would be
    dropped as a copy of their cluster's kept document)."""
    return {row["doc"] for row in rows if row["kind"] in WHOLE_DOC_KINDS}


def check_unknown_docs(rows: list[dict], known: set[str], label: str) -> None:
    """Warn when the report names documents we did not write (usually a path
    convention mismatch, which would silently zero every score)."""
    unknown = sorted({row["doc"] for row in rows} - known)
    if unknown:
        print(f"warning: {label}: {len(unknown)} report doc name(s) match no "
              f"page, e.g. {unknown[:3]}", file=sys.stderr)


# --------------------------------------------------------------------------
# Byte spans
# --------------------------------------------------------------------------

def merge_spans(spans) -> list[tuple[int, int]]:
    """Sort half-open spans and merge overlapping or touching ones."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect_spans(a: list[tuple[int, int]],
                    b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Intersection of two *merged* span lists (two-pointer sweep)."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        # Advance whichever span ends first.
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


class NonWhitespaceBytes:
    """Counts the non-whitespace bytes of one text inside byte ranges.

    A byte counts when the character it belongs to is not whitespace
    (str.isspace(), so a no-break space is whitespace too). We precompute a
    prefix sum over the UTF-8 bytes, so each count is O(1).
    """

    def __init__(self, text: str):
        prefix = [0]
        total = 0
        for ch in text:
            weight = 0 if ch.isspace() else 1
            for _ in range(len(ch.encode("utf-8"))):
                total += weight
                prefix.append(total)
        self.prefix = prefix
        self.length = len(prefix) - 1  # length in bytes

    def count(self, start: int, end: int) -> int:
        start = min(max(start, 0), self.length)
        end = min(max(end, 0), self.length)
        return self.prefix[end] - self.prefix[start] if end > start else 0

    def count_spans(self, spans) -> int:
        return sum(self.count(s, e) for s, e in spans)


@dataclass
class ByteScore:
    """Non-whitespace byte counts of removed vs gold spans, summable."""
    tp: int = 0        # removed and gold
    fp: int = 0        # removed, not gold (content lost: the costly error)
    fn: int = 0        # gold, not removed
    total: int = 0     # all non-whitespace bytes of the pages

    def add(self, other: "ByteScore") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.total += other.total

    def prf(self) -> tuple[float | None, float | None, float | None]:
        return prf(self.tp, self.fp, self.fn)


def score_bytes(counter: NonWhitespaceBytes, gold_spans,
                removed_spans) -> ByteScore:
    """Byte-level comparison of removed spans with gold spans for one page."""
    gold = merge_spans(gold_spans)
    removed = merge_spans(removed_spans)
    tp = counter.count_spans(intersect_spans(gold, removed))
    return ByteScore(
        tp=tp,
        fp=counter.count_spans(removed) - tp,
        fn=counter.count_spans(gold) - tp,
        total=counter.count(0, counter.length),
    )


def out_of_range_spans(spans, length: int) -> int:
    """Number of spans that do not fit in a file of `length` bytes."""
    return sum(1 for s, e in spans if s < 0 or e > length or s > e)


def line_byte_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) UTF-8 byte offsets of each line, newline excluded.
    Lines are the pieces of text.split("\\n"), as in the data sets (so a
    text ending in "\\n" has a last, empty line)."""
    ranges, pos = [], 0
    for line in text.split("\n"):
        end = pos + len(line.encode("utf-8"))
        ranges.append((pos, end))
        pos = end + 1
    return ranges


def line_run_spans(text: str, flags) -> list[tuple[int, int]]:
    """Byte spans of the maximal runs of flagged lines, formed as the data
    sets form `boilerplate_spans`: one span per run, from the first line's
    start to the last line's end plus its newline (when it has one).

    `flags` has one truth value per line of text.split("\\n"); it may be
    shorter (the data sets label no final empty line): missing = False.
    """
    spans: list[tuple[int, int]] = []
    ranges = line_byte_ranges(text)
    last = len(ranges) - 1
    run_start = None
    for i, (start, end) in enumerate(ranges):
        flagged = i < len(flags) and bool(flags[i])
        if flagged and run_start is None:
            run_start = start
        if run_start is not None and (not flagged or i == last):
            if flagged:                    # run reaches the last line
                spans.append((run_start, end))
            else:                          # run ended on line i - 1
                spans.append((run_start, start))
            run_start = None
    return spans


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------

def prf(tp: int, fp: int, fn: int):
    """Precision, recall, F1 (None where the denominator is zero)."""
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    # F1 = 2TP / (2TP + FP + FN): equals the harmonic mean of P and R and is
    # 0 (not undefined) when nothing correct was removed.
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return p, r, f


def fmt(value: float | None, width: int = 6, digits: int = 3) -> str:
    """Right-aligned number, or '-' when undefined."""
    if value is None:
        return "-".rjust(width)
    return f"{value:{width}.{digits}f}"


def fmt_pct(num: int, den: int) -> str:
    return f"{100 * num / den:5.1f}%" if den else "    -"


# --------------------------------------------------------------------------
# Scoring whole pages (shared by eval/boilerplate_sites.py and eval/fr_pages.py)
# --------------------------------------------------------------------------

@dataclass
class PageResult:
    """Scores of one page against its gold boilerplate spans."""
    whole_doc: bool              # got a near/exact duplicate row -> not scored
    removed: ByteScore           # boilerplate + repeated_paragraph spans
    boilerplate: ByteScore       # boilerplate spans only


def score_pages(pages: dict[str, tuple[NonWhitespaceBytes, list]],
                rows: list[dict], label: str) -> dict[str, PageResult]:
    """Score every page: {doc name: (byte counter, gold spans)} -> results.

    Pages flagged as whole-document duplicates get whole_doc=True and empty
    scores; the callers exclude them from the byte figures and count them.
    """
    check_unknown_docs(rows, set(pages), label)
    flagged = whole_doc_flagged(rows)
    removed = spans_by_doc(rows, SPAN_KINDS)
    boiler = spans_by_doc(rows, ("boilerplate",))

    bad = sum(out_of_range_spans(removed.get(doc, []), counter.length)
              for doc, (counter, _gold) in pages.items())
    if bad:
        print(f"warning: {label}: {bad} span(s) fall outside their file",
              file=sys.stderr)

    results = {}
    for doc, (counter, gold) in pages.items():
        if doc in flagged:
            results[doc] = PageResult(True, ByteScore(), ByteScore())
        else:
            results[doc] = PageResult(
                False,
                score_bytes(counter, gold, removed.get(doc, [])),
                score_bytes(counter, gold, boiler.get(doc, [])),
            )
    return results


def sum_results(results) -> tuple[int, int, ByteScore, ByteScore]:
    """(pages, whole-doc pages, summed removed score, summed boilerplate score)
    over an iterable of PageResult — micro-averaging = summing the counts."""
    pages = dup = 0
    removed, boiler = ByteScore(), ByteScore()
    for r in results:
        pages += 1
        if r.whole_doc:
            dup += 1
        else:
            removed.add(r.removed)
            boiler.add(r.boilerplate)
    return pages, dup, removed, boiler


# Header and cells of the byte-score tables: pages, whole-doc pages excluded,
# gold share, removed share, then P/R/F1 for "removed" and "boilerplate only".
SCORE_HEADER = (f"{'pages':>5} {'dup':>4} {'gold%':>6} {'rem%':>6} |"
                f" {'P':>6} {'R':>6} {'F1':>6} |"
                f" {'P':>6} {'R':>6} {'F1':>6}")
SCORE_GROUPS = (f"{'':>5} {'':>4} {'':>6} {'':>6} |"
                f" {'boilerplate + repeated':^20} |"
                f" {'boilerplate only':^20}")


def score_cells(results) -> str:
    """One table row's cells (see SCORE_HEADER) for some PageResults."""
    pages, dup, removed, boiler = sum_results(results)
    p1, r1, f1 = removed.prf()
    p2, r2, f2 = boiler.prf()
    gold = removed.tp + removed.fn
    rem = removed.tp + removed.fp
    return (f"{pages:>5} {dup:>4} {fmt_pct(gold, removed.total):>6} "
            f"{fmt_pct(rem, removed.total):>6} |"
            f" {fmt(p1)} {fmt(r1)} {fmt(f1)} |"
            f" {fmt(p2)} {fmt(r2)} {fmt(f2)}")


SCORE_NOTES = """\
Byte scores count non-whitespace bytes only, micro-averaged (summed) over pages.
  removed = union of boilerplate + repeated_paragraph spans; 'boilerplate only'
  uses the boilerplate spans alone. gold% / rem% = share of the scored bytes
  that are gold boilerplate / removed. Pages with a near_duplicate or
  exact_duplicate row (column 'dup') are EXCLUDED from the byte scores."""


# --------------------------------------------------------------------------
# A virtualenv with pinned packages, and the jusText baseline run in it
# --------------------------------------------------------------------------

SCRIPTS_DIR = Path(__file__).resolve().parents[1]
EVAL_REQUIREMENTS = SCRIPTS_DIR / "eval" / "requirements.txt"
JUSTEXT_SCRIPT = SCRIPTS_DIR / "eval" / "justext_lines.py"
VENV_STAMP = ".requirements-sha256"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_venv(venv: Path, requirements: Path, log=_log) -> Path:
    """Create or reuse the virtualenv `venv` with `requirements` installed;
    return its python.

    A stamp file VENV/.requirements-sha256 holds the sha256 of the
    requirements file that was last installed: when it matches, the venv is
    reused as is (no network); otherwise `pip install -r` runs again (the
    venv is created first when it has no bin/python). The stamp is written
    only after a successful install, so an interrupted install is retried.
    """
    python = venv / "bin" / "python"
    stamp = venv / VENV_STAMP
    want = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if python.is_file() and stamp.is_file() and stamp.read_text() == want:
        return python
    if not python.is_file():
        cmd = [sys.executable, "-m", "venv", str(venv)]
        log(f"$ {shlex.join(cmd)}")
        subprocess.run(cmd, check=True)
    cmd = [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)]
    log(f"$ {shlex.join(cmd)}")
    subprocess.run(cmd, check=True)
    stamp.write_text(want)
    return python


def default_venv(work: Path) -> Path:
    """Where the eval scripts keep their virtualenv: WORK/venv-eval."""
    return work / "venv-eval"


def run_justext(texts: dict[str, str], language: str, work: Path,
                venv: Path, label: str) -> tuple[dict[str, list], str]:
    """The jusText baseline on some pages ({doc name: text}).

    Makes sure `venv` has scripts/eval/requirements.txt (ensure_venv), writes
    the pages to WORK/justext/<label>-pages.jsonl, runs
    `VENV/bin/python scripts/eval/justext_lines.py --language LANGUAGE` on them
    (the command is printed) and reads its output. Returns
    ({doc: [(start, end), ...] byte spans of the lines jusText does not class
    "good"}, one line describing the jusText run). Exits on failure.
    """
    python = ensure_venv(venv, EVAL_REQUIREMENTS)
    folder = work / "justext"
    folder.mkdir(parents=True, exist_ok=True)
    pages_path = folder / f"{label}-pages.jsonl"
    out_path = folder / f"{label}-spans.json"
    with open(pages_path, "w", encoding="utf-8") as f:
        for doc, text in texts.items():
            f.write(json.dumps({"doc": doc, "text": text}, ensure_ascii=False)
                    + "\n")
    cmd = [str(python), str(JUSTEXT_SCRIPT), "--language", language,
           "--input", str(pages_path), "--output", str(out_path)]
    print(f"$ {shlex.join(cmd)}", flush=True)
    started = time.monotonic()
    result = subprocess.run(cmd)
    if result.returncode != 0:
        sys.exit(f"error: {JUSTEXT_SCRIPT.name} exited with status "
                 f"{result.returncode}")
    print(f"  ({time.monotonic() - started:.1f} s)")
    with open(out_path, encoding="utf-8") as f:
        out = json.load(f)
    spans = {doc: [tuple(s) for s in page["spans"]]
             for doc, page in out["pages"].items()}
    missing = set(texts) - set(spans)
    if missing:
        sys.exit(f"error: {JUSTEXT_SCRIPT.name} returned no result for "
                 f"{len(missing)} page(s), e.g. {sorted(missing)[:3]}")
    if out.get("mismatched_lines"):
        print(f"warning: {label}: {out['mismatched_lines']} line(s) whose "
              f"jusText paragraph text differs from the line", file=sys.stderr)
    versions = ", ".join(f"{k} {v}" for k, v in out["versions"].items())
    about = (f"jusText baseline: {versions or 'versions unknown'}; stoplist "
             f"{out['language']} ({out['stopwords']} words); default "
             f"parameters; each page alone, its lines as <p> paragraphs")
    return spans, about


def spans_as_rows(spans: dict[str, list], kind: str = "boilerplate"
                  ) -> list[dict]:
    """Report-like rows ({doc, start, end, kind}) for byte spans, so another
    tool's output goes through the very scoring code of dedup's reports."""
    return [{"doc": doc, "start": start, "end": end, "kind": kind}
            for doc, doc_spans in spans.items() for start, end in doc_spans]


# Header and cells of a baseline's byte-score table (one reading only).
BASELINE_HEADER = (f"{'pages':>5} {'gold%':>6} {'rem%':>6} |"
                   f" {'P':>6} {'R':>6} {'F1':>6}")


def baseline_cells(results) -> str:
    """One table row's cells (see BASELINE_HEADER) for some PageResults."""
    pages, _dup, removed, _boiler = sum_results(results)
    p, r, f = removed.prf()
    return (f"{pages:>5} {fmt_pct(removed.tp + removed.fn, removed.total):>6} "
            f"{fmt_pct(removed.tp + removed.fp, removed.total):>6} |"
            f" {fmt(p)} {fmt(r)} {fmt(f)}")


def summary_dict(score: ByteScore, pages: int, dup: int = 0) -> dict:
    """A ByteScore and its P/R/F1 as a JSON-friendly dict."""
    p, r, f = score.prf()
    return {"pages": pages, "dup": dup, "tp": score.tp, "fp": score.fp,
            "fn": score.fn, "total": score.total, "p": p, "r": r, "f1": f}
