#!/usr/bin/env python3
"""Writes tests/fixtures/shards/: three small JSONL shards for the staged-pipeline tests.

Deterministic (fixed seed), built only from the repository's own seeds/ (word vocabulary), so the
fixture carries no third-party text. It plants what the global step must get right across shards:
near-duplicate families whose members sit in different shards (word edits at Jaccard about
0.85-0.95), exact copies, a family of 40 (LSH buckets over 32 documents), a family whose kept copy is in a later shard than a member would be if
ids were wrong, template lines shared by many documents (boilerplate counted across shards, and
once per cluster), a paragraph repeated inside a document, and records without text words.

Usage: scripts/data/make_fixture_shards.py [OUT_DIR]   (default tests/fixtures/shards)
"""
import json
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "fixtures", "shards")

rng = random.Random(20261121)
words = []
for name in sorted(os.listdir(os.path.join(ROOT, "seeds"))):
    text = open(os.path.join(ROOT, "seeds", name), encoding="utf-8").read()
    words += re.findall(r"\w+", text)
vocab = sorted(set(w for w in words if len(w) > 2))

TEMPLATES = [
    "Partager sur Facebook",
    "Leave a Reply",
    "Votre adresse e-mail ne sera pas publiée.",
    "Publicité",
    "Lire aussi : les dernières nouvelles",
]


def sentence():
    n = rng.randint(8, 22)
    s = " ".join(rng.choice(vocab) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def paragraph():
    return " ".join(sentence() for _ in range(rng.randint(2, 5)))


def article():
    paras = [paragraph() for _ in range(rng.randint(3, 8))]
    if rng.random() < 0.5:
        paras.insert(0, rng.choice(TEMPLATES))
    if rng.random() < 0.5:
        paras.append(rng.choice(TEMPLATES))
    if rng.random() < 0.1:
        paras.append(paras[1])  # a paragraph repeated inside the document
    return "\n\n".join(paras)


def edit(text, share):
    toks = text.split(" ")
    for _ in range(max(1, int(len(toks) * share))):
        toks[rng.randrange(len(toks))] = rng.choice(vocab)
    return " ".join(toks)


docs = [article() for _ in range(100)]
# Near-duplicate families and exact copies, spread over the corpus (so over the shards).
for _ in range(20):
    base = rng.choice(docs[:100])
    for _ in range(rng.randint(1, 3)):
        docs.insert(rng.randrange(len(docs) + 1), edit(base, rng.uniform(0.005, 0.03)))
for _ in range(5):
    docs.insert(rng.randrange(len(docs) + 1), rng.choice(docs))
# One large family (more than 32 documents share bands: the star-and-chain rule of large buckets).
base = paragraph() + "\n\n" + paragraph()
for _ in range(40):
    docs.insert(rng.randrange(len(docs) + 1), edit(base, 0.01))
docs.insert(40, "")
docs.insert(90, "… — !")

os.makedirs(OUT, exist_ok=True)
shards = 3
for k in range(shards):
    with open(os.path.join(OUT, f"part-{k}.jsonl"), "w", encoding="utf-8") as f:
        for i, text in enumerate(docs[k::shards]):
            f.write(json.dumps({"id": f"s{k}-{i}", "text": text}, ensure_ascii=False) + "\n")
print(f"{len(docs)} documents in {shards} shards under {OUT}")
