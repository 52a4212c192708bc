#!/usr/bin/env python3
"""Checks the HTML report as a browser rendered it (run by scripts/html/test.sh).

    check_dom.py DOM.html REPORT.csv CORPUS_DIR NETLOG.json [CONTROL_NETLOG.json]

DOM.html is Chromium's `--dump-dom` of the page, REPORT.csv the scan's report with code-point
offsets (`--offsets chars`), CORPUS_DIR the folder scanned. Checks that every row is shown as
a marked cut (an element with the row's `data-kind`) in the view of its document (the section
with its `data-doc`) with exactly the row's text, that nothing else is marked, and that the
page made no request to a network address (http, https, ws, ftp) in the browser's network
log. A control log (a page that does load an image from the network) must show one, so that
the check is known to see requests. Exits 1 on the first failure.
"""

import csv
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path


class Cuts(HTMLParser):
    """The marked cuts of each document view: {doc: [(kind, text)]}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.doc = None
        self.depth = 0
        self.open = []  # stack of (kind or None) for elements inside a view
        self.cuts = {}
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-doc" in a:
            self.doc = a["data-doc"]
            self.cuts.setdefault(self.doc, [])
            self.open = []
            return
        if self.doc is None:
            return
        if tag in ("br", "img", "input", "meta"):
            return
        kind = a.get("data-kind")
        self.open.append(kind)
        if kind is not None:
            self.text = []

    def handle_endtag(self, tag):
        if self.doc is None:
            return
        if tag == "section" and not self.open:
            self.doc = None
            return
        if self.open:
            kind = self.open.pop()
            if kind is not None:
                self.cuts[self.doc].append((kind, "".join(self.text)))

    def handle_data(self, data):
        if self.doc is not None and any(k is not None for k in self.open):
            self.text.append(data)


def network_requests(netlog: Path) -> list:
    """The network addresses the page asked for: the URL requests of Chromium's network log whose
    top frame is the page (a `file://` isolation key), leaving out the browser's own traffic
    (updates, sync), which has no page."""
    text = netlog.read_text(errors="replace").rstrip()
    if not text.endswith("}"):  # a log cut short when the browser exits: close it
        text = text.rstrip(",") + "]}"
    log = json.loads(text)
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = set()
    for e in log["events"]:
        p = e.get("params") or {}
        if names.get(e["type"]) != "URL_REQUEST_START_JOB":
            continue
        if not str(p.get("network_isolation_key", "")).startswith("file://"):
            continue
        if re.match(r"(https?|wss?|ftp)://", p.get("url", "")):
            urls.add(p["url"])
    return sorted(urls)


def fail(msg):
    print(f"html-test: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    dom, report, corpus, netlog = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    parser = Cuts()
    parser.feed(dom.read_text())
    rows = list(csv.DictReader(report.open()))
    if not rows:
        fail("the report has no rows")
    for r in rows:
        text = (corpus / r["doc"]).read_text()
        want = (r["kind"], text[int(r["start"]):int(r["end"])])
        shown = parser.cuts.get(r["doc"])
        if shown is None:
            fail(f"{r['doc']}: no view in the rendered page")
        if want not in shown:
            fail(f"{r['doc']}: row {r['start']}-{r['end']} ({r['kind']}) is not a marked cut; marked: "
                 f"{[(k, t[:40]) for k, t in shown]}")
    marked = sum(len(v) for v in parser.cuts.values())
    if marked != len(rows):
        fail(f"{marked} marked cuts for {len(rows)} rows")
    print(f"html-test: {len(rows)} rows, each a marked cut of its kind in its document's view")
    requests = network_requests(netlog)
    if requests:
        fail(f"the page made network requests: {requests}")
    if len(sys.argv) > 5:
        control = network_requests(Path(sys.argv[5]))
        if not control:
            fail("the control page's network request was not seen: the log check sees nothing")
    print("html-test: no network request (the control page's request was seen)")


if __name__ == "__main__":
    main()
