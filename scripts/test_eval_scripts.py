#!/usr/bin/env python3
"""Self-tests for the evaluation scripts; no dedup binary or real data needed.

    python3 scripts/test_eval_scripts.py -v

Each test builds a tiny hand-made data set and a hand-made report CSV in a
temporary folder, points DEDUP_BIN at a stand-in "binary" that just prints
that CSV, runs the script, and checks the printed numbers against values
worked out by hand in the comments.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))

import evalcommon as ec  # noqa: E402
from eval_fr import line_byte_ranges  # noqa: E402

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


class Boilerplate(unittest.TestCase):
    def test_scores(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
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
            binary = fake_binary(tmp, report)
            out = run_script([str(SCRIPTS / "eval_boilerplate.py"),
                              "--data", str(data), "--work", str(tmp / "work"),
                              "--holdout", "siteB"], binary)
            lines = {line.split()[0]: line.split() for line in out.splitlines()
                     if line.split()}
            # Files written with the exact text.
            self.assertEqual((tmp / "work/sites/siteA/a2.txt").read_bytes(),
                             "Menu\nCafé ü\n".encode())
            # siteA: a1 only. all: tp7 fp5 fn3 -> P .583 R .700 F1 .636;
            #        boilerplate only: tp7 fp0 fn3 -> 1.000 .700 .824.
            a = lines["siteA"]
            self.assertEqual(a[1:3], ["2", "1"])                       # pages, dup
            self.assertEqual(a[5:], ["|", "0.583", "0.700", "0.636",
                                     "|", "1.000", "0.700", "0.824"])
            # ALL: tp7 fp7 fn3 -> .500 .700 .583; bp: tp7 fp2 fn3 -> .778 .700 .737
            self.assertEqual(lines["ALL"][5:], ["|", "0.500", "0.700", "0.583",
                                                "|", "0.778", "0.700", "0.737"])
            # holdout siteB: tp0 fp2 fn0 -> P 0, R undefined, F1 0.
            holdout = [l for l in out.splitlines() if l.startswith("holdout")]
            self.assertEqual(squash(holdout[0]).split()[-7:],
                             ["0.000", "-", "0.000", "|", "0.000", "-", "0.000"])
            self.assertIn("1 page(s) got a near_duplicate/exact_duplicate row", out)


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
            [sys.executable, str(SCRIPTS / "eval_reuters.py"),
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
    def test_snippets_and_labelled(self):
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
            out = squash(run_script([str(SCRIPTS / "eval_fr.py"),
                                     "--data", str(data),
                                     "--work", str(tmp / "work")], binary))
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
            subprocess.run([sys.executable, str(SCRIPTS / "reuters_to_txt.py"),
                            "--data", str(tmp), "--out", str(tmp / "out")],
                           check=True, capture_output=True)
            for i, t in texts.items():
                self.assertEqual((tmp / "out" / f"{i}.txt").read_bytes(),
                                 t.encode("utf-8"))
            self.assertFalse((tmp / "out" / "stale.txt").exists())


def load_gen_corpus():
    """scripts/gen-corpus as a module (its file name has no .py)."""
    import importlib.machinery
    import importlib.util
    if "gen_corpus" in sys.modules:
        return sys.modules["gen_corpus"]
    loader = importlib.machinery.SourceFileLoader(
        "gen_corpus", str(SCRIPTS / "gen-corpus"))
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


if __name__ == "__main__":
    unittest.main()
