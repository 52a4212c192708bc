#!/usr/bin/env python3
"""Languages written without spaces: near copies, repeated paragraphs and the furniture share on
real Japanese, Chinese (simplified and traditional), Korean and Thai text, in one table.

    python3 scripts/eval/languages.py [--work DIR] [--only ja,zh-hans,...] [--copies N]
        [--repeats N] [--seed S] [--compare BIN] [--tokens]

The text (read in place or extracted under WORK, never copied into the repository):
  ja       debian-handbook (ja-JP), installation-guide-amd64 (ja), linux-doc-6.1 (ja_JP),
           gnome-user-docs (ja)
  zh-hans  debian-handbook (zh-CN), installation-guide-amd64 (zh_CN), linux-doc-6.1 (zh_CN),
           gnome-user-docs (zh_CN), manpages-zh (zh_CN)
  zh-hant  debian-handbook (zh-TW), linux-doc-6.1 (zh_TW), manpages-zh (zh_TW)
  ko       debian-handbook (ko-KR), installation-guide-amd64 (ko), linux-doc-6.1 (ko_KR),
           gnome-user-docs (ko)
  th       the Thai translations of LibreOffice, Firefox ESR and Thunderbird
           (libreoffice-l10n-th, firefox-esr-l10n-th, thunderbird-l10n-th: their
           messages of 20 Thai letters or more; Debian ships no Thai documentation)
Installed packages are read where they are; the others are fetched with `apt-get download`
and unpacked under WORK. A page is one document (a long one is cut at paragraph ends into
documents of at most 12,000 characters); a document needs 200 letters of its language's
script, and half of its letters and digits in that script (untranslated pages are left out).

Three measures per language, with default options:
  near copies  COPIES documents copied with character edits (substitutions, insertions and
               deletions at a random rate of 0.2-4% of the characters, one line dropped in
               half of them), scanned with every document of the language. Gold: the exact
               Jaccard of the character 5-gram sets of the texts' letters and digits after
               NFKC and lower case (whitespace and punctuation left out). Recall: planted pairs with gold J >= 0.8 that end up in one
               cluster. Below 0.7: reported pairs (--pairs) whose gold J is below 0.7
               (target 0); below 0.8 likewise.
  repeats      REPEATS documents each get a copy of one of their paragraphs a few paragraphs
               later: exact in half of them, with one letter edited in the other half (a near
               copy: gold J >= 0.8 with the first). Cut: copies that `repeated_paragraph` rows
               remove (90% of their non-whitespace bytes); first cut: first copies touched by
               any removal (target 0).
  furniture    the share of non-whitespace bytes of the documents that the default scan cuts
               and `--no-furniture` does not; and the share cut in all.
--compare BIN runs the same corpora through another dedup binary (an older build) and
prints its lines under the current one's. --tokens also prints how tokenizations compare
(letters of unspaced scripts as words at several shingle lengths, runs between punctuation,
UAX #29 words, jieba for Chinese): near-copy recall at 0.8 by the scheme's own exact
Jaccard, and the share of a document's shingles found in other documents; it runs in a
virtualenv with `regex` and `jieba` (scripts/eval/requirements-languages.txt).
"""

from __future__ import annotations

import argparse
import collections
import gettext
import io
import os
import random
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from evalcommon import (NonWhitespaceBytes, dedup_binary, describe_binary,  # noqa: E402
                        ensure_venv, intersect_spans, merge_spans, read_report,
                        spans_by_doc, write_corpus)
from gen_corpus import html_paragraphs, read_source_file  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = Path("/tmp/dedup-eval/languages")
HANDBOOK = "/usr/share/doc/debian-handbook/html"
GUIDE = "/usr/share/doc/installation-guide-amd64"
KERNEL = "/usr/share/doc/linux-doc-6.1/Documentation/translations"
GNOME = "/usr/share/help"
LO_TH = "/usr/lib/libreoffice/program/resource/th/LC_MESSAGES"

# language -> [(package, folder, format)]
SOURCES = {
    "ja": [("debian-handbook", f"{HANDBOOK}/ja-JP", "html"),
           ("installation-guide-amd64", f"{GUIDE}/ja", "html"),
           ("linux-doc-6.1", f"{KERNEL}/ja_JP", "text"),
           ("gnome-user-docs", f"{GNOME}/ja/gnome-help", "mallard")],
    "zh-hans": [("debian-handbook", f"{HANDBOOK}/zh-CN", "html"),
                ("installation-guide-amd64", f"{GUIDE}/zh_CN", "html"),
                ("linux-doc-6.1", f"{KERNEL}/zh_CN", "text"),
                ("gnome-user-docs", f"{GNOME}/zh_CN/gnome-help", "mallard"),
                ("manpages-zh", "/usr/share/man/zh_CN", "man")],
    "zh-hant": [("debian-handbook", f"{HANDBOOK}/zh-TW", "html"),
                ("linux-doc-6.1", f"{KERNEL}/zh_TW", "text"),
                ("manpages-zh", "/usr/share/man/zh_TW", "man")],
    "ko": [("debian-handbook", f"{HANDBOOK}/ko-KR", "html"),
           ("installation-guide-amd64", f"{GUIDE}/ko", "html"),
           ("linux-doc-6.1", f"{KERNEL}/ko_KR", "text"),
           ("gnome-user-docs", f"{GNOME}/ko/gnome-help", "mallard")],
    "th": [("libreoffice-l10n-th", LO_TH, "mo"),
           ("firefox-esr-l10n-th", "/usr/lib/firefox-esr/browser/extensions", "xpi"),
           ("thunderbird-l10n-th", "/usr/lib/thunderbird/extensions", "xpi")],
}
TITLES = {"ja": "Japanese", "zh-hans": "Chinese, simplified", "zh-hant": "Chinese, traditional",
          "ko": "Korean", "th": "Thai"}
# The letters a document of the language must hold (Unicode name prefixes).
SCRIPT = {"ja": ("CJK UNIFIED", "HIRAGANA", "KATAKANA"), "zh-hans": ("CJK UNIFIED",),
          "zh-hant": ("CJK UNIFIED",), "ko": ("HANGUL",), "th": ("THAI",)}
MIN_LETTERS = 200
MAX_CHARS = 12_000
MIN_MESSAGE_LETTERS = 20


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# The text
# --------------------------------------------------------------------------------------------

def package_root(package: str) -> Path:
    """/ when the package is installed, else the package unpacked under WORK/debs."""
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                            capture_output=True, text=True)
    if status.returncode == 0 and "installed" in status.stdout.split():
        return Path("/")
    root = WORK / "debs" / package
    if (root / ".done").exists():
        return root
    debs = WORK / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        got = subprocess.run(["apt-get", "download", package], cwd=debs,
                             capture_output=True, text=True)
        if got.returncode == 0:
            break
        if attempt == 1:
            log("$ apt-get update")
            subprocess.run(["apt-get", "update"], stdout=sys.stderr, stderr=sys.stderr)
    else:
        raise SystemExit(f"apt-get download {package} failed: {got.stderr.strip()}")
    deb = max(debs.glob(f"{package}_*.deb"), key=lambda p: p.stat().st_mtime)
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    (root / ".done").write_text("")
    return root


def script_letters(text: str, lang: str) -> int:
    return sum(is_script_letter(c, lang) for c in text if ord(c) >= 0xe00)


def in_language(text: str, lang: str) -> bool:
    """At least MIN_LETTERS letters of the language's script, and half of the letters and
    digits of the text (an untranslated page is left out)."""
    letters = script_letters(text, lang)
    return letters >= MIN_LETTERS and 2 * letters >= sum(c.isalnum() for c in text)


def mallard_paragraphs(text: str) -> list[str]:
    """A GNOME help page: its paragraphs, titles and table cells, without the <info> block."""
    text = re.sub(r"<info>.*?</info>", "", text, flags=re.S)
    text = re.sub(r"<(/?)(title|desc|item|td|tr|section|list|terms|note|steps)\b",
                  r"<\1p", text)
    return html_paragraphs(text)


def message_strings(data: bytes, kind: str) -> list[str]:
    """The translated messages of a gettext catalog (.mo) or of a Mozilla language pack's
    Fluent (.ftl), properties and DTD files."""
    if kind == "mo":
        catalog = gettext.GNUTranslations(io.BytesIO(data))._catalog  # noqa: SLF001
        return [v for k, v in sorted(catalog.items(), key=lambda kv: str(kv[0])) if k]
    text = data.decode("utf-8", errors="replace")
    if kind == "ftl":
        return [m.group(1) for m in re.finditer(r"^[\w-]+\s*=\s*(.+)$", text, re.M)]
    if kind == "properties":
        return [m.group(1) for m in re.finditer(r"^[\w.-]+\s*=\s*(.+)$", text, re.M)]
    return re.findall(r'<!ENTITY\s+\S+\s+"([^"]*)"', text)


def message_docs(strings: list[str], lang: str, stem: str) -> dict[str, str]:
    """Messages of 20 letters or more, 25 to a document, each a paragraph."""
    keep = []
    for s in strings:
        s = re.sub(r"\s+", " ", re.sub(r"<[^>]+>|\{[^}]*\}|%\w|&\w+;", " ", s)).strip()
        if script_letters(s, lang) >= MIN_MESSAGE_LETTERS:
            keep.append(s)
    return {f"{stem}-{i // 25:03}.txt": "\n\n".join(keep[i:i + 25]) + "\n"
            for i in range(0, len(keep), 25) if len(keep[i:i + 25]) >= 5}


def cut(paras: list[str]) -> list[str]:
    """Paragraphs into documents of at most MAX_CHARS characters."""
    docs, cur, size = [], [], 0
    for p in paras:
        if cur and size + len(p) > MAX_CHARS:
            docs.append("\n\n".join(cur) + "\n")
            cur, size = [], 0
        cur.append(p)
        size += len(p) + 2
    if cur:
        docs.append("\n\n".join(cur) + "\n")
    return docs


def language_docs(lang: str) -> dict[str, str]:
    """The documents of a language: name -> text."""
    docs: dict[str, str] = {}
    for package, folder, fmt in SOURCES[lang]:
        base = package_root(package) / folder.lstrip("/")
        if not base.exists():
            log(f"  {package}: {base} missing, left out")
            continue
        files = sorted(p for p in base.rglob("*") if p.is_file())
        before = len(docs)
        for path in files:
            rel = f"{package}/{path.relative_to(base)}"
            if fmt in ("mo", "xpi"):
                if fmt == "mo" and path.suffix == ".mo":
                    docs.update(message_docs(message_strings(path.read_bytes(), "mo"), lang, rel))
                elif fmt == "xpi" and path.suffix == ".xpi" and "-th" in path.name:
                    with zipfile.ZipFile(path) as z:
                        strings = []
                        for name in sorted(z.namelist()):
                            kind = name.rsplit(".", 1)[-1]
                            if kind in ("ftl", "properties", "dtd"):
                                strings += message_strings(z.read(name), kind)
                    docs.update(message_docs(strings, lang, rel))
                continue
            if fmt == "html" and path.suffix != ".html" or fmt == "man" and ".so " in path.name:
                continue
            if fmt == "mallard":
                if path.suffix != ".page":
                    continue
                paras = mallard_paragraphs(path.read_text(errors="replace"))
            else:
                paras = read_source_file(str(path), fmt)
            for i, text in enumerate(cut(paras)):
                if in_language(text, lang):
                    docs[f"{rel}.{i}.txt"] = text
        log(f"  {package}: {len(docs) - before} documents")
    return docs


# --------------------------------------------------------------------------------------------
# Gold similarity, edits
# --------------------------------------------------------------------------------------------

def norm(text: str) -> str:
    """The letters and digits of the text after NFKC, lower-cased: what the gold compares."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())


def grams(text: str, n: int = 5) -> frozenset:
    s = norm(text)
    return frozenset(s[i:i + n] for i in range(max(1, len(s) - n + 1)))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def is_script_letter(c: str, lang: str) -> bool:
    """A letter (not a combining mark) of the language's script."""
    return c.isalpha() and ord(c) >= 0xe00 and unicodedata.name(c, "").startswith(SCRIPT[lang])


def edit(text: str, rate: float, rng: random.Random, drop_line: bool, lang: str) -> str:
    """`text` with about `rate` of its letters of the language's script substituted, inserted
    or deleted (letters drawn from the text itself), and one line dropped if asked."""
    chars = list(text)
    places = [i for i, c in enumerate(chars) if is_script_letter(c, lang)]
    letters = [chars[i] for i in places] or ["x"]
    k = max(1, round(rate * len(places)))
    for i in sorted(rng.sample(places, min(k, len(places))), reverse=True):
        op = rng.random()
        if op < 0.5:
            chars[i] = rng.choice(letters)
        elif op < 0.75:
            chars.insert(i, rng.choice(letters))
        else:
            del chars[i]
    out = "".join(chars)
    if drop_line:
        lines = out.split("\n")
        full = [i for i, line in enumerate(lines) if line.strip() and i > 0]
        if len(full) >= 3:
            del lines[rng.choice(full)]
        out = "\n".join(lines)
    return out


# --------------------------------------------------------------------------------------------
# Scans
# --------------------------------------------------------------------------------------------

def scan(binary: Path, folder: Path, out: Path, extra: list[str]) -> list[dict]:
    cmd = [str(binary), "scan", "-q", str(folder), "-o", str(out), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return read_report(out)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    import csv
    with open(path, newline="") as f:
        return [(r["doc_a"], r["doc_b"]) for r in csv.DictReader(f)]


class UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def plant_copies(docs: dict[str, str], n: int, rng: random.Random, lang: str):
    """{copy name: text} and [(base, copy, gold J)] for n sampled documents."""
    names = [d for d in sorted(docs) if 300 <= len(norm(docs[d])) <= 8000]
    copies, truth = {}, []
    for k, base in enumerate(sorted(rng.sample(names, min(n, len(names))))):
        text = edit(docs[base], rng.uniform(0.002, 0.04), rng, k % 2 == 1, lang)
        name = f"copies/{k:04}.txt"
        copies[name] = text
        truth.append((f"base/{base}", name, jaccard(grams(docs[base]), grams(text))))
    return copies, truth


def near_copies(binary: Path, lang: str, docs, copies, truth) -> dict:
    folder = WORK / "near" / lang
    if not folder.exists():
        write_corpus(folder, {**{f"base/{d}": t for d, t in docs.items()}, **copies})
    texts = {**{f"base/{d}": t for d, t in docs.items()}, **copies}
    pairs_file = WORK / f"near-{lang}-{binary_tag(binary)}.pairs.csv"
    scan(binary, folder, WORK / f"near-{lang}-{binary_tag(binary)}.csv",
         ["--pairs", str(pairs_file)])
    pairs = read_pairs(pairs_file)
    uf = UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    wanted = [(a, b) for a, b, j in truth if j >= 0.8]
    found = sum(uf.find(a) == uf.find(b) for a, b in wanted)
    cache: dict[str, frozenset] = {}

    def g(name):
        if name not in cache:
            cache[name] = grams(texts[name])
        return cache[name]

    golds = [jaccard(g(a), g(b)) for a, b in pairs]
    return {"planted": len(truth), "wanted": len(wanted), "found": found,
            "pairs": len(pairs), "below07": sum(j < 0.7 for j in golds),
            "below08": sum(j < 0.8 for j in golds),
            "lowest": min(golds, default=None)}


def plant_repeats(docs: dict[str, str], n: int, rng: random.Random, lang: str):
    """Documents with one paragraph repeated a few paragraphs later, exact in half of them and
    with one letter edited in the other half (kept only when the two paragraphs' gold J is still
    >= 0.8): {name: text}, {name: (first, copy)} as byte ranges. The paragraph is one line of at
    least 20 letters, found once in the corpus and like no other paragraph of its document
    (gold J < 0.8), so that only the planted copy repeats it."""
    counts = collections.Counter(norm(p) for t in docs.values() for p in t.split("\n\n"))
    out, where = {}, {}
    names = sorted(docs)
    rng.shuffle(names)
    for name in names:
        if len(out) >= n:
            break
        paras = docs[name].rstrip("\n").split("\n\n")
        if len(paras) < 4:
            continue
        whole = norm(docs[name])
        choices = [i for i, p in enumerate(paras[:-2])
                   if sum(c.isalnum() for c in p) >= 20 and counts[norm(p)] == 1
                   and whole.count(norm(p)) == 1 and "\n" not in p.strip()]
        if not choices:
            continue
        i = rng.choice(choices)
        first = grams(paras[i])
        if any(jaccard(first, grams(q)) >= 0.8 for k, q in enumerate(paras) if k != i):
            continue
        copy = paras[i]
        if len(out) % 2:
            copy = edit(copy, 0, rng, False, lang)
            if jaccard(first, grams(copy)) < 0.8:
                continue
        j = rng.randint(i + 2, len(paras))
        new = paras[:j] + [copy] + paras[j:]
        text = "\n\n".join(new) + "\n"
        offset = lambda k: len("\n\n".join(new[:k]).encode()) + (2 if k else 0)  # noqa: E731
        key = f"{len(out):04}.txt"
        out[key] = text
        where[key] = ((offset(i), offset(i) + len(paras[i].encode())),
                      (offset(j), offset(j) + len(copy.encode())))
    return out, where


def repeats(binary: Path, lang: str, planted, where) -> dict:
    folder = WORK / "repeats" / lang
    if not folder.exists():
        write_corpus(folder, planted)
    rows = scan(binary, folder, WORK / f"repeats-{lang}-{binary_tag(binary)}.csv", [])
    repeat = spans_by_doc(rows, ("repeated_paragraph",))
    removed = spans_by_doc(rows, ("repeated_paragraph", "boilerplate"))
    cut = first_cut = 0
    for name, (first, second) in where.items():
        c = NonWhitespaceBytes(planted[name])
        total = c.count(*second)
        hit = c.count_spans(intersect_spans([second], merge_spans(repeat.get(name, []))))
        cut += hit >= 0.9 * total
        first_cut += bool(intersect_spans([first], merge_spans(removed.get(name, []))))
    return {"planted": len(where), "cut": cut, "first_cut": first_cut}


def furniture(binary: Path, lang: str, docs: dict[str, str]) -> dict:
    folder = WORK / "prose" / lang
    if not folder.exists():
        write_corpus(folder, docs)
    tag = binary_tag(binary)
    default = spans_by_doc(scan(binary, folder, WORK / f"prose-{lang}-{tag}.csv", []),
                           ("boilerplate", "repeated_paragraph"))
    off = spans_by_doc(scan(binary, folder, WORK / f"prose-{lang}-{tag}-off.csv",
                            ["--no-furniture"]), ("boilerplate", "repeated_paragraph"))
    total = cut_all = furn = 0
    for name, text in docs.items():
        c = NonWhitespaceBytes(text)
        total += c.count(0, c.length)
        mine = merge_spans(default.get(name, []))
        theirs = merge_spans(off.get(name, []))
        cut_all += c.count_spans(mine)
        furn += c.count_spans(mine) - c.count_spans(intersect_spans(mine, theirs))
    return {"furniture": furn / total, "cut": cut_all / total}


def binary_tag(binary: Path) -> str:
    return "main" if binary == dedup_binary() else re.sub(r"\W", "_", str(binary))[-40:]


# --------------------------------------------------------------------------------------------
# Tokenization schemes (--tokens)
# --------------------------------------------------------------------------------------------

def tokens_table(langs, corpora, plants) -> None:
    """Near-copy recall at 0.8 and background overlap for each tokenization scheme."""
    if os.environ.get("DEDUP_LANG_IN_VENV") != "1":
        python = ensure_venv(WORK / "venv", HERE / "requirements-languages.txt")
        env = dict(os.environ, DEDUP_LANG_IN_VENV="1")
        args = [a for a in sys.argv[1:]]
        subprocess.run([str(python), __file__, "--tokens-only", *args], env=env, check=True)
        return
    import regex  # noqa: F401

    unspaced = regex.compile(
        r"[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Bopomofo}\p{sc=Hangul}\p{sc=Yi}"
        r"\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}ー々〆]")

    def throughout(text):
        """dedup's reading of a document mostly in unspaced scripts: every letter or digit a
        word, with the marks after it."""
        out = []
        for c in unicodedata.normalize("NFKC", text).lower():
            if unicodedata.category(c).startswith("M") and out:
                out[-1] += c
            elif c.isalnum():
                out.append(c)
        return out

    def letters(text):
        out, word, letter = [], "", False
        for c in unicodedata.normalize("NFKC", text).lower():
            mark = unicodedata.category(c).startswith("M")
            if mark and letter:
                word += c
            elif unspaced.match(c) and c.isalnum():
                if word:
                    out.append(word)
                word, letter = c, True
            elif c.isalnum() or (mark and word):
                if letter:
                    out.append(word)
                    word, letter = "", False
                word += c
            else:
                if word:
                    out.append(word)
                word, letter = "", False
        if word:
            out.append(word)
        return out

    def runs(text):
        return regex.findall(r"\w+", unicodedata.normalize("NFKC", text).lower().replace("_", " "))

    def uax29(text):
        words = regex.split(r"(?wV1)\b", unicodedata.normalize("NFKC", text).lower())
        return [w for w in words if any(c.isalnum() for c in w)]

    def jieba_words(text):
        import jieba
        jieba.setLogLevel(60)
        return [w for w in jieba.lcut(unicodedata.normalize("NFKC", text).lower())
                if any(c.isalnum() for c in w)]

    def shingles(tokens, n):
        if len(tokens) < n:
            return frozenset([tuple(tokens)])
        return frozenset(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))

    schemes = [("letters, 3", throughout, 3), ("letters, 4", throughout, 4),
               ("letters, 5 (dedup)", throughout, 5), ("letters, 6", throughout, 6),
               ("letters, 8", throughout, 8),
               ("unspaced letters, Latin words, 5", letters, 5),
               ("runs, 5 (dedup before)", runs, 5),
               ("UAX #29 words, 5", uax29, 5), ("jieba words, 5", jieba_words, 5)]
    print("\ntokenization schemes: near-copy recall at J >= 0.8 (the scheme's exact Jaccard, "
          "gold char 5-gram J >= 0.8), false matches (gold J < 0.7 but scheme J >= 0.8), and "
          "background (mean share of a document's shingles found in another document)")
    print(f"{'language':<22} {'scheme':<33} {'recall':>7} {'false':>6} {'backgr.':>8}")
    for lang in langs:
        docs = corpora[lang]
        copies, truth = plants[lang]
        texts = {**{f"base/{d}": t for d, t in docs.items()}, **copies}
        sample = sorted(docs)[:600]
        for label, tok, n in schemes:
            if tok is jieba_words and not lang.startswith("zh"):
                continue
            cache = {}

            def sh(name):
                if name not in cache:
                    cache[name] = shingles(tok(texts[name]), n)
                return cache[name]
            wanted = [(a, b) for a, b, j in truth if j >= 0.8]
            hit = sum(jaccard(sh(a), sh(b)) >= 0.8 for a, b in wanted)
            low = [(a, b) for a, b, j in truth if j < 0.7]
            false = sum(jaccard(sh(a), sh(b)) >= 0.8 for a, b in low)
            seen = collections.Counter(s for d in sample for s in sh(f"base/{d}"))
            back = sum(sum(seen[s] > 1 for s in sh(f"base/{d}")) / max(1, len(sh(f"base/{d}")))
                       for d in sample) / max(1, len(sample))
            print(f"{TITLES[lang]:<22} {label:<33} {hit / max(1, len(wanted)):>7.3f} "
                  f"{false:>6} {100 * back:>7.2f}%", flush=True)
    # The reference: English documentation read as words, in word 5-shingles.
    english = {}
    for path in sorted(Path(HANDBOOK, "en-US").glob("*.html")):
        for i, text in enumerate(cut(html_paragraphs(path.read_text(errors="replace")))):
            english[f"{path.name}.{i}"] = text
    sample = sorted(english)[:600]
    for label, tok, n in [("words, 5 (dedup)", runs, 5), ("letters, 5", throughout, 5)]:
        shs = {d: shingles(tok(english[d]), n) for d in sample}
        seen = collections.Counter(s for d in sample for s in shs[d])
        back = sum(sum(seen[s] > 1 for s in shs[d]) / max(1, len(shs[d])) for d in sample)
        print(f"{'English (reference)':<22} {label:<33} {'-':>7} {'-':>6} "
              f"{100 * back / max(1, len(sample)):>7.2f}%", flush=True)


# --------------------------------------------------------------------------------------------

def main() -> None:
    global WORK
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--only", help="comma-separated languages (default: all)")
    ap.add_argument("--copies", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--compare", type=Path, help="another dedup binary to run on the same corpora")
    ap.add_argument("--tokens", action="store_true", help="also compare tokenization schemes")
    ap.add_argument("--tokens-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    WORK = args.work
    WORK.mkdir(parents=True, exist_ok=True)
    langs = args.only.split(",") if args.only else list(SOURCES)
    corpora, plants, planted_repeats = {}, {}, {}
    for lang in langs:
        if not args.tokens_only:
            log(f"{lang}:")
        docs = language_docs(lang)
        corpora[lang] = docs
        rng = random.Random(f"{args.seed}-{lang}")
        plants[lang] = plant_copies(docs, args.copies, rng, lang)
        planted_repeats[lang] = plant_repeats(docs, args.repeats, rng, lang)
    if args.tokens_only:
        tokens_table(langs, corpora, plants)
        return
    binaries = [dedup_binary()] + ([args.compare] if args.compare else [])
    for b in binaries:
        log(describe_binary(b))
    print(f"{'language':<22} {'docs':>5} {'MB':>5} | {'near copies':>11} {'recall':>6} "
          f"{'<0.7':>5} {'<0.8':>5} | {'repeats':>7} {'cut':>6} {'first':>5} | "
          f"{'furnit.':>7} {'all cut':>7}  binary")
    for lang in langs:
        docs = corpora[lang]
        copies, truth = plants[lang]
        rep, where = planted_repeats[lang]
        size = sum(len(t.encode()) for t in docs.values()) / 1e6
        for b in binaries:
            n = near_copies(b, lang, docs, copies, truth)
            r = repeats(b, lang, rep, where)
            f = furniture(b, lang, docs)
            print(f"{TITLES[lang]:<22} {len(docs):>5} {size:>5.1f} | {n['wanted']:>11} "
                  f"{n['found'] / max(1, n['wanted']):>6.3f} {n['below07']:>5} {n['below08']:>5} | "
                  f"{r['planted']:>7} {r['cut'] / max(1, r['planted']):>6.3f} {r['first_cut']:>5} | "
                  f"{100 * f['furniture']:>6.2f}% {100 * f['cut']:>6.2f}%  "
                  f"{'current' if b == binaries[0] else b}", flush=True)
    print("near copies: planted pairs with gold char 5-gram J >= 0.8; recall: share of them in "
          "one cluster; <0.7, <0.8: reported pairs below that gold J. repeats: planted; cut: "
          "share of copies removed as repeated_paragraph; first: first copies cut (should be 0)")
    if args.tokens:
        tokens_table(langs, corpora, plants)


if __name__ == "__main__":
    main()
