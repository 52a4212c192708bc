//! Near-duplicate documents (detect stage): fingerprints in, [`Cluster`]s out.
//!
//! 1. Documents with the same content key (identical word sequences after normalisation) are
//!    exact duplicates and joined at once.
//! 2. LSH banding over the MinHash signatures proposes candidate pairs.
//! 3. Every candidate pair is verified on the two documents' verification sketches (the 1024
//!    smallest shingle hashes, [`crate::doc::minhash::sketch`]): their Jaccard similarity, exact when
//!    the two documents have at most 1024 distinct shingles between them, the bottom-k estimate
//!    otherwise. `scan` recomputes the sketches of candidates from the text (memory holds
//!    fingerprints, never the corpus); the staged pipeline keeps them in its `docs` table. Pairs
//!    at or above the threshold are joined.
//! 4. Union-find turns the joins into clusters; the first document in corpus order is kept, and
//!    every other member is reported with its exact similarity to the kept copy.

use super::union_find::UnionFind;

use crate::doc::minhash::{sketch_similarity, SKETCH_LEN};
use crate::Error;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

/// A group of near-duplicate documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// 1-based, numbered in the order of the kept documents.
    pub id: u32,
    /// The kept copy: the smallest document index of the cluster.
    pub kept: u32,
    /// The other members, ascending.
    pub members: Vec<Member>,
}

/// A document of a cluster that is not its kept copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    pub doc: u32,
    /// Jaccard similarity of its shingles with the kept copy's ([`sketch_similarity`]).
    pub similarity: f64,
    /// Identical to the kept copy after normalisation.
    pub exact: bool,
}

/// Two documents the detector linked: identical after normalisation (`similarity` 1), or a
/// candidate pair whose similarity reached the threshold. `a < b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub similarity: f64,
}

/// Counters for the statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NearDupStats {
    pub candidate_pairs: usize,
    pub verified_pairs: usize,
}

/// Finds the clusters. `content_keys[d]` is document `d`'s hash of its normalised word sequence
/// (`None` without words); `candidates` are the LSH candidate pairs ([`crate::detect::lsh::candidate_pairs`]);
/// `sketches(docs)` must return, for each of the (sorted) documents asked for, its verification
/// sketch ([`crate::doc::minhash::sketch`] with [`SKETCH_LEN`]).
pub fn clusters<F>(
    content_keys: &[Option<u64>],
    candidates: &[(u32, u32)],
    threshold: f64,
    sketches: F,
) -> Result<(Vec<Cluster>, Vec<Edge>, NearDupStats), Error>
where
    F: Fn(&[u32]) -> Result<Vec<(u32, Vec<u32>)>, Error>,
{
    let n = content_keys.len();
    let mut uf = UnionFind::new(n);

    // 1. Exact duplicates.
    let mut by_key: Vec<(u64, u32)> = content_keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.map(|k| (k, i as u32)))
        .collect();
    by_key.sort_unstable();
    let mut edges = Vec::new();
    for run in by_key.chunk_by(|a, b| a.0 == b.0) {
        for w in run.windows(2) {
            uf.union(w[0].1, w[1].1);
            edges.push(Edge {
                a: w[0].1,
                b: w[1].1,
                similarity: 1.0,
            });
        }
    }

    // 2. Candidates, minus those already known to be identical.
    let same = |a: u32, b: u32| content_keys[a as usize] == content_keys[b as usize];
    let to_verify: Vec<(u32, u32)> = candidates
        .iter()
        .copied()
        .filter(|&(a, b)| !same(a, b))
        .collect();

    // 3. Verification on the sketches.
    let mut needed: Vec<u32> = to_verify.iter().flat_map(|&(a, b)| [a, b]).collect();
    needed.sort_unstable();
    needed.dedup();
    let mut sets: HashMap<u32, Vec<u32>> = sketches(&needed)?.into_iter().collect();
    let verified: Vec<Edge> = to_verify
        .par_iter()
        .map(|&(a, b)| Edge {
            a,
            b,
            similarity: sketch_similarity(&sets[&a], &sets[&b], SKETCH_LEN),
        })
        .filter(|e| e.similarity >= threshold)
        .collect();
    for e in &verified {
        uf.union(e.a, e.b);
    }
    let verified_pairs = verified.len();
    edges.extend(verified);
    edges.sort_unstable_by_key(|e| (e.a, e.b));

    // 4. Clusters, with every member's similarity to its kept copy.
    let mut groups: Vec<(u32, u32)> = (0..n as u32)
        .map(|d| (uf.find(d), d))
        .filter(|&(r, d)| r != d)
        .collect();
    groups.sort_unstable();
    let mut missing: Vec<u32> = groups
        .iter()
        .filter(|&&(r, d)| !same(r, d))
        .flat_map(|&(r, d)| [r, d])
        .filter(|d| !sets.contains_key(d))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    sets.extend(sketches(&missing)?);

    let clusters = groups
        .chunk_by(|a, b| a.0 == b.0)
        .enumerate()
        .map(|(i, run)| Cluster {
            id: i as u32 + 1,
            kept: run[0].0,
            members: run
                .iter()
                .map(|&(kept, doc)| {
                    let exact = same(kept, doc);
                    let similarity = if exact {
                        1.0
                    } else {
                        sketch_similarity(&sets[&kept], &sets[&doc], SKETCH_LEN)
                    };
                    Member {
                        doc,
                        similarity,
                        exact,
                    }
                })
                .collect(),
        })
        .collect();
    let stats = NearDupStats {
        candidate_pairs: candidates.len(),
        verified_pairs,
    };
    Ok((clusters, edges, stats))
}
