#!/usr/bin/env python3
"""Peer pipeline: datasketch MinHash + MinHashLSH (see peer_common.py).

    venv/bin/python scripts/bench/peer_datasketch.py CORPUS --out pairs.csv [--workers 2]

Workers: MinHash(num_perm=117, seed=1, hashfunc=xxhash.xxh32_intdigest)
.update_batch(shingles as UTF-8 bytes) (a fast hash in C, as datasketch's
documentation suggests, instead of its default sha1), returned as a LeanMinHash
(small to pickle). Parent: MinHashLSH(threshold=0.8, num_perm=117,
params=(9, 13)) -- datasketch's own optimum, also with --bands 0 --, filled in
one insertion session, query all, keep candidates whose MinHash.jaccard() >=
0.8, union-find.
"""

from __future__ import annotations

import time
from pathlib import Path

import xxhash
from datasketch import LeanMinHash, MinHash, MinHashLSH

import peer_common as pc
import textsim


def signature(path: str):
    words = pc.shingle_strings(textsim.read_text(Path(path)))
    if not words:
        return None
    m = MinHash(num_perm=pc.NUM_PERM, seed=1, hashfunc=xxhash.xxh32_intdigest)
    m.update_batch([s.encode("utf-8") for s in words])
    return LeanMinHash(m)


def main() -> None:
    args = pc.parse_args(
        "datasketch MinHash-LSH near-duplicate pipeline",
        "LSH bands (rows = num_perm // bands); 0 = datasketch's own optimum "
        "for the threshold (9 x 13 at 0.8)")
    started = time.monotonic()
    names = pc.list_files(args.corpus)
    sigs = pc.sign_all(args.corpus, names, signature, args.workers,
                       args.chunksize)
    params = None if args.bands == 0 else (args.bands,
                                           args.num_perm // args.bands)
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm,
                     params=params)
    pc.log(f"LSH: {lsh.b} bands x {lsh.r} rows")
    with lsh.insertion_session() as session:
        for i, m in enumerate(sigs):
            if m is not None:
                session.insert(i, m, check_duplication=False)
    pairs, candidates = pc.query_pairs(sigs, lsh.query, args.threshold)
    pc.finish(names, pairs, candidates, args.out, started, "datasketch")


if __name__ == "__main__":
    main()
