#!/usr/bin/env python3
"""gen-corpus: a deterministic benchmark corpus with planted near-duplicates.

    scripts/data/gen_corpus.py --mb 100 --out /tmp/dedup-bench/corpus-100mb [--seed 1]

Standard library only (Python 3.11, plus apt-get/dpkg-query to install and
list the source packages). Writes, for `--out DIR`:

  DIR/d000000.txt ...     the documents, one UTF-8 `.txt` file each, about
                          N MB in total (MB = 10^6 bytes, approximate: the
                          last family may overshoot by a few tens of KB)
  DIR.truth.csv           the planted near-duplicate pairs (beside DIR, not
                          inside it, so a scan of DIR does not read it)
  DIR.repeats.csv         the planted repeated blocks inside documents
  DIR.manifest.txt        command, seed, source packages with versions
                          (dpkg-query), and the statistics printed at the end

Same --seed (default 1) and same installed package versions give a
byte-identical corpus, truth and repeats (checked across runs, with and
without the cache, and under different PYTHONHASHSEED values); the manifest
differs only in its `command:` line. 100 MB take about 105 s on 2 cores, of
which about 85 s read and filter the sources; that pool is cached in
OUT/../.gen-corpus-cache/pool-<key>.pickle (key: package versions, source
list and the code of this script and textsim.py; --no-cache skips it; a new
pool replaces the older ones there), so a
second corpus of any size from the same packages takes about 20 s per 100 MB.

Source text
-----------
Real human-written documentation from Debian packages, which the script
installs itself with `apt-get install -y --no-install-recommends` when one is
missing (it prints the command; when the files are present nothing is
installed; if apt fails it runs `apt-get update` and retries once, then goes
on with what is installed, and the manifest shows it). One format per
package, so no text is read twice; files are read in this order, then by
path (from `dpkg -L`), English folders first where a package has several
languages (so an untranslated paragraph counts as English):

  linux-doc-6.1         kernel Documentation/, reStructuredText and plain
                        text (.gz), English (plus Italian translations);
                        YAML device-tree schemas and the CJK translations
                        are left out
  debian-handbook       HTML, 22 languages (ja/zh left out: no spaces between
                        words, so word shingles mean little there)
  debian-reference-en, debian-reference-fr     HTML
  developers-reference, developers-reference-fr  HTML (chapters, not the
                        one-page version)
  maint-guide-fr        HTML
  installation-guide-amd64  HTML, 18 languages (ja/zh left out)
  harden-doc            HTML, several languages (ja/zh left out)
  apache2-doc           HTML manual, en/fr/de/es/da/pt-br/ru/tr
  perl-doc              POD sources
  python3.11-doc        reST sources (html/_sources)
  python-django-doc     HTML (no _modules/ source listings, no indexes)
  erlang-doc            HTML
  sqlite3-doc           HTML
  postfix-doc           HTML
  vim-doc               HTML of the vim help (one <pre> per page)
  git-doc               AsciiDoc sources (.txt)
  gimp-help-{en,fr,de,es,it,nl,pt-br,ru,sv}   HTML (installed together with
                        `lynx`, which satisfies their `www-browser`
                        dependency; otherwise apt pulls in XEmacs)
  manpages-{fr,de,es,it,pl,ru}   troff, turned into text by a small converter

With these packages (Debian 12, versions in the manifest) the pool of distinct
text is about 124 MB of documents: 63% English, the rest mostly French,
German, Russian, Spanish and Italian. postgresql-doc-15 is not used:
installing it upgrades the postgresql-15 server package on this image.
perl-doc and python3.11-doc pull in the newest point release of perl /
python3.11 from Debian (ordinary security updates).

HTML becomes text with html.parser: <script>, <style>, <head>, <nav> and
navigation/sidebar/footer blocks (by class name) are dropped, block elements
end a paragraph, <br> ends a line, <pre> keeps its lines, other whitespace is
collapsed. Plain-text sources keep their lines; `.gz` files are decompressed.

Keeping base documents distinct
-------------------------------
  * A source file whose normalised words (see below) equal an earlier file's
    is dropped (same text in another format or package).
  * Paragraphs (blank-line separated blocks; HTML block elements) without a
    word are dropped, and so is every paragraph whose normalised words occur
    earlier anywhere in the pool (untranslated paragraphs of a partial
    translation, navigation text, licence blocks, repeated examples).
  * A paragraph is also dropped when at least half of its word 5-shingles
    (sampled 1 in 4, at least 4 samples) were already seen in the pool:
    templated paragraphs that differ in a word or two.
Documents are then cut from the paragraphs of one package and language, in
file order, on paragraph boundaries, with a target size drawn log-uniformly
from 2-30 KB (a document starts on a new source file when the current one is
already 2 KB or more; paragraphs over 8 KB are split on lines). The base
documents are shuffled (seeded) and taken in that order until the size is
reached.

If the distinct text runs out (the pool is about 124 MB of documents, so
`--mb 1000` needs it), extra base documents are made by recombination: each
extra document is built from one package+language group (groups of at least
2,000 sentences, chosen in proportion to their size), as paragraphs of 2-6
sentences drawn at random (seeded, with replacement) from that group's
sentences; a piece over 400 bytes without sentence end (a table, a code
block) counts as its lines, so no large block is shared whole. Two such
documents share only the occasional sentence, so their Jaccard stays far
below 0.5 (checked on the 1 GB corpus: dedup and rensa link no pair that
is not in the truth file); the manifest says how many were made this way.
Sentences reused across documents can still make a few lines count as
boilerplate for a tool that counts lines across documents.

Planted near-duplicate families
-------------------------------
About 10% of the base documents become originals, each with 1-4 variants
(40/30/20/10%). Each variant is made from the original (not from another
variant) with one transformation or a combination:

  edit           sparse word edits: substitute, insert or delete single
                 words at random places (replacement words from the
                 document's own vocabulary)
  move           move 1-3 runs of 1-3 paragraphs elsewhere
  trunc_head     drop the head (cut at a word start)
  trunc_tail     drop the tail (cut after a word)
  header         prepend a fixed header of a few template lines
  footer         append a fixed footer of a few template lines
  reformat       same words, different punctuation and line wrapping
                 (an exact duplicate after normalisation, J = 1.0)

Half of the variants aim at a Jaccard in [0.80, 1.00], half at [0.50, 0.80):
the target is drawn uniformly in the band and the edit count or cut fraction
is found by bisection on the exact Jaccard; combinations whose fixed part
(move, header, footer) already leaves the band are retried with other
kinds. About 4% of variants are `reformat`. A variant is kept even when no
attempt hit its band (rare: very short documents); its exact value is in
the truth file anyway.

Repeated blocks: about 6% of the base documents (chosen before families, so
variants inherit them) carry a repeated block: either a run of 1-3 paragraphs
copied to a later place, or (documents under 15 KB) the whole body twice,
as a page that carries its text twice. DIR.repeats.csv lists them with
UTF-8 byte offsets: doc,start,end,keep_start,keep_end,kind.

Exact Jaccard (the same as dedup's; textsim.py)
-----------------------------------------------
text -> Unicode NFKC -> lower case -> words = maximal runs of alphanumeric
characters (`[^\\W_]+`, re.UNICODE); shingles = the set of windows of 5
consecutive words; fewer than 5 words give one shingle (the whole word
sequence); no words give no shingle (never a duplicate).
J = |A & B| / |A | B|. The truth values use textsim.words(), which also
follows dedup in three details that plain `[^\\W_]+` over lower() misses
(alphabetic combining marks such as Arabic harakat stay inside words; words
are cut before lower-casing; no final-sigma rule): they equal the exact
Jaccard that `dedup scan --pairs` prints on every pair both have. The
generator's own choices (paragraph filtering, aiming the variants) use the
plain version, textsim.simple_words().

Truth file
----------
`doc_a,doc_b,jaccard,kind`, one row per pair of documents of the same family
(all pairs, including variant-variant pairs), doc_a < doc_b, names relative
to DIR, jaccard the exact value with 6 decimals. kind is the variant's
transformation(s) joined by '+' for an (original, variant) pair, e.g.
`edit+footer`, and `sibling:K1|K2` for two variants of the same original.
Rows sorted by doc_a, doc_b. Truth positives for a threshold t are the rows
with jaccard >= t.

File names are d000000.txt ... in the order of a seeded shuffle of all
documents, so names reveal neither families nor which one is the original.
Stale `.txt` files in DIR from an earlier run are deleted.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import glob
import gzip
import hashlib
import math
import os
import pickle
import random
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import textsim  # noqa: E402
from textsim import WORD_RE, jaccard_sets, shingles  # noqa: E402
from textsim import simple_words  # noqa: E402

MB = 1_000_000
MIN_DOC = 2_000
MAX_DOC = 30_000
MAX_PARA = 8_000
ORIGINAL_SHARE = 0.10
VARIANT_COUNTS = (1, 2, 3, 4)
VARIANT_WEIGHTS = (40, 30, 20, 10)
REPEAT_SHARE = 0.06
REFORMAT_SHARE = 0.04
HIGH_BAND = (0.80, 1.00)
LOW_BAND = (0.50, 0.80)


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    package: str
    root: str            # folder (glob allowed) that the files live under
    include: str         # regex on the path relative to root
    fmt: str             # html | text | man
    lang: str            # language, or a regex with one group on the path
    exclude: str = ""    # regex on the relative path
    needs: tuple = ()    # extra packages to install alongside
    first: str = ""      # regex: these files are read before the others


GIMP_LANGS = ("en", "fr", "de", "es", "it", "nl", "pt-br", "ru", "sv")
MANPAGE_LANGS = ("fr", "de", "es", "it", "pl", "ru")

SOURCES = [
    Source("linux-doc-6.1", "/usr/share/doc/linux-doc-6.1/Documentation",
           r"(\.rst|\.txt|/[^./]+|^[^./]+)(\.gz)?$", "text",
           r"^translations/([a-z][a-z])_", exclude=r"^translations/(zh|ja|ko)_"),
    Source("debian-handbook", "/usr/share/doc/debian-handbook/html",
           r"^[a-z][a-z]-[A-Z][A-Z]/[^/]+\.html$", "html",
           r"^([a-z][a-z])-", exclude=r"^(ja-JP|zh-CN|zh-TW)/", first=r"^en-US/"),
    Source("debian-reference-en", "/usr/share/debian-reference",
           r"^[^/]+\.en\.html$", "html", "en"),
    Source("debian-reference-fr", "/usr/share/debian-reference",
           r"^[^/]+\.fr\.html$", "html", "fr"),
    Source("developers-reference", "/usr/share/developers-reference",
           r"^[^/]+\.html$", "html", "en",
           exclude=r"^(developers-reference|search|genindex)\.html$"),
    Source("developers-reference-fr", "/usr/share/developers-reference/fr",
           r"^[^/]+\.html$", "html", "fr",
           exclude=r"^(developers-reference|search|genindex)\.html$"),
    Source("maint-guide-fr", "/usr/share/doc/maint-guide-fr/html",
           r"^[^/]+\.html$", "html", "fr"),
    Source("installation-guide-amd64", "/usr/share/doc/installation-guide-amd64",
           r"^[a-z][a-z](_[A-Z][A-Z])?/.*\.html$", "html", r"^([a-z][a-z])",
           exclude=r"^(ja|zh_CN|zh_TW)/", first=r"^en/"),
    Source("harden-doc", "/usr/share/doc/harden-doc/html",
           r"^[a-z][a-z]-[A-Z][A-Z]/.*\.html$", "html", r"^([a-z][a-z])-",
           exclude=r"^(ja-JP|zh-CN|zh-TW)/", first=r"^en-US/"),
    Source("apache2-doc", "/usr/share/doc/apache2-doc/manual",
           r"^[a-z][a-z](-[a-z][a-z])?/.*\.html$", "html", r"^([a-z][a-z])",
           exclude=r"^(ja|ko|zh-cn)/", first=r"^en/"),
    Source("perl-doc", "/usr/share/perl/*/pod", r"\.pod$", "text", "en"),
    Source("python3.11-doc", "/usr/share/doc/python3.11/html/_sources",
           r"\.txt$", "text", "en"),
    Source("python-django-doc", "/usr/share/doc/python-django-doc/html",
           r"\.html$", "html", "en",
           exclude=r"^(_modules|_static|_images|_sources)/|"
                   r"^(genindex|search|py-modindex)\.html$"),
    Source("erlang-doc", "/usr/share/doc/erlang-doc", r"\.html$", "html", "en"),
    Source("sqlite3-doc", "/usr/share/doc/sqlite3", r"\.html$", "html", "en"),
    Source("postfix-doc", "/usr/share/doc/postfix/html", r"\.html$", "html",
           "en"),
    Source("vim-doc", "/usr/share/doc/vim/html", r"\.html$", "html", "en"),
    Source("git-doc", "/usr/share/doc/git-doc", r"\.txt$", "text", "en"),
    *[Source(f"gimp-help-{lang}",
             f"/usr/share/gimp/2.0/help/{lang.replace('-br', '_BR')}",
             r"\.html$", "html", lang[:2], needs=("lynx",))
      for lang in GIMP_LANGS],
    *[Source(f"manpages-{lang}", f"/usr/share/man/{lang}", r"\.gz$", "man",
             lang) for lang in MANPAGE_LANGS],
]


def installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Status}", package],
        capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.strip() == "installed"


def ensure_packages(sources: list[Source]) -> None:
    """apt-get install the packages that are missing (with their `needs`)."""
    missing = []
    for src in sources:
        for pkg in (*src.needs, src.package):
            if pkg not in missing and not installed(pkg):
                missing.append(pkg)
    if not missing:
        print(f"source packages: all {len(sources)} installed", file=sys.stderr)
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    print(f"installing missing source packages:\n$ {shlex.join(cmd)}",
          file=sys.stderr, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(cmd, env=env, stdout=sys.stderr).returncode != 0:
        print("$ apt-get update", file=sys.stderr, flush=True)
        subprocess.run(["apt-get", "update"], env=env, stdout=sys.stderr)
        if subprocess.run(cmd, env=env, stdout=sys.stderr).returncode != 0:
            print("warning: apt-get install failed; going on with the packages "
                  "that are there (see the manifest)", file=sys.stderr)


def package_versions(packages: list[str]) -> list[tuple[str, str]]:
    out = []
    for pkg in packages:
        result = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                                capture_output=True, text=True)
        version = result.stdout.strip() if result.returncode == 0 else ""
        out.append((pkg, version if installed(pkg) else "(not installed)"))
    return out


def package_files(package: str) -> list[str]:
    result = subprocess.run(["dpkg", "-L", package], capture_output=True,
                            text=True)
    if result.returncode != 0:
        return []
    return sorted({line for line in result.stdout.splitlines()
                   if line and os.path.isfile(line)})


def source_files(src: Source) -> list[tuple[str, str]]:
    """[(path, language)] of one source, sorted by path."""
    roots = sorted(glob.glob(src.root))
    include = re.compile(src.include)
    exclude = re.compile(src.exclude) if src.exclude else None
    lang_re = re.compile(src.lang) if "(" in src.lang else None
    out = []
    for path in package_files(src.package):
        for root in roots:
            prefix = root.rstrip("/") + "/"
            if not path.startswith(prefix):
                continue
            rel = path[len(prefix):]
            if not include.search(rel) or (exclude and exclude.search(rel)):
                continue
            if lang_re:
                m = lang_re.search(rel)
                lang = m.group(1) if m else "en"
            else:
                lang = src.lang
            out.append((path, lang, rel))
            break
    first = re.compile(src.first) if src.first else None
    out.sort(key=lambda t: (0 if first and first.search(t[2]) else 1, t[0]))
    return [(path, lang) for path, lang, _ in out]


# --------------------------------------------------------------------------
# Text extraction
# --------------------------------------------------------------------------

BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
    "h5", "h6", "pre", "blockquote", "table", "tr", "section", "article",
    "aside", "header", "footer", "main", "figure", "figcaption", "caption",
    "hr", "title", "form", "fieldset", "address", "center", "tbody", "thead",
}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input",
             "link", "meta", "param", "source", "track", "wbr"}
SKIP_TAGS = {"script", "style", "head", "nav", "noscript", "template",
             "button", "select", "svg", "math"}
SKIP_CLASSES = re.compile(
    r"\b(sphinxsidebar|sphinxsidebarwrapper|related|footer|navheader|navfooter|"
    r"breadcrumbs?|headerlink|docs-nav|toc-backref|navigation|sidebar|"
    r"banner|rellinks)\b")


class HtmlText(HTMLParser):
    """HTML -> paragraphs: block elements end a paragraph, <br> a line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []   # (tag, skipping below)
        self.skip = 0
        self.pre = 0
        self.paras: list[str] = []
        self.cur: list[str] = []

    def flush(self):
        text = "".join(self.cur)
        self.cur = []
        if self.pre:
            # A <pre> block (vim's help is one per page) keeps its lines and
            # splits on blank lines like a plain-text file.
            self.paras.extend(text_paragraphs(text))
            return
        else:
            lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip()
                     for line in text.split("\n")]
            text = "\n".join(line for line in lines if line)
        if text.strip():
            self.paras.append(text)

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            if not self.skip:
                self.cur.append("\n")
            return
        skip = tag in SKIP_TAGS or any(
            k in ("class", "role", "id") and v and SKIP_CLASSES.search(v)
            for k, v in attrs)
        if tag in BLOCK_TAGS and not self.skip:
            self.flush()
        if tag in VOID_TAGS:
            return
        self.stack.append((tag, skip))
        if skip:
            self.skip += 1
        if tag == "pre":
            self.pre += 1
        if tag in ("td", "th") and not self.skip:
            self.cur.append(" ")

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            t, skip = self.stack.pop()
            if skip:
                self.skip -= 1
            if t == "pre":
                if not self.skip:
                    self.flush()
                self.pre -= 1
            if t == tag:
                break
        if tag in BLOCK_TAGS and not self.skip:
            self.flush()

    def handle_data(self, data):
        if self.skip:
            return
        if not self.pre:
            data = data.replace("\n", " ")
        self.cur.append(data)

    def close(self):
        super().close()
        self.flush()


def html_paragraphs(text: str) -> list[str]:
    parser = HtmlText()
    parser.feed(text)
    parser.close()
    return parser.paras


def text_paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paras = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.rstrip() for line in block.split("\n")]
        block = "\n".join(lines).strip("\n")
        if block.strip():
            paras.append(block)
    return paras


MAN_ESCAPES = [
    (re.compile(r"\\f(\[[^\]]*\]|\(..|.)"), ""),
    (re.compile(r"\\\*(\[[^\]]*\]|\(..|.)"), ""),
    (re.compile(r"\\\((aq|cq)"), "'"), (re.compile(r"\\\((dq|lq|rq)"), '"'),
    (re.compile(r"\\\(em"), "—"), (re.compile(r"\\\(en"), "–"),
    (re.compile(r"\\\(bu"), "•"), (re.compile(r"\\\(co"), "©"),
    (re.compile(r"\\\(Fo"), "«"), (re.compile(r"\\\(Fc"), "»"),
    (re.compile(r"\\\(.."), ""), (re.compile(r"\\\[[^\]]*\]"), ""),
    (re.compile(r"\\[-e]"), lambda m: "-" if m.group(0) == "\\-" else "\\"),
    (re.compile(r"\\[ ~0]"), " "), (re.compile(r"\\[&|^,/:%]"), ""),
    (re.compile(r"\\(.)"), r"\1"),
]
MAN_BREAK = re.compile(r"^\.(PP|P|LP|TP|IP|sp|HP|RS|RE|SH|SS|TH|nf|fi|EX|EE|"
                       r"in|TQ|UR|UE|MT|ME|SY|YS|OP)\b")
MAN_TEXT = re.compile(r"^\.(B|I|BR|BI|IB|IR|RB|RI|SB|SM|SH|SS)\s+(.*)$")
MAN_ALTERNATING = {"BR", "BI", "IB", "IR", "RB", "RI"}


def man_unescape(line: str) -> str:
    for pattern, repl in MAN_ESCAPES:
        line = pattern.sub(repl, line)
    return line


def man_paragraphs(text: str) -> list[str]:
    """A crude troff -> text: macros break paragraphs, font macros keep
    their arguments, escapes are resolved or dropped."""
    paras: list[str] = []
    cur: list[str] = []
    in_def = False

    def flush():
        if cur:
            block = "\n".join(cur).strip()
            if block:
                paras.append(block)
            cur.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        if in_def:
            in_def = not line.startswith("..")
            continue
        if line.startswith((".\\\"", "'\\\"", "\\\"")):
            continue
        if line.startswith((".de", ".ig")):
            in_def = True
            continue
        if line.startswith(".so "):
            return []
        if line.startswith((".", "'")):
            if MAN_BREAK.match(line):
                flush()
            m = MAN_TEXT.match(line)
            if m and not line.startswith(".TH"):
                args = m.group(2)
                parts = re.findall(r'"([^"]*)"|(\S+)', args)
                joiner = "" if m.group(1) in MAN_ALTERNATING else " "
                arg_text = joiner.join(a or b for a, b in parts)
                arg_text = man_unescape(arg_text).strip()
                if arg_text:
                    cur.append(arg_text)
                if m.group(1) in ("SH", "SS"):
                    flush()
            continue
        line = man_unescape(line).rstrip()
        if line.strip():
            cur.append(line)
        else:
            flush()
    flush()
    return paras


def read_source_file(path: str, fmt: str) -> list[str]:
    data = Path(path).read_bytes()
    if path.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return []
    text = data.decode("utf-8", errors="replace")
    if fmt == "html":
        return html_paragraphs(text)
    if fmt == "man":
        return man_paragraphs(text)
    return text_paragraphs(text)


# --------------------------------------------------------------------------
# The pool of distinct paragraphs
# --------------------------------------------------------------------------

def digest(s: str) -> bytes:
    return hashlib.blake2b(s.encode("utf-8"), digest_size=12).digest()


@dataclass
class PoolFile:
    group: str                 # "package/lang"
    path: str
    paras: list[str]


@dataclass
class PoolStats:
    files_read: int = 0
    files_duplicate: int = 0
    files_empty: int = 0
    paras_kept: int = 0
    paras_no_words: int = 0
    paras_exact_dup: int = 0
    paras_near_dup: int = 0
    bytes_kept: int = 0


class Pool:
    """Reads the sources and keeps only distinct paragraphs (see docstring)."""

    def __init__(self):
        self.seen_files: set[bytes] = set()
        self.seen_paras: set[bytes] = set()
        self.seen_shingles: set[int] = set()
        self.word_ids: dict[str, int] = {}
        self.stats = PoolStats()
        self.files: list[PoolFile] = []

    def ids(self, ws: list[str]) -> list[int]:
        table = self.word_ids
        out = []
        for w in ws:
            i = table.get(w)
            if i is None:
                i = table[w] = len(table)
            out.append(i)
        return out

    def add_file(self, group: str, path: str, paras: list[str]) -> None:
        st = self.stats
        st.files_read += 1
        para_words = [simple_words(p) for p in paras]
        key = digest(" ".join(w for ws in para_words for w in ws))
        if key in self.seen_files:
            st.files_duplicate += 1
            return
        self.seen_files.add(key)
        kept = []
        for para, ws in zip(paras, para_words):
            if not ws:
                st.paras_no_words += 1
                continue
            pkey = digest(" ".join(ws))
            if pkey in self.seen_paras:
                st.paras_exact_dup += 1
                continue
            self.seen_paras.add(pkey)
            if len(ws) >= 5:
                ids = self.ids(ws)
                sampled = [h for h in (hash(tuple(ids[i:i + 5]))
                                       for i in range(len(ids) - 4))
                           if h & 3 == 0]
                if len(sampled) >= 4:
                    seen = sum(1 for h in sampled if h in self.seen_shingles)
                    if 2 * seen >= len(sampled):
                        st.paras_near_dup += 1
                        continue
                self.seen_shingles.update(sampled)
            kept.extend(split_long(para))
        if not kept:
            st.files_empty += 1
            return
        st.paras_kept += len(kept)
        st.bytes_kept += sum(len(p.encode("utf-8")) + 2 for p in kept)
        self.files.append(PoolFile(group, path, kept))


def split_long(para: str) -> list[str]:
    """Paragraphs over MAX_PARA bytes are split on line boundaries (or, for a
    single huge line, at spaces)."""
    if len(para.encode("utf-8")) <= MAX_PARA:
        return [para]
    out, cur, size = [], [], 0
    for line in para.split("\n"):
        n = len(line.encode("utf-8")) + 1
        if cur and size + n > MAX_PARA // 2:
            out.append("\n".join(cur))
            cur, size = [], 0
        cur.append(line)
        size += n
    if cur:
        out.append("\n".join(cur))
    final = []
    for chunk in out:
        while len(chunk.encode("utf-8")) > MAX_PARA:
            cut = chunk.rfind(" ", 0, MAX_PARA // 2)
            if cut <= 0:
                cut = MAX_PARA // 2
            final.append(chunk[:cut].rstrip())
            chunk = chunk[cut:].lstrip()
        if chunk.strip():
            final.append(chunk)
    return final


def build_pool(sources: list[Source], log) -> Pool:
    pool = Pool()
    for src in sources:
        started = time.monotonic()
        files = source_files(src)
        before = pool.stats.bytes_kept
        for path, lang in files:
            paras = read_source_file(path, src.fmt)
            pool.add_file(f"{src.package}/{lang}", path, paras)
        log(f"  {src.package:<24} {len(files):>5} files "
            f"{(pool.stats.bytes_kept - before) / MB:7.1f} MB kept "
            f"({time.monotonic() - started:.1f} s)")
    return pool


# --------------------------------------------------------------------------
# Base documents
# --------------------------------------------------------------------------

def log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def cut_documents(pool: Pool, rng: random.Random) -> list[tuple[str, list[str]]]:
    """Documents [(group, paragraphs)] cut from each group's paragraphs in
    file order, on paragraph boundaries (see docstring)."""
    docs = []
    groups: dict[str, list[PoolFile]] = {}
    for f in pool.files:
        groups.setdefault(f.group, []).append(f)
    for group, files in groups.items():   # insertion order: deterministic
        cur: list[str] = []
        size = 0
        target = log_uniform(rng, MIN_DOC, MAX_DOC)
        for f in files:
            if size >= MIN_DOC:
                docs.append((group, cur))
                cur, size = [], 0
                target = log_uniform(rng, MIN_DOC, MAX_DOC)
            for para in f.paras:
                n = len(para.encode("utf-8")) + 2
                if cur and size + n > target and size >= MIN_DOC:
                    docs.append((group, cur))
                    cur, size = [], 0
                    target = log_uniform(rng, MIN_DOC, MAX_DOC)
                cur.append(para)
                size += n
        if size >= MIN_DOC:
            docs.append((group, cur))
    return docs


SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+")


MAX_SENTENCE = 400       # bytes; longer pieces are split into lines
MIN_GROUP_SENTENCES = 2000


def sentence_units(para: str) -> list[str]:
    """Sentences of a paragraph for recombination. A piece over MAX_SENTENCE
    bytes (a table, a code block, a paragraph without sentence ends) is cut
    into its lines and lines over MAX_SENTENCE are dropped: otherwise a
    whole table is one unit, and two documents that draw it share most of
    their shingles."""
    units = []
    for piece in SENTENCE_RE.split(para):
        piece = piece.strip()
        if not piece:
            continue
        if utf8_len(piece) <= MAX_SENTENCE:
            units.append(piece)
            continue
        for line in piece.split("\n"):
            line = line.strip()
            if line and utf8_len(line) <= MAX_SENTENCE:
                units.append(line)
    return units


class Recombiner:
    """Extra base documents from sentences sampled within one group (groups
    of at least MIN_GROUP_SENTENCES sentences, so that a 30 KB document
    draws a small share of its group)."""

    def __init__(self, docs: list[tuple[str, list[str]]], seed: int):
        self.rng = random.Random(f"{seed}:recombine")
        sentences: dict[str, list[str]] = {}
        for group, paras in docs:
            bucket = sentences.setdefault(group, [])
            for para in paras:
                bucket.extend(sentence_units(para))
        self.groups = [g for g in sentences
                       if len(sentences[g]) >= MIN_GROUP_SENTENCES]
        self.sentences = sentences
        sizes = [sum(len(s) for s in sentences[g]) for g in self.groups]
        self.cum = []
        total = 0
        for s in sizes:
            total += s
            self.cum.append(total)
        self.made = 0

    def make(self) -> tuple[str, list[str]]:
        rng = self.rng
        group = self.groups[bisect.bisect_right(
            self.cum, rng.random() * self.cum[-1])]
        pool = self.sentences[group]
        target = log_uniform(rng, MIN_DOC, MAX_DOC)
        paras, size = [], 0
        while size < target:
            para = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 6)))
            paras.append(para)
            size += len(para.encode("utf-8")) + 2
        self.made += 1
        return group, paras


def join_paras(paras: list[str]) -> str:
    return "\n\n".join(paras) + "\n"


def utf8_len(s: str) -> int:
    return len(s.encode("utf-8"))


def plant_repeat(paras: list[str], rng: random.Random):
    """Plant a repeated block; returns (paragraphs, [(start, end, keep_start,
    keep_end, kind)] in UTF-8 bytes of join_paras(paragraphs)) or None."""
    size = utf8_len(join_paras(paras))
    if size < 15_000 and rng.random() < 0.35:
        new = paras + paras
        body = utf8_len("\n\n".join(paras))
        start = body + 2
        return new, [(start, start + body, 0, body, "body_twice")]
    if len(paras) < 3:
        return None
    run = rng.randint(1, min(3, len(paras) - 2))
    src = rng.randrange(0, len(paras) - run - 1)
    dst = rng.randint(src + run + 1, len(paras))      # insert before dst
    block = paras[src:src + run]
    new = paras[:dst] + block + paras[dst:]
    offs = []
    pos = 0
    for p in new:
        offs.append(pos)
        pos += utf8_len(p) + 2
    keep_start = offs[src]
    keep_end = offs[src + run - 1] + utf8_len(new[src + run - 1])
    start = offs[dst]
    end = offs[dst + run - 1] + utf8_len(new[dst + run - 1])
    return new, [(start, end, keep_start, keep_end, f"paragraphs_{run}")]


# --------------------------------------------------------------------------
# Variants
# --------------------------------------------------------------------------

BOILERPLATE = {
    "header": {
        "en": [
            "Skip to main content\nHome | Documentation | Downloads | Community | Support\n"
            "You are reading the documentation for the stable release. See the latest version.",
            "Mirror of the project documentation, provided for offline reading.\n"
            "Report problems with this copy to the mirror administrators, not to the authors.",
        ],
        "fr": [
            "Aller au contenu principal\nAccueil | Documentation | Téléchargements | Communauté | Assistance\n"
            "Vous consultez la documentation de la version stable. Voir la dernière version.",
            "Copie miroir de la documentation du projet, fournie pour la lecture hors ligne.\n"
            "Signalez les problèmes de cette copie aux administrateurs du miroir, pas aux auteurs.",
        ],
    },
    "footer": {
        "en": [
            "Was this page helpful? Let us know through the feedback form.\n"
            "Copyright the contributors. Content is available under the terms of its licence unless otherwise noted.\n"
            "Privacy policy · Terms of use · Contact the webmaster",
            "This document was converted from its original format and may contain formatting errors.\n"
            "Last reviewed by the documentation team. Please send corrections to the mailing list.",
        ],
        "fr": [
            "Cette page vous a-t-elle été utile ? Faites-le nous savoir avec le formulaire de contact.\n"
            "Copyright les contributeurs. Le contenu est disponible selon les termes de sa licence, sauf mention contraire.\n"
            "Politique de confidentialité · Conditions d'utilisation · Contacter le webmestre",
            "Ce document a été converti depuis son format d'origine et peut contenir des erreurs de mise en forme.\n"
            "Dernière relecture par l'équipe de documentation. Envoyez vos corrections à la liste de diffusion.",
        ],
    },
}

HIGH_COMBOS = [
    (["edit"], 5), (["move"], 3), (["trunc_head"], 2), (["trunc_tail"], 3),
    (["footer"], 2), (["header"], 1), (["header", "footer"], 1),
    (["move", "edit"], 2), (["footer", "edit"], 2), (["trunc_tail", "footer"], 1),
    (["move", "trunc_tail"], 1),
]
LOW_COMBOS = [
    (["edit"], 3), (["trunc_head"], 2), (["trunc_tail"], 3),
    (["move", "edit"], 2), (["footer", "edit"], 2), (["trunc_tail", "footer"], 2),
    (["header", "trunc_head"], 1), (["trunc_tail", "edit"], 2),
    (["move", "trunc_head", "footer"], 1),
]
ADJUSTABLE = ("edit", "trunc_head", "trunc_tail")


def weighted_choice(rng: random.Random, items):
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    for item, w in items:
        x -= w
        if x <= 0:
            return item
    return items[-1][0]


def move_paragraphs(paras: list[str], rng: random.Random) -> list[str] | None:
    if len(paras) < 3:
        return None
    paras = list(paras)
    for _ in range(rng.randint(1, 3)):
        run = rng.randint(1, min(3, len(paras) - 1))
        src = rng.randrange(0, len(paras) - run + 1)
        block = paras[src:src + run]
        rest = paras[:src] + paras[src + run:]
        choices = [i for i in range(len(rest) + 1) if i != src]
        dst = rng.choice(choices)
        paras = rest[:dst] + block + rest[dst:]
    return paras


class EditPlan:
    """A fixed random order of word edits over a text, so that applying the
    first n edits gives a (nearly) monotone Jaccard in n."""

    def __init__(self, text: str, rng: random.Random):
        self.text = text
        self.spans = [m.span() for m in WORD_RE.finditer(text)]
        vocab = []
        seen = set()
        for s, e in self.spans:
            w = text[s:e]
            if len(w) >= 3 and w.lower() not in seen:
                seen.add(w.lower())
                vocab.append(w)
        if not vocab:
            vocab = ["the", "and", "with", "data"]
        order = list(range(len(self.spans)))
        rng.shuffle(order)
        self.ops = []
        for i in order:
            op = rng.choices(("sub", "ins", "del"), weights=(5, 3, 2))[0]
            w = rng.choice(vocab)
            s, e = self.spans[i]
            if op == "sub" and w.lower() == text[s:e].lower():
                w = w + "s"
            self.ops.append((i, op, w))

    def apply(self, n: int) -> str:
        chosen = sorted(self.ops[:n])
        text = self.text
        out = []
        pos = 0
        for i, op, w in chosen:
            s, e = self.spans[i]
            if s < pos:
                continue
            if op == "sub":
                out.append(text[pos:s])
                out.append(w)
                pos = e
            elif op == "ins":
                out.append(text[pos:e])
                out.append(" " + w)
                pos = e
            else:   # delete the word and the spaces after it
                out.append(text[pos:s])
                pos = e
                while pos < len(text) and text[pos] in " \t":
                    pos += 1
        out.append(text[pos:])
        return "".join(out)


def truncate(text: str, fraction: float, head: bool) -> str:
    """Drop `fraction` of the words from the head or the tail, cutting at a
    word start (head) or after a word (tail)."""
    spans = [m.span() for m in WORD_RE.finditer(text)]
    if len(spans) < 2:
        return text
    k = min(len(spans) - 1, max(1, round(fraction * len(spans))))
    if head:
        return text[spans[k][0]:]
    end = spans[len(spans) - k - 1][1]
    return text[:end] + "\n"


REFORMAT_PUNCT = str.maketrans({",": ";", ";": ",", "!": ".", "?": "."})


def reformat(paras: list[str], rng: random.Random) -> str:
    """Same normalised words, different surface: line wrapping, punctuation
    and capitalisation of line starts."""
    width = rng.choice((60, 72, 100))
    out = []
    for p in paras:
        flat = " ".join(p.split()).translate(REFORMAT_PUNCT)
        lines, cur = [], ""
        for token in flat.split(" "):
            if cur and len(cur) + 1 + len(token) > width:
                lines.append(cur)
                cur = token
            else:
                cur = f"{cur} {token}" if cur else token
        if cur:
            lines.append(cur)
        out.append("\n".join(lines))
    return join_paras(out)


@dataclass
class Variant:
    text: str
    kind: str
    jaccard: float
    band: str


def make_variant(paras: list[str], lang: str, base_shingles: set,
                 band: tuple[float, float], rng: random.Random) -> Variant:
    lo, hi = band
    band_name = f"[{lo:.2f},{hi:.2f}{']' if hi >= 1 else ')'}"
    combos = HIGH_COMBOS if lo >= 0.8 else LOW_COMBOS
    best = None
    for attempt in range(8):
        kinds = weighted_choice(rng, combos)
        target = rng.uniform(lo + 0.005, min(hi, 0.995) - 0.005)
        cur = paras
        if "move" in kinds:
            moved = move_paragraphs(cur, rng)
            if moved is None:
                continue
            cur = moved
        text = join_paras(cur)
        lang_key = lang if lang in ("en", "fr") else "en"
        header = footer = ""
        if "header" in kinds:
            header = rng.choice(BOILERPLATE["header"][lang_key]) + "\n\n"
        if "footer" in kinds:
            footer = "\n" + rng.choice(BOILERPLATE["footer"][lang_key]) + "\n"

        def finish(body: str) -> str:
            return header + body + footer

        adjust = [k for k in kinds if k in ADJUSTABLE]
        if not adjust:
            variant = finish(text)
        else:
            sub_seed = rng.random()
            plan_rng = random.Random(sub_seed)
            if "edit" in adjust:
                plan = EditPlan(text, plan_rng)
            cut_head = "trunc_head" in adjust
            cut = [k for k in adjust if k.startswith("trunc")]
            nwords = len(WORD_RE.findall(text))

            # One knob x in [0, 1]: the share of the damage. With an edit and
            # a truncation, the truncation takes half the loss.
            def build(x: float) -> str:
                body = text
                if cut:
                    frac = x * (0.5 if "edit" in adjust else 1.0)
                    body = truncate(body, min(frac, 0.9), cut_head)
                if "edit" in adjust:
                    n = max(1, round(x * nwords * 0.25))
                    if cut:
                        # edits over the truncated text: re-plan on it
                        local = EditPlan(body, random.Random(sub_seed))
                        body = local.apply(n)
                    else:
                        body = plan.apply(n)
                return finish(body)

            lo_x, hi_x = 0.0, 1.0
            variant = build(hi_x)
            for _ in range(14):
                mid = (lo_x + hi_x) / 2
                candidate = build(mid)
                j = jaccard_sets(base_shingles,
                                 shingles(candidate, exact=False))
                if j > target:
                    lo_x = mid
                else:
                    hi_x = mid
                    variant = candidate
                if abs(j - target) < 0.004:
                    variant = candidate
                    break
        j = jaccard_sets(base_shingles, shingles(variant, exact=False))
        v = Variant(variant, "+".join(kinds), j, band_name)
        if lo <= j < hi or (hi >= 1.0 and j >= lo):
            return v
        if best is None or abs(j - target) < abs(best.jaccard - target):
            best = v
    if best is None:   # every attempt needed more paragraphs: edit instead
        plan = EditPlan(join_paras(paras), rng)
        text = plan.apply(max(1, len(plan.spans) // 40))
        best = Variant(text, "edit", jaccard_sets(
            base_shingles, shingles(text, exact=False)), band_name)
    return best


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

@dataclass
class Doc:
    data: bytes
    family: int | None = None
    role: str = ""          # "", "original", or the variant kind


@dataclass
class Assembled:
    docs: list                   # [Doc]
    names: list                  # file name of each doc
    truth_rows: list             # (doc_a, doc_b, "J", kind), sorted
    repeats: list                # (doc index, (start, end, ks, ke, kind))
    families: list               # [[doc index, ...]], original first
    variant_js: list             # (band, J with the original)
    total: int                   # bytes
    base_used: int
    recombined: int


def assemble(base: list[tuple[str, list[str]]], seed: int, target: int,
             log, original_share: float = ORIGINAL_SHARE) -> Assembled:
    """Documents, families and truth from shuffled base documents
    [(group "package/lang", paragraphs)] until `target` bytes are reached
    (see the module docstring). No I/O: generate() writes the result."""
    rng_fam = random.Random(f"{seed}:families")
    rng_rep = random.Random(f"{seed}:repeats")
    rng_var = random.Random(f"{seed}:variants")
    docs: list[Doc] = []
    repeats: list[tuple[int, tuple]] = []
    families: list[list[int]] = []
    total = 0
    recombiner = None
    next_base = 0
    variant_js: list[tuple[str, float]] = []
    while total < target:
        if next_base < len(base):
            group, paras = base[next_base]
            next_base += 1
        else:
            if recombiner is None:
                log("distinct text exhausted: recombining sentences for the "
                    "remaining base documents")
                recombiner = Recombiner(base, seed)
            group, paras = recombiner.make()
        lang = group.split("/")[1]
        if rng_rep.random() < REPEAT_SHARE:
            planted = plant_repeat(paras, rng_rep)
            if planted:
                paras, spans = planted
                for span in spans:
                    repeats.append((len(docs), span))
        text = join_paras(paras)
        data = text.encode("utf-8")
        doc_index = len(docs)
        docs.append(Doc(data))
        total += len(data)
        if rng_fam.random() >= original_share:
            continue
        base_sh = shingles(text, exact=False)
        if not base_sh:
            continue
        count = rng_fam.choices(VARIANT_COUNTS, weights=VARIANT_WEIGHTS)[0]
        family = [doc_index]
        docs[doc_index].family = len(families)
        docs[doc_index].role = "original"
        for _ in range(count):
            if rng_var.random() < REFORMAT_SHARE:
                vtext = reformat(paras, rng_var)
                v = Variant(vtext, "reformat", jaccard_sets(
                    base_sh, shingles(vtext, exact=False)), "[1.00]")
            else:
                band = HIGH_BAND if rng_var.random() < 0.5 else LOW_BAND
                v = make_variant(paras, lang, base_sh, band, rng_var)
            vdata = v.text.encode("utf-8")
            family.append(len(docs))
            docs.append(Doc(vdata, len(families), v.kind))
            total += len(vdata)
            variant_js.append((v.band, v.jaccard))
        families.append(family)

    # Names: a seeded shuffle of the indexes.
    perm = list(range(len(docs)))
    random.Random(f"{seed}:names").shuffle(perm)
    width = max(6, len(str(len(docs) - 1)))
    names = [f"d{perm[i]:0{width}d}.txt" for i in range(len(docs))]

    # Truth: all pairs inside each family.
    truth_rows = []
    for family in families:
        sh = {i: shingles(docs[i].data.decode("utf-8")) for i in family}
        for x in range(len(family)):
            for y in range(x + 1, len(family)):
                a, b = family[x], family[y]
                j = jaccard_sets(sh[a], sh[b])
                if docs[a].role == "original":
                    kind = docs[b].role
                else:
                    kind = f"sibling:{docs[a].role}|{docs[b].role}"
                na, nb = sorted((names[a], names[b]))
                truth_rows.append((na, nb, f"{j:.6f}", kind))
    truth_rows.sort()

    return Assembled(docs, names, truth_rows, repeats, families, variant_js,
                     total, min(next_base, len(base)),
                     recombiner.made if recombiner else 0)


def generate(args, log) -> None:
    started = time.monotonic()
    out = Path(args.out)
    truth_path = out.with_name(out.name + ".truth.csv")
    repeats_path = out.with_name(out.name + ".repeats.csv")
    manifest_path = out.with_name(out.name + ".manifest.txt")

    sources = [s for s in SOURCES if not args.only or s.package in args.only]
    if not args.no_install:
        ensure_packages(sources)
    versions = package_versions(sorted({p for s in sources
                                        for p in (s.package, *s.needs)}))

    cache = None
    if not args.no_cache:
        key = hashlib.blake2b(repr((versions, sources)).encode(),
                              digest_size=10)
        for script in (Path(__file__), Path(textsim.__file__)):
            key.update(script.read_bytes())
        cache = out.parent / ".gen-corpus-cache" / f"pool-{key.hexdigest()}.pickle"
    if cache and cache.is_file():
        log(f"reading the source pool from the cache {cache}")
        with open(cache, "rb") as f:
            files, stats = pickle.load(f)
        pool = Pool()
        pool.files = [PoolFile(*t) for t in files]
        pool.stats = PoolStats(**stats)
    else:
        log("reading sources:")
        pool = build_pool(sources, log)
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            data = ([(f.group, f.path, f.paras) for f in pool.files],
                    dict(vars(pool.stats)))
            with open(tmp, "wb") as f:
                pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
            for old in cache.parent.glob("pool-*.pickle"):
                if old != cache:      # pools of older package/script versions
                    old.unlink()
            log(f"cached the source pool in {cache}")
    st = pool.stats
    log(f"pool: {st.bytes_kept / MB:.1f} MB in {st.paras_kept} paragraphs from "
        f"{len(pool.files)} files ({st.files_duplicate} duplicate and "
        f"{st.files_empty} empty files dropped; paragraphs dropped: "
        f"{st.paras_exact_dup} repeated, {st.paras_near_dup} near-repeated, "
        f"{st.paras_no_words} without words) "
        f"[{time.monotonic() - started:.0f} s]")
    t_pool = time.monotonic() - started

    rng_cut = random.Random(f"{args.seed}:cut")
    base = cut_documents(pool, rng_cut)
    pool_docs = len(base)
    pool_bytes = sum(utf8_len(join_paras(p)) for _, p in base)
    random.Random(f"{args.seed}:order").shuffle(base)
    del pool
    log(f"base documents available: {pool_docs} ({pool_bytes / MB:.1f} MB)")

    asm = assemble(base, args.seed, int(args.mb * MB), log)
    docs, names, truth_rows = asm.docs, asm.names, asm.truth_rows
    repeats, families, variant_js = asm.repeats, asm.families, asm.variant_js
    total = asm.total
    t_docs = time.monotonic() - started - t_pool
    log(f"documents: {len(docs)} ({total / MB:.1f} MB), families: "
        f"{len(families)}, variants: {len(variant_js)} "
        f"[{time.monotonic() - started:.0f} s]")

    # Write.
    out.mkdir(parents=True, exist_ok=True)
    wanted = set(names)
    stale = [p for p in out.glob("*.txt") if p.name not in wanted]
    for p in stale:
        p.unlink()
    if stale:
        log(f"removed {len(stale)} stale .txt file(s) from {out}")
    for name, doc in zip(names, docs):
        path = out / name
        try:
            if path.stat().st_size == len(doc.data) and \
                    path.read_bytes() == doc.data:
                continue
        except FileNotFoundError:
            pass
        path.write_bytes(doc.data)
    with open(truth_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["doc_a", "doc_b", "jaccard", "kind"])
        w.writerows(truth_rows)
    with open(repeats_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["doc", "start", "end", "keep_start", "keep_end", "kind"])
        w.writerows(sorted((names[i], *span) for i, span in repeats))

    # Statistics and manifest.
    positives = sum(1 for r in truth_rows if float(r[2]) >= 0.8)
    bands = {}
    for band, j in variant_js:
        bands.setdefault(band, []).append(j)
    hist = [0] * 6
    for r in truth_rows:
        j = float(r[2])
        hist[0 if j < 0.5 else 1 if j < 0.6 else 2 if j < 0.7 else
             3 if j < 0.8 else 4 if j < 0.9 else 5] += 1
    lines = [
        f"command: {shlex.join(['scripts/data/gen_corpus.py', *sys.argv[1:]])}",
        f"seed: {args.seed}",
        f"target: {args.mb:g} MB ({int(args.mb * MB)} bytes)",
        "source packages (dpkg-query):",
        *[f"  {p} {v}" for p, v in versions],
        f"pool: {st.files_read} files read, {st.files_duplicate} duplicate, "
        f"{st.files_empty} empty after filtering; {st.paras_kept} paragraphs "
        f"kept, {st.paras_exact_dup} repeated, {st.paras_near_dup} "
        f"near-repeated, {st.paras_no_words} without words dropped",
        f"base documents available: {pool_docs} ({pool_bytes} bytes), "
        f"used: {asm.base_used}, made by recombination: {asm.recombined}",
        f"documents: {len(docs)}, bytes: {total}",
        f"families: {len(families)}, variants: {len(variant_js)}",
        "variants per target band (count, min, median, max Jaccard with the original):",
    ]
    for band in sorted(bands):
        js = sorted(bands[band])
        inside = sum(1 for j in js if (float(band[1:5]) <= j < float(band[6:10])
                                       if band.endswith(")") else
                                       j >= float(band[1:5])))
        lines.append(f"  {band:<12} {len(js):>5}  min {js[0]:.3f}  median "
                     f"{js[len(js) // 2]:.3f}  max {js[-1]:.3f}  in band "
                     f"{inside}")
    lines += [
        f"truth pairs: {len(truth_rows)}, with jaccard >= 0.8: {positives}",
        "truth pairs by jaccard: <0.5 {}  [0.5,0.6) {}  [0.6,0.7) {}  "
        "[0.7,0.8) {}  [0.8,0.9) {}  >=0.9 {}".format(*hist),
        f"repeated blocks planted: {len(repeats)}",
        f"files: {out}/ , {truth_path.name}, {repeats_path.name}, "
        f"{manifest_path.name}",
    ]
    manifest_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for line in lines:
        log(line)
    log(f"done in {time.monotonic() - started:.0f} s (pool {t_pool:.0f} s, "
        f"documents and variants {t_docs:.0f} s)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description="Deterministic benchmark corpus with planted "
                    "near-duplicates (see the module docstring).")
    parser.add_argument("--mb", type=float, default=100,
                        help="corpus size in MB of 10^6 bytes (default 100)")
    parser.add_argument("--out", help="output folder (default "
                        "/tmp/dedup-bench/corpus-<mb>mb)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-install", action="store_true",
                        help="never call apt-get (use what is installed)")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the cache of the source "
                             "text (OUT/../.gen-corpus-cache/)")
    parser.add_argument("--only", nargs="*", metavar="PACKAGE",
                        help="use only these source packages (for quick tests)")
    args = parser.parse_args(argv)
    if not args.out:
        args.out = f"/tmp/dedup-bench/corpus-{args.mb:g}mb"

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    generate(args, log)


if __name__ == "__main__":
    main()
