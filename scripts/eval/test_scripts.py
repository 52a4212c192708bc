#!/usr/bin/env python3
"""Self-tests for the evaluation scripts; no dedup binary or real data needed.

    python3 scripts/eval/test_scripts.py -v

Each test builds a tiny hand-made data set and a hand-made report CSV in a
temporary folder, points DEDUP_BIN at a stand-in "binary" that just prints
that CSV, runs the script, and checks the printed numbers against values
worked out by hand in the comments.

No network either: the eval scripts run with --no-baseline, or with --venv
pointing at a fake virtualenv whose python runs scripts/eval/justext_lines.py
against a stub `justext` module (STUB_JUSTEXT); the real jusText venv is
only ever made by the eval scripts themselves, never here.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
EVAL = SCRIPTS / "eval"
sys.path.insert(0, str(SCRIPTS / "lib"))
sys.path.insert(0, str(EVAL))

import evalcommon as ec  # noqa: E402
import justext_lines  # noqa: E402
from boilerplate_sites import DEFAULT_HOLDOUT, expand_sites  # noqa: E402
from fr_pages import line_byte_ranges  # noqa: E402

HEADER = ec.REPORT_COLUMNS


def report_csv(rows: list[dict]) -> str:
    """A report in dedup's format; missing cells are empty."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in HEADER})
    return out.getvalue()


def fake_binary(folder: Path, report: str) -> Path:
    """An executable that ignores its arguments and prints `report`."""
    (folder / "report.csv").write_text(report, encoding="utf-8")
    binary = folder / "fake-dedup"
    binary.write_text(f"#!/bin/sh\ncat '{folder / 'report.csv'}'\n")
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    return binary


# A stand-in for the jusText package (the real one lives only in the eval
# virtualenv, which the tests never create): paragraphs are the <p> elements
# of justext_lines.page_html(), "good" when at least 10 characters long.
STUB_JUSTEXT = """\
import html, re
class Paragraph:
    def __init__(self, n, text):
        self.xpath = f"/html[1]/body[1]/p[{n}]"
        self.text = " ".join(text.split())
        self.class_type = "good" if len(self.text) >= 10 else "bad"
def get_stoplist(language):
    return frozenset({"le", "the"})
def justext(page, stoplist):
    found = re.findall(r"<p>(.*?)</p>", page)
    return [Paragraph(i + 1, html.unescape(t))
            for i, t in enumerate(found) if t.strip()]
"""


def fake_venv(folder: Path) -> Path:
    """A virtualenv look-alike for --venv: its bin/python runs this python
    with the stub jusText on the path, and its stamp matches
    eval-requirements.txt, so ensure_venv reuses it. Any `-m` call (venv,
    pip) fails loudly instead of reaching the network."""
    stub = folder / "stub" / "justext"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(STUB_JUSTEXT)
    venv = folder / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = -m ]; then echo "fake venv: unexpected $*" >&2; exit 97; fi\n'
        f"PYTHONPATH='{folder / 'stub'}' exec '{sys.executable}' \"$@\"\n")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    (venv / ec.VENV_STAMP).write_text(
        hashlib.sha256(ec.EVAL_REQUIREMENTS.read_bytes()).hexdigest())
    return venv


def squash(text: str) -> str:
    """Collapse runs of whitespace, so checks do not depend on column widths."""
    return " ".join(text.split())


def run_script(args: list[str], binary: Path) -> str:
    env = dict(os.environ, DEDUP_BIN=str(binary))
    result = subprocess.run([sys.executable, *args], env=env, text=True,
                            capture_output=True, check=True)
    return result.stdout


class SpanArithmetic(unittest.TestCase):
    def test_merge_and_intersect(self):
        self.assertEqual(ec.merge_spans([(5, 8), (0, 3), (3, 4), (7, 10), (2, 2)]),
                         [(0, 4), (5, 10)])
        self.assertEqual(ec.intersect_spans([(0, 4), (5, 10)], [(2, 6), (9, 20)]),
                         [(2, 4), (5, 6), (9, 10)])

    def test_non_whitespace_bytes(self):
        counter = ec.NonWhitespaceBytes("é a\u00a0b\n")   # é = 2 bytes, NBSP = 2
        self.assertEqual(counter.length, 8)
        self.assertEqual(counter.count(0, 8), 4)          # é(2) + a + b
        self.assertEqual(counter.count(0, 1), 1)          # half of é still counts
        self.assertEqual(counter.count(3, 6), 1)          # a + NBSP

    def test_prf(self):
        self.assertEqual(ec.prf(0, 0, 5), (None, 0.0, 0.0))
        p, r, f = ec.prf(7, 5, 3)
        self.assertAlmostEqual(p, 7 / 12)
        self.assertAlmostEqual(f, 14 / 22)

    def test_line_byte_ranges(self):
        self.assertEqual(line_byte_ranges("ab\nçd\n"), [(0, 2), (3, 6), (7, 7)])

    def test_line_run_spans(self):
        # Lines "a" [0,1) "bb" [2,4) "çc" [5,8) "" [9,9): one span per run,
        # the newline after a run's last line included, as the gold does.
        text = "a\nbb\nçc\n"
        self.assertEqual(ec.line_run_spans(text, [1, 0, 1]), [(0, 2), (5, 9)])
        self.assertEqual(ec.line_run_spans(text, [0, 1, 1]), [(2, 9)])
        self.assertEqual(ec.line_run_spans(text, [0, 0, 0]), [])
        # Short flag lists: missing = not flagged; a run reaching the last
        # line (no newline after it) ends at the text's end.
        self.assertEqual(ec.line_run_spans("x\ny", [0, 1]), [(2, 3)])
        self.assertEqual(ec.line_run_spans("x\ny", [1]), [(0, 2)])
        self.assertEqual(ec.line_run_spans("x\ny\n", [1, 1, 1]), [(0, 4)])

    def test_line_run_spans_match_gold_convention(self):
        # A page as the data sets store it: labels per line (none for the
        # final empty piece) and boilerplate_spans built from them.
        text = "Home | News\nTitle of the story\nBody text é.\nShare\nFooter\n"
        labels = ["boilerplate", "content", "content", "boilerplate",
                  "boilerplate"]
        gold = [(0, 12), (45, 58)]
        self.assertEqual(ec.line_run_spans(
            text, [lab == "boilerplate" for lab in labels]), gold)
        self.assertEqual(text.encode()[45:58], b"Share\nFooter\n")


class ReportReading(unittest.TestCase):
    def read(self, text: str, **kwargs):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "report.csv"
            path.write_text(text, encoding="utf-8")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rows = ec.read_report(path, **kwargs)
        return rows, err.getvalue()

    def test_columns_by_name(self):
        # Reordered columns, a new `score` column, no preview/line columns:
        # read by name, nothing to warn about.
        rows, err = self.read(
            "kind,score,doc,end,start,similarity,id\n"
            "boilerplate,0.7,./s/a.txt,9,4,,x\n"
            "near_duplicate,,s/b.txt,20,0,0.85,\n")
        self.assertEqual(err, "")
        self.assertEqual([(r["doc"], r["start"], r["end"], r["kind"])
                          for r in rows],
                         [("s/a.txt", 4, 9, "boilerplate"),
                          ("s/b.txt", 0, 20, "near_duplicate")])
        self.assertEqual(rows[0]["score"], "0.7")
        self.assertIsNone(rows[0]["similarity"])
        self.assertEqual(rows[1]["similarity"], 0.85)
        self.assertIsNone(rows[0]["line_start"])    # absent column
        self.assertEqual(rows[0]["keep_doc"], "")
        self.assertEqual(ec.spans_by_doc(rows, ec.SPAN_KINDS),
                         {"s/a.txt": [(4, 9)]})

    def test_current_header_no_warning(self):
        _rows, err = self.read(",".join(ec.REPORT_COLUMNS) + "\n")
        self.assertEqual(err, "")

    def test_missing_needed_column(self):
        with self.assertRaises(SystemExit) as caught:
            self.read("doc,start,end,score\ns/a.txt,0,4,1\n")
        self.assertIn("kind", str(caught.exception))
        # Extra required columns (as eval/reuters.py asks for).
        with self.assertRaises(SystemExit):
            self.read("doc,start,end,kind\n",
                      required=(*ec.SCAN_COLUMNS, "cluster"))


class JustextLines(unittest.TestCase):
    """justext_lines.py's pieces that need no jusText."""

    class Para:
        def __init__(self, n, text, class_type):
            self.xpath = f"/html[1]/body[1]/p[{n}]"
            self.text = text
            self.class_type = class_type

    def test_page_html(self):
        page = justext_lines.page_html("a <b> & c\n\n\"q\"")
        self.assertEqual(page, "<html><body>\n<p>a &lt;b&gt; &amp; c</p>\n"
                               "<p></p>\n<p>\"q\"</p>\n</body></html>\n")

    def test_line_flags(self):
        text = "Menu\nA long line of text.\n\n  Footer  x\n"
        paras = [self.Para(1, "Menu", "bad"),
                 self.Para(2, "A long line of text.", "good"),
                 self.Para(4, "Footer x", "short")]   # not "good": boilerplate
        flags, mismatched = justext_lines.line_flags(text, paras)
        self.assertEqual(flags, [True, False, False, True, False])
        self.assertEqual(mismatched, 0)
        self.assertEqual(ec.line_run_spans(text, flags), [(0, 5), (27, 39)])
        # A paragraph whose text differs, and a non-blank line without one.
        flags, mismatched = justext_lines.line_flags(
            text, [self.Para(1, "Menu!", "bad")])
        self.assertEqual(flags, [True, False, False, False, False])
        self.assertEqual(mismatched, 3)

    def test_paragraph_line(self):
        self.assertEqual(justext_lines.paragraph_line(self.Para(12, "", "")), 11)
        odd = self.Para(1, "", "")
        odd.xpath = "/html[1]/body[1]/div[1]"
        with self.assertRaises(ValueError):
            justext_lines.paragraph_line(odd)


class Venv(unittest.TestCase):
    def test_reuse_and_reinstall(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            req = tmp / "req.txt"
            req.write_text("somepkg==1.0\n")
            venv = tmp / "venv"
            (venv / "bin").mkdir(parents=True)
            calls = tmp / "calls.txt"
            python = venv / "bin" / "python"
            python.write_text(f"#!/bin/sh\necho \"$*\" >> '{calls}'\n")
            python.chmod(python.stat().st_mode | stat.S_IEXEC)
            stamp = venv / ec.VENV_STAMP
            stamp.write_text(hashlib.sha256(req.read_bytes()).hexdigest())
            logged = []
            # Stamp matches: reused, nothing run.
            self.assertEqual(ec.ensure_venv(venv, req, log=logged.append),
                             python)
            self.assertFalse(calls.exists())
            self.assertEqual(logged, [])
            # Requirements changed: pip install -r runs, stamp updated.
            req.write_text("somepkg==2.0\n")
            ec.ensure_venv(venv, req, log=logged.append)
            self.assertEqual(calls.read_text(),
                             f"-m pip install -q -r {req}\n")
            self.assertEqual(stamp.read_text(),
                             hashlib.sha256(req.read_bytes()).hexdigest())
            self.assertEqual(len(logged), 1)
            # And reused again afterwards.
            ec.ensure_venv(venv, req, log=logged.append)
            self.assertEqual(len(calls.read_text().splitlines()), 1)


class Holdout(unittest.TestCase):
    SITES = ["bbc-2005", "cnn-2005", "cnn-2009", "cnn-2013", "cnn-2017",
             "cnnx", "nypost-2005", "nypost-2009", "nypost-2013",
             "nypost-2017", "tv.msnbc.com_news", "yahoo-2017"]

    def test_default_set(self):
        held = expand_sites(DEFAULT_HOLDOUT.split(","), self.SITES)
        self.assertEqual(held, ["cnn-2005", "cnn-2009", "cnn-2013", "cnn-2017",
                                "nypost-2005", "nypost-2009", "nypost-2013",
                                "nypost-2017", "tv.msnbc.com_news"])

    def test_unknown(self):
        self.assertEqual(expand_sites([], self.SITES), [])
        with self.assertRaises(SystemExit):
            expand_sites(["bbc-2005", "cbs-*"], self.SITES)


class Boilerplate(unittest.TestCase):
    def setup_data(self, tmp: Path) -> Path:
        """Data and fake dedup of test_scores; returns the fake binary."""
        data = tmp / "data"
        data.mkdir()
        # a1: "Menu\n" [0,5) gold, "Hello world\n" [5,17) content,
        #     "Footer\n" [17,24) gold. Non-ws bytes 4 / 10 / 6.
        # a2: whole-document duplicate -> excluded.
        # b1: no gold at all.
        pages = [
            {"id": "a1", "site": "siteA", "text": "Menu\nHello world\nFooter\n",
             "boilerplate_spans": [[0, 5], [17, 24]]},
            {"id": "a2", "site": "siteA", "text": "Menu\nCafé ü\n",
             "boilerplate_spans": [[0, 5]]},
            {"id": "b1", "site": "siteB", "text": "x y\n",
             "boilerplate_spans": []},
        ]
        with open(data / "docs.jsonl", "w", encoding="utf-8") as f:
            for page in pages:
                f.write(json.dumps(page) + "\n")
        report = report_csv([
            # a1: Menu -> tp 4; "Hello " -> fp 5; "ter\n" -> tp 3.
            {"doc": "siteA/a1.txt", "start": 0, "end": 5, "kind": "boilerplate",
             "preview": 'with "quotes", commas\nand a newline'},
            {"doc": "siteA/a1.txt", "start": 5, "end": 11,
             "kind": "repeated_paragraph"},
            {"doc": "siteA/a1.txt", "start": 20, "end": 24, "kind": "boilerplate"},
            {"doc": "siteA/a2.txt", "start": 0, "end": 13, "kind": "near_duplicate",
             "keep_doc": "siteA/a1.txt", "similarity": "0.9", "cluster": 1},
            # b1: x, y -> fp 2 (boilerplate).
            {"doc": "siteB/b1.txt", "start": 0, "end": 4, "kind": "boilerplate"},
        ])
        return fake_binary(tmp, report)

    def test_scores(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            binary = self.setup_data(tmp)
            out = run_script([str(EVAL / "boilerplate_sites.py"),
                              "--data", str(tmp / "data"),
                              "--work", str(tmp / "work"),
                              "--holdout", "siteB", "--no-baseline"], binary)
            lines = {line.split()[0]: line.split() for line in out.splitlines()
                     if line.split()}
            # Files written with the exact text.
            self.assertEqual((tmp / "work/sites/siteA/a2.txt").read_bytes(),
                             "Menu\nCafé ü\n".encode())
            self.assertFalse((tmp / "work/venv-eval").exists())
        # siteA: a1 only. all: tp7 fp5 fn3 -> P .583 R .700 F1 .636;
        #        boilerplate only: tp7 fp0 fn3 -> 1.000 .700 .824.
        a = lines["siteA"]
        self.assertEqual(a[1:3], ["2", "1"])                       # pages, dup
        self.assertEqual(a[5:], ["|", "0.583", "0.700", "0.636",
                                 "|", "1.000", "0.700", "0.824"])
        # ALL: tp7 fp7 fn3 -> .500 .700 .583; bp: tp7 fp2 fn3 -> .778 .700 .737
        self.assertEqual(lines["ALL"][5:], ["|", "0.500", "0.700", "0.583",
                                            "|", "0.778", "0.700", "0.737"])
        # FIT = siteA; HELD-OUT = siteB: tp0 fp2 fn0 -> P 0, R undefined, F1 0.
        self.assertEqual(lines["FIT"][1:], a[1:])
        self.assertEqual(lines["HELD-OUT"][1:],
                         ["1", "0", "0.0%", "100.0%", "|", "0.000", "-",
                          "0.000", "|", "0.000", "-", "0.000"])
        self.assertIn("HELD-OUT = 1 site(s), 1 pages: siteB", out)
        self.assertIn("1 page(s) got a near_duplicate/exact_duplicate row", out)
        self.assertNotIn("jusText", out)

    def test_baseline_and_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            binary = self.setup_data(tmp)
            venv = fake_venv(tmp)
            out = run_script([str(EVAL / "boilerplate_sites.py"),
                              "--data", str(tmp / "data"),
                              "--work", str(tmp / "work"), "--venv", str(venv),
                              "--holdout", "site?", "--json",
                              str(tmp / "summary.json"), "--", "--x", "1"],
                             binary)
            summary = json.loads((tmp / "summary.json").read_text())
        # Stub jusText keeps lines of >= 10 characters: "Hello world" only.
        # a1: Menu + Footer removed = gold -> tp 10. a2 (scored by jusText
        # although dedup excluded it): all removed, gold Menu -> tp 4, fp 7
        # (Café 5 + ü 2). siteA: tp14 fp7 fn0 -> P .667 R 1 F1 .800.
        # b1: fp 2. ALL: tp14 fp9 fn0 -> .609 1.000 .757.
        block = out[out.index("=== jusText baseline ==="):]
        self.assertIn("stoplist English (2 words)", block)
        rows = {line.split()[0]: line.split()[1:] for line in block.splitlines()
                if line.split()}
        # siteA non-ws bytes: a1 20 + a2 11 = 31; gold 14 (45.2%), removed 21.
        self.assertEqual(rows["siteA"], ["2", "45.2%", "67.7%", "|",
                                         "0.667", "1.000", "0.800"])
        self.assertEqual(rows["ALL"][-3:], ["0.609", "1.000", "0.757"])
        # --holdout site? holds out both sites: FIT is empty.
        self.assertEqual(rows["FIT"], ["0", "-", "-", "|", "-", "-", "-"])
        self.assertEqual(rows["HELD-OUT"], rows["ALL"])
        self.assertIn("including the 1 that dedup's scores exclude", block)
        # JSON: the same figures, for both tools.
        self.assertEqual(summary["held_out_sites"], ["siteA", "siteB"])
        self.assertEqual(summary["dedup"]["scan_args"], ["--x", "1"])
        dedup_all = summary["dedup"]["removed"]["ALL"]
        self.assertEqual((dedup_all["tp"], dedup_all["fp"], dedup_all["fn"],
                          dedup_all["pages"], dedup_all["dup"]),
                         (7, 7, 3, 3, 1))
        self.assertAlmostEqual(dedup_all["f1"], 14 / 24)
        self.assertEqual(summary["dedup"]["boilerplate"]["ALL"]["fp"], 2)
        jt = summary["justext"]["removed"]
        self.assertEqual((jt["ALL"]["tp"], jt["ALL"]["fp"], jt["ALL"]["fn"]),
                         (14, 9, 0))
        self.assertAlmostEqual(jt["ALL"]["p"], 14 / 23)
        self.assertEqual(jt["FIT"]["pages"], 0)
        self.assertIsNone(jt["FIT"]["f1"])


class Reuters(unittest.TestCase):
    PAIRS = ("id_a\tid_b\tjaccard\tcontainment\n"
             "r1\tr2\t1.0000\t1.0000\n"
             "r3\tr4\t0.8600\t0.9000\n"
             "r5\tr6\t0.8200\t0.9000\n"
             "r7\tr8\t0.5000\t0.6000\n")
    ROWS = [
        {"doc": "r2.txt", "kind": "exact_duplicate", "keep_doc": "r1.txt",
         "cluster": 1, "similarity": "1.0"},
        {"doc": "r4.txt", "kind": "near_duplicate", "keep_doc": "r3.txt",
         "cluster": 2, "similarity": "0.9"},
        {"doc": "r6.txt", "kind": "near_duplicate", "keep_doc": "r3.txt",
         "cluster": 2, "similarity": "0.8"},     # r3-r6 not listed: < 0.3
        {"doc": "r8.txt", "kind": "near_duplicate", "keep_doc": "r7.txt",
         "cluster": 3, "similarity": "0.7"},     # gold 0.5
        {"doc": "r9.txt", "kind": "near_duplicate", "keep_doc": "r10.txt",
         "cluster": 4, "similarity": "0.75"},    # not listed
        {"doc": "r1.txt", "start": 0, "end": 6, "kind": "boilerplate"},
    ]

    def run_eval(self, tmp: Path, with_docs: bool) -> str:
        (tmp / "pairs.tsv").write_text(self.PAIRS)
        (tmp / "report.csv").write_text(report_csv(self.ROWS))
        if with_docs:
            # r9 / r10: identical short stories (< 10 shingles: skipped by the
            # gold pairing) -> exact J recomputed = 1.0 -> counted correct.
            short = "TITLE\none two three four five six seven\n"
            with gzip.open(tmp / "docs.jsonl.gz", "wt", encoding="utf-8") as f:
                for i in range(1, 11):
                    text = short if i in (9, 10) else f"T\n{'w%d ' % i * 3}"
                    f.write(json.dumps({"id": f"r{i}", "text": text}) + "\n")
        result = subprocess.run(
            [sys.executable, str(EVAL / "reuters.py"),
             "--report", str(tmp / "report.csv"), "--pairs", str(tmp / "pairs.tsv")],
            text=True, capture_output=True, check=True)
        return squash(result.stdout)

    def test_without_docs(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = self.run_eval(Path(tmp), with_docs=False)
        # Recall: >=0.8: r1r2, r3r4 found; r5r6 missed -> 2/3.
        self.assertIn(">= 0.8 3 2 66.7%", out)
        self.assertIn(">= 0.85 2 2 100.0%", out)
        self.assertIn(">= 0.9 1 1 100.0%", out)
        # Precision: 5 rows, correct r2-r1 and r4-r3.
        self.assertIn("all whole-doc 5 2 40.0% 2 40.0%", out)
        self.assertIn("near_duplicate 4 1 25.0% 1 25.0%", out)
        self.assertIn("exact_duplicate 1 1 100.0% 1 100.0%", out)
        self.assertIn("boilerplate 1", out)
        self.assertIn("clusters 4", out)
        self.assertIn("r9 r10 near_duplicate 0.750 <0.3", out)
        self.assertIn("r8 r7 near_duplicate 0.700 0.500", out)
        self.assertIn("Missed pairs (gold J >= 0.85, not in one cluster): 0", out)

    def test_with_docs(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = self.run_eval(Path(tmp), with_docs=True)
        # r9-r10 now judged J = 1.0 -> 3 of 5 correct.
        self.assertIn("all whole-doc 5 3 60.0% 3 60.0%", out)
        self.assertIn("note: 1 row(s) involve stories with < 10 shingles", out)


class French(unittest.TestCase):
    def run_fr(self, baseline: bool) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            data = tmp / "data"
            data.mkdir()
            # Lines: 0 "Partager" [0,8)  1 "Le texte de l'article." [9,31)
            #        2 "Publicité" [32,42) (é = 2 bytes)  3 "" [43,43)
            text = "Partager\nLe texte de l'article.\nPublicité\n"
            snippet = {"id": "p1", "text": text,
                       "with_lines": [[1, 1], None],
                       "without_lines": [[0, 0], [2, 2], None]}
            labelled = {"id": "l1", "text": text,
                        "boilerplate_spans": [[0, 9], [32, 43]]}
            (data / "snippets.jsonl").write_text(json.dumps(snippet) + "\n")
            (data / "labelled.jsonl").write_text(json.dumps(labelled) + "\n")
            # The same fake report serves both scans (doc p1 and l1):
            # "Partager\n" removed whole; "Publicité" only half removed.
            rows = []
            for doc in ("p1.txt", "l1.txt"):
                rows += [{"doc": doc, "start": 0, "end": 9, "kind": "boilerplate"},
                         {"doc": doc, "start": 32, "end": 37,
                          "kind": "repeated_paragraph"}]
            binary = fake_binary(tmp, report_csv(rows))
            extra = (["--venv", str(fake_venv(tmp))] if baseline
                     else ["--no-baseline"])
            out = squash(run_script([str(EVAL / "fr_pages.py"),
                                     "--data", str(data),
                                     "--work", str(tmp / "work"), *extra],
                                    binary))
            self.assertEqual((tmp / "work/venv-eval").exists(), False)
        # Snippets, boilerplate + repeated: with line 1 untouched -> 1/1 kept;
        # without: line 0 fully removed, line 2 not -> 1/2.
        # Boilerplate only: line 2 untouched -> still 1/2.
        self.assertIn("kept-rate 100.0% (1/1), removed-rate 50.0% (1/2)", out)
        self.assertIn("p1 1/1 1/2 | 1/1 1/2", out)
        # Labelled: gold non-ws bytes = "Partager" 8 + "Publicité" 10 = 18;
        # removed = 8 + "Publi" 5 -> tp 13, fp 0, fn 5 -> P 1, R .722, F1 .839;
        # boilerplate only: tp 8, fn 10 -> R .444, F1 .615.
        self.assertIn("l1 1 0", out)
        self.assertIn("| 1.000 0.722 0.839 | 1.000 0.444 0.615", out)
        return out

    def test_snippets_and_labelled(self):
        out = self.run_fr(baseline=False)
        self.assertNotIn("jusText", out)

    def test_baseline(self):
        out = self.run_fr(baseline=True)
        # Stub jusText: "Partager" (8 chars) and "Publicité" (9) are not
        # "good", the 22-character line is -> exactly the gold lines.
        self.assertIn("stoplist French (2 words)", out)
        self.assertIn("p1 1/1 1/2 | 1/1 1/2 | 1/1 2/2", out)
        self.assertIn("ALL, jusText: kept-rate 100.0% (1/1), "
                      "removed-rate 100.0% (2/2)", out)
        # Labelled: 37 non-ws bytes (8 + 19 + 10), 18 gold, all removed, no more.
        self.assertIn("l1 1 48.6% 48.6% | 1.000 1.000 1.000", out)


class ReutersConversion(unittest.TestCase):
    def test_exact_text(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            texts = {"r1": "TITLE\nbody ü\x7f\n Reuter\n", "r2": "no newline"}
            with gzip.open(tmp / "docs.jsonl.gz", "wt", encoding="utf-8") as f:
                for i, t in texts.items():
                    f.write(json.dumps({"id": i, "text": t}) + "\n")
            (tmp / "out").mkdir()
            (tmp / "out" / "stale.txt").write_text("old")
            subprocess.run([sys.executable, str(EVAL / "reuters_to_txt.py"),
                            "--data", str(tmp), "--out", str(tmp / "out")],
                           check=True, capture_output=True)
            for i, t in texts.items():
                self.assertEqual((tmp / "out" / f"{i}.txt").read_bytes(),
                                 t.encode("utf-8"))
            self.assertFalse((tmp / "out" / "stale.txt").exists())


def load_gen_corpus():
    """scripts/data/gen_corpus.py as a module (its file name has no .py)."""
    import importlib.machinery
    import importlib.util
    if "gen_corpus" in sys.modules:
        return sys.modules["gen_corpus"]
    loader = importlib.machinery.SourceFileLoader(
        "gen_corpus", str(SCRIPTS / "data" / "gen_corpus.py"))
    spec = importlib.util.spec_from_loader("gen_corpus", loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module
    loader.exec_module(module)
    return module


class GenCorpus(unittest.TestCase):
    """The generator's pieces that need no Debian package: tokens, shingles,
    Jaccard, and families whose truth rows must match their texts."""

    def test_tokens_shingles_jaccard(self):
        import textsim
        # NFKC folds the ligature and the full-width digit; '_' and
        # punctuation split words; case is folded.
        self.assertEqual(textsim.words("L\u2019\u00c9T\u00c9, ﬁn_de \uff11er!"),
                         ["l", "été", "fin", "de", "1er"])
        # As dedup (Rust) cuts words: combining marks that are alphabetic in
        # Unicode stay inside the word (Arabic harakat), 'İ' lowers inside
        # its word, and there is no final-sigma rule.
        self.assertEqual(len(textsim.words("\u0645\u064f\u062d\u064e\u0645\u0651"
                                           "\u064e\u062f \u0631\u0633\u0648\u0644")), 2)
        self.assertEqual(textsim.words("\u0130STANBUL"), ["i\u0307stanbul"])
        self.assertEqual(textsim.words("\u039f\u0394\u039f\u03a3"),
                         ["\u03bf\u03b4\u03bf\u03c3"])
        self.assertEqual(textsim.shingles("a b c d e f"),
                         {tuple("abcde"), tuple("bcdef")})
        # Fewer than 5 words: one shingle, the whole sequence.
        self.assertEqual(textsim.shingles("Hello, world!"), {("hello", "world")})
        self.assertEqual(textsim.jaccard("Hello world", "hello -- WORLD."), 1.0)
        self.assertEqual(textsim.jaccard("hello world", "hello world again"), 0.0)
        # No words: no shingle, never a duplicate (not even of itself).
        self.assertEqual(textsim.shingles(" -- ... "), set())
        self.assertEqual(textsim.jaccard("...", "..."), 0.0)
        # {abcde, bcdef} vs {abcde, bcdeg}: 1 shared of 3.
        self.assertAlmostEqual(textsim.jaccard("a b c d e f", "a b c d e g"),
                               1 / 3)
        # 10 distinct words (6 shingles); drop the last 2 -> 4 of 6 shared.
        ten = " ".join(f"w{i}" for i in range(10))
        self.assertAlmostEqual(
            textsim.jaccard(ten, " ".join(f"w{i}" for i in range(8))), 4 / 6)

    def test_variant_pieces_by_hand(self):
        g = load_gen_corpus()
        import textsim
        text = " ".join(f"w{i}" for i in range(20)) + "\n"   # 16 shingles
        # Tail truncation of 25% = 5 words: 11 of 16 shingles left.
        cut = g.truncate(text, 0.25, head=False)
        self.assertEqual(cut, " ".join(f"w{i}" for i in range(15)) + "\n")
        self.assertAlmostEqual(textsim.jaccard(text, cut), 11 / 16)
        head = g.truncate(text, 0.25, head=True)
        self.assertTrue(head.startswith("w5 w6"))
        # A 3-word footer line adds the 3 windows that end on its words
        # ("w16 w17 w18 w19 x1" .. "w18 w19 x1 x2 x3"): 16 / 19.
        self.assertAlmostEqual(textsim.jaccard(text, text + "x1 x2 x3\n"),
                               16 / 19)
        # Reformatting keeps the words: J = 1.
        paras = ["Alpha, beta; gamma! delta epsilon zeta?", "eta theta iota"]
        self.assertEqual(textsim.jaccard(g.join_paras(paras),
                                         g.reformat(paras, g.random.Random(3))),
                         1.0)
        # Edits: substitutions/insertions/deletions at distinct places.
        plan = g.EditPlan(text, g.random.Random(5))
        self.assertEqual(plan.apply(0), text)
        self.assertNotEqual(plan.apply(3), text)

    def test_families_match_truth(self):
        import re
        import unicodedata
        g = load_gen_corpus()

        def shingles(text):      # the definition, written out again
            ws = re.findall(r"[^\W_]+",
                            unicodedata.normalize("NFKC", text).lower())
            if len(ws) < 5:
                return {tuple(ws)} if ws else set()
            return {tuple(ws[i:i + 5]) for i in range(len(ws) - 4)}

        vocab = ("the of and to in is that for it as with was on be by this "
                 "le la les des une est pour dans qui sur avec pas plus "
                 "kernel paquet driver fichier module système image calque "
                 "network réseau memory mémoire device option").split()
        rng = g.random.Random(11)
        base = []
        for d in range(4):
            paras = [" ".join(rng.choice(vocab) for _ in range(rng.randint(25, 60)))
                     + "." for _ in range(10)]
            base.append((f"hand/{'fr' if d % 2 else 'en'}", paras))
        asm = g.assemble(base, seed=7, target=12_000, log=lambda m: None,
                         original_share=1.0)
        self.assertTrue(asm.families)
        texts = {name: doc.data.decode("utf-8")
                 for name, doc in zip(asm.names, asm.docs)}
        self.assertEqual(len(set(asm.names)), len(asm.docs))
        expected_rows = sum(len(f) * (len(f) - 1) // 2 for f in asm.families)
        self.assertEqual(len(asm.truth_rows), expected_rows)
        self.assertEqual(asm.truth_rows, sorted(asm.truth_rows))
        for a, b, j, kind in asm.truth_rows:
            self.assertLess(a, b)
            sa, sb = shingles(texts[a]), shingles(texts[b])
            exact = len(sa & sb) / len(sa | sb)
            self.assertEqual(j, f"{exact:.6f}", (a, b, kind))
        # Each variant's kind names only known transformations.
        known = {"edit", "move", "trunc_head", "trunc_tail", "header",
                 "footer", "reformat"}
        for _a, _b, _j, kind in asm.truth_rows:
            parts = kind.removeprefix("sibling:").replace("|", "+").split("+")
            self.assertTrue(set(parts) <= known, kind)


class StressInputs(unittest.TestCase):
    """scripts/bench/stress.py builds its inputs from a corpus: checked on a tiny one."""

    def test_inputs_from_a_tiny_corpus(self):
        import importlib.machinery
        import importlib.util
        loader = importlib.machinery.SourceFileLoader(
            "bench_stress", str(SCRIPTS / "bench" / "stress.py"))
        spec = importlib.util.spec_from_loader("bench_stress", loader)
        bs = importlib.util.module_from_spec(spec)
        loader.exec_module(bs)
        bs.ROWS, bs.ONE_LINE_BYTES = 10, 30
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            texts = [f"Document {i}.\nIts second line, é.\n" for i in range(4)]
            for i, t in enumerate(texts):
                (corpus / f"d{i}.txt").write_text(t, encoding="utf-8")
            inputs = bs.build_inputs(corpus, Path(tmp) / "stress")
            # Half the files stay (6,000 would be more than all of them): d2, d3 concatenated.
            one = (inputs["one-doc"] / "one-doc.txt").read_text(encoding="utf-8")
            self.assertEqual(one, texts[2] + texts[3])
            mixed = sorted(p.name for p in inputs["corpus+doc"].iterdir())
            self.assertEqual(mixed, ["d0.txt", "d1-one-doc.txt", "d1.txt"])
            rows = (inputs["rows-2m"] / "rows.txt").read_text(encoding="utf-8")
            self.assertEqual(len(rows.splitlines()), 10)
            self.assertTrue(set(rows.splitlines()) <= set(bs.FURNITURE))
            line = (inputs["one-line"] / "one-line.txt").read_text(encoding="utf-8")
            self.assertNotIn("\n", line)
            self.assertTrue(line.startswith("Document 0. Its second line"))
            shard = (inputs["one-shard"] / "corpus.jsonl").read_text(encoding="utf-8")
            records = [json.loads(x) for x in shard.splitlines()]
            self.assertEqual([r["text"] for r in records], texts)
            # Built once: a second call keeps what is there.
            again = bs.build_inputs(corpus, Path(tmp) / "stress")
            self.assertEqual(again, inputs)


if __name__ == "__main__":
    unittest.main()
