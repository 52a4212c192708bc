"""Word shingles and exact Jaccard, defined exactly as `dedup` defines them.

Standard library only (Python 3.11). Shared by gen-corpus (truth values),
bench-peers (precision of pairs that are not in the truth file) and the peer
pipelines (peer_datasketch.py, peer_rensa.py), so every tool is scored with
the same tokenisation.

Definition (README "Normalisation" and "near_duplicate"):
  text -> Unicode NFKC -> str.lower()
  words    = maximal runs of alphanumeric characters (`[^\\W_]+`, re.UNICODE)
  shingles = the set of all windows of K (default 5) consecutive words;
             a document with 1..K-1 words has one shingle: its whole word
             sequence; a document without words has no shingle (it is never
             a duplicate of anything, Jaccard 0 even with itself).
  J(A, B)  = |A & B| / |A | B|

Known corner where Python and dedup could disagree (irrelevant for the Latin,
Greek and Cyrillic text the corpora hold): Python's lower() is
context-sensitive for the Greek final sigma and gives 'i̇' (with a combining
dot, which is not alphanumeric in Python) for 'İ'; dedup lower-cases character
by character after the alphanumeric test.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
SHINGLE = 5


def words(text: str) -> list[str]:
    """Normalised words of a text: NFKC, lower case, alphanumeric runs."""
    return WORD_RE.findall(unicodedata.normalize("NFKC", text).lower())


def shingles_of_words(ws: list[str], k: int = SHINGLE) -> set[tuple[str, ...]]:
    """The set of k-word windows; fewer than k words give one shingle (the
    whole sequence); no words give the empty set."""
    if not ws:
        return set()
    if len(ws) < k:
        return {tuple(ws)}
    return {tuple(ws[i:i + k]) for i in range(len(ws) - k + 1)}


def shingles(text: str, k: int = SHINGLE) -> set[tuple[str, ...]]:
    return shingles_of_words(words(text), k)


def jaccard_sets(a: set, b: set) -> float:
    """|A & B| / |A | B|; 0.0 when either set is empty (a document without
    words is never a duplicate)."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    inter = sum(1 for x in a if x in b)
    return inter / (len(a) + len(b) - inter)


def jaccard(text_a: str, text_b: str, k: int = SHINGLE) -> float:
    return jaccard_sets(shingles(text_a, k), shingles(text_b, k))


def read_text(path: Path) -> str:
    """A corpus file as text (UTF-8, undecodable bytes replaced)."""
    return path.read_bytes().decode("utf-8", errors="replace")


class UnionFind:
    """Union-find over hashable items (path halving, union by size)."""

    def __init__(self):
        self.parent: dict = {}
        self.size: dict = {}

    def find(self, x):
        parent = self.parent
        if x not in parent:
            parent[x] = x
            self.size[x] = 1
            return x
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def clusters(self) -> list[list]:
        """Clusters with at least two members, each sorted, sorted by first."""
        groups: dict = {}
        for x in self.parent:
            groups.setdefault(self.find(x), []).append(x)
        return sorted((sorted(g) for g in groups.values() if len(g) > 1),
                      key=lambda g: g[0])
