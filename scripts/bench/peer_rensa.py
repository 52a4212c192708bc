#!/usr/bin/env python3
"""Peer pipeline: rensa RMinHash + RMinHashLSH (see peer_common.py).

    venv/bin/python scripts/bench/peer_rensa.py CORPUS --out pairs.csv [--workers 2]

Workers: RMinHash(num_perm=117, seed=42).update(shingle strings), returned
pickled (RMinHash supports pickle). Parent: RMinHashLSH(threshold=0.8,
num_perm=117, num_bands=9) filled by insert_many and asked by query_all (one
call each, in Rust), keep candidates whose RMinHash.jaccard() >= 0.8,
union-find.
"""

from __future__ import annotations

import time
from pathlib import Path

from rensa import RMinHash, RMinHashLSH

import peer_common as pc
import textsim


def signature(path: str):
    words = pc.shingle_strings(textsim.read_text(Path(path)))
    if not words:
        return None
    m = RMinHash(num_perm=pc.NUM_PERM, seed=42)
    m.update(words)
    return m


def main() -> None:
    args = pc.parse_args(
        "rensa MinHash-LSH near-duplicate pipeline",
        "LSH bands (must divide --num-perm)")
    started = time.monotonic()
    names = pc.list_files(args.corpus)
    sigs = pc.sign_all(args.corpus, names, signature, args.workers,
                       args.chunksize)
    lsh = RMinHashLSH(threshold=args.threshold, num_perm=args.num_perm,
                      num_bands=args.bands)
    pc.log(f"LSH: {lsh.get_num_bands()} bands x "
           f"{args.num_perm // lsh.get_num_bands()} rows")
    # Keys are positions in `present`: insert_many numbers its values from 0.
    present = [i for i, m in enumerate(sigs) if m is not None]
    batch = [sigs[i] for i in present]
    lsh.insert_many(batch, 0)
    found = lsh.query_all(batch)
    pairs, candidates = [], 0
    for k, near in enumerate(found):
        i = present[k]
        for c in near:
            j = present[c]
            if j <= i:
                continue
            candidates += 1
            sim = sigs[i].jaccard(sigs[j])
            if sim >= args.threshold:
                pairs.append((i, j, sim))
    pc.finish(names, pairs, candidates, args.out, started, "rensa")


if __name__ == "__main__":
    main()
