#!/usr/bin/env python3
"""The jusText baseline: classify every line of each page with jusText and
write the byte spans of the lines it does not keep.

    VENV/bin/python scripts/eval/justext_lines.py --language English \
        --input pages.jsonl --output spans.json

Run it with the python of the eval virtualenv (scripts/eval/requirements.txt:
jusText and lxml); evalcommon.run_justext creates that venv (default
WORK/venv-eval) and runs this script for boilerplate_sites.py and fr_pages.py.

Input: JSON lines {"doc": name, "text": page text}.
Output: one JSON object
    {"language": "English", "stopwords": 453,
     "versions": {"jusText": "3.0.2", "lxml": "6.1.3", ...},
     "mismatched_lines": 0,
     "pages": {name: {"spans": [[start, end], ...], "lines": N,
                      "boilerplate_lines": K}, ...}}

Method. jusText works on HTML paragraphs; our pages are plain text, one line
per HTML block. So each page becomes a minimal document
    <html><body><p>line 1</p><p>line 2</p>...</body></html>
with one <p> per line of text.split("\\n"), HTML-escaped: jusText's
paragraphs are then exactly the lines (it skips blank ones). jusText runs
with the stoplist of --language and its default parameters (length_low 70,
length_high 200, stopwords_low 0.30, stopwords_high 0.32, max_link_density
0.2, max_heading_distance 200), one page at a time. A paragraph is mapped
back to its line by its xpath (/html[1]/body[1]/p[N] is line N - 1). Lines
jusText does not class "good" (Paragraph.is_boilerplate) are boilerplate;
blank lines have no paragraph and count as kept (they have no
non-whitespace byte, so scores do not see them). The spans are formed as the
data sets form `boilerplate_spans`: one span per maximal run of boilerplate
lines, UTF-8 byte offsets into the original text, newlines included
(evalcommon.line_run_spans).

`mismatched_lines` counts lines whose paragraph text differs from the line
(whitespace-normalised) or that got no paragraph although not blank: it
should be 0, otherwise the HTML round trip lost something.

The pure pieces (page_html, paragraph_line, line_flags) need no jusText, so
the tests import this module with the standard library alone.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from evalcommon import line_run_spans  # noqa: E402

_XPATH = re.compile(r"^/html\[1\]/body\[1\]/p\[(\d+)\]$")


def page_html(text: str) -> str:
    """A minimal HTML document: one <p> per line of text.split("\\n")."""
    body = "".join(f"<p>{html.escape(line, quote=False)}</p>\n"
                   for line in text.split("\n"))
    return f"<html><body>\n{body}</body></html>\n"


def paragraph_line(paragraph) -> int:
    """The 0-based line of a jusText paragraph made from page_html()."""
    match = _XPATH.match(paragraph.xpath)
    if not match:
        raise ValueError(f"unexpected paragraph xpath {paragraph.xpath!r}")
    return int(match.group(1)) - 1


def _squash(text: str) -> str:
    return " ".join(text.split())


def line_flags(text: str, paragraphs) -> tuple[list[bool], int]:
    """(one boilerplate flag per line, number of mismatched lines) from the
    classified paragraphs of page_html(text). A paragraph is boilerplate when
    its class_type is not "good"; a line without a paragraph is not."""
    lines = text.split("\n")
    flags = [False] * len(lines)
    seen = [False] * len(lines)
    mismatched = 0
    for paragraph in paragraphs:
        i = paragraph_line(paragraph)
        if i >= len(lines) or seen[i] or \
                _squash(paragraph.text) != _squash(lines[i]):
            mismatched += 1
            if i >= len(lines):
                continue
        seen[i] = True
        flags[i] = paragraph.class_type != "good"
    mismatched += sum(1 for i, line in enumerate(lines)
                      if not seen[i] and line.strip())
    return flags, mismatched


def versions() -> dict[str, str]:
    from importlib import metadata
    found = {}
    for name in ("jusText", "lxml", "lxml_html_clean"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Byte spans of the lines jusText classes as boilerplate.")
    parser.add_argument("--language", required=True,
                        help="jusText stoplist, e.g. English, French")
    parser.add_argument("--input", type=Path, required=True,
                        help='JSON lines {"doc": ..., "text": ...}')
    parser.add_argument("--output", type=Path, required=True,
                        help="JSON file to write")
    args = parser.parse_args()

    import justext  # only in the eval virtualenv

    stoplist = justext.get_stoplist(args.language)
    pages = {}
    mismatched_total = 0
    with open(args.input, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            text = record["text"]
            paragraphs = justext.justext(page_html(text), stoplist)
            flags, mismatched = line_flags(text, paragraphs)
            mismatched_total += mismatched
            pages[record["doc"]] = {
                "spans": [list(s) for s in line_run_spans(text, flags)],
                "lines": len(flags),
                "boilerplate_lines": sum(flags),
            }
    out = {"language": args.language, "stopwords": len(stoplist),
           "versions": versions(), "mismatched_lines": mismatched_total,
           "pages": pages}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
