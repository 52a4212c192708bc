//! Cross-document boilerplate (detect stage): every document's segment keys (and, with the
//! furniture classifier on, its segments' digit-free template keys) in, the set of keys that occur
//! in at least `min_docs` distinct documents out.
//!
//! Counting is exact: `(key, document)` pairs are sorted by key, and the number of distinct
//! documents in each key's run is its document count. No Bloom filter or sampling is involved, so the answer never
//! depends on input order or thread count.
//!
//! Documents of one near-duplicate cluster count once (they are counted under their kept copy):
//! a paragraph shared only by copies of the same story is that story's text, not a template.

use crate::doc::DocPrint;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

/// Default of `--min-docs`; see the README for how it was chosen.
pub const DEFAULT_MIN_DOCS: usize = 3;

/// How many documents make boilerplate, decided once from `--min-docs` and whether the
/// furniture classifier is on (every stage, and the Spark script through the tables'
/// `params.json`, reads it from here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinDocs {
    /// A segment in at least this many documents (near-duplicate clusters count once) is
    /// boilerplate.
    pub cut: usize,
    /// Keys are counted from this many documents up: the furniture classifier also reads the
    /// counts of keys in two documents.
    pub count: usize,
}

impl MinDocs {
    pub fn new(min_docs: usize, furniture: bool) -> MinDocs {
        MinDocs {
            cut: min_docs,
            count: if furniture { min_docs.min(2) } else { min_docs },
        }
    }
}

/// Keys found in at least `min_docs` distinct documents (clusters), with their document counts.
///
/// Counted exactly from `(key, representative)` pairs, one slice of the key space at a time
/// (slices by the key's top bits, as many as keep a slice under [`PART_BYTES`]), so that no step
/// holds more than a bounded share of the corpus's segment keys. Within a slice the pairs are
/// scattered into [`BUCKETS`] buckets by their next bits, each sorted on its own: sorts that fit
/// in cache, all in parallel.
pub fn frequent_keys(
    prints: &[DocPrint],
    representative: &[u32],
    min_docs: usize,
) -> HashMap<u64, u32> {
    // As many slices as keep one slice's pairs under PART_BYTES (one for most corpora).
    let keys: usize = prints.iter().map(|p| p.keys.len()).sum();
    let part_bits = (keys * 16)
        .div_ceil(PART_BYTES)
        .next_power_of_two()
        .trailing_zeros()
        .min(8);
    frequent_keys_in_parts(prints, representative, min_docs, part_bits)
}

/// [`frequent_keys`], counted in `1 << part_bits` slices of the key space.
fn frequent_keys_in_parts(
    prints: &[DocPrint],
    representative: &[u32],
    min_docs: usize,
    part_bits: u32,
) -> HashMap<u64, u32> {
    let mut frequent = HashMap::default();
    for part in 0..1u64 << part_bits {
        let in_part = |k: u64| part_bits == 0 || k >> (64 - part_bits) == part;
        // The bucket of a key: the eight bits under the slice's.
        let bucket = |k: u64| ((k << part_bits) >> (64 - BUCKET_BITS)) as usize;
        let groups = grouped_pairs(prints, representative, in_part, bucket);
        // One bucket per task, gathered from every group, sorted and counted, then dropped: at
        // most one bucket per worker is held beside the groups.
        let runs: Vec<(u64, u32)> = (0..BUCKETS)
            .into_par_iter()
            .with_max_len(1)
            .flat_map_iter(|b| {
                let mut pairs = bucket_of(&groups, b);
                // By key alone (most keys are in one document, and comparing one integer is
                // cheaper); the documents of a run are told apart only when it is long enough.
                pairs.sort_unstable_by_key(|&(key, _)| key);
                let mut reps = Vec::new();
                pairs
                    .chunk_by(|a, b| a.0 == b.0)
                    .filter_map(|run| {
                        if run.len() < min_docs.max(1) {
                            return None;
                        }
                        // A key twice in a document, or in two documents of one cluster, counts
                        // once.
                        reps.clear();
                        reps.extend(run.iter().map(|&(_, rep)| rep));
                        reps.sort_unstable();
                        reps.dedup();
                        (reps.len() >= min_docs.max(1)).then(|| (run[0].0, reps.len() as u32))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        drop(groups);
        frequent.reserve(runs.len());
        frequent.extend(runs);
    }
    frequent
}

/// Buckets of the pairs of one slice of the key space (a key's bucket is its next bits).
const BUCKET_BITS: u32 = 8;
const BUCKETS: usize = 1 << BUCKET_BITS;
/// Segments from which a document's keys are made distinct before they are gathered.
const DISTINCT_FROM: usize = 4096;
/// Documents whose pairs one task gathers.
const GROUP_DOCS: usize = 256;

/// The `(key, representative)` pairs of a group of documents, ordered by bucket, and where
/// each bucket starts among them.
type Group = (Vec<(u64, u32)>, [usize; BUCKETS + 1]);

/// The `(key, representative)` pair of each vote of each document that `keep` accepts (with
/// repeats), per group of [`GROUP_DOCS`] documents, ordered by `bucket(key)` where they fit in
/// cache; in parallel.
fn grouped_pairs(
    prints: &[DocPrint],
    representative: &[u32],
    keep: impl Fn(u64) -> bool + Sync,
    bucket: impl Fn(u64) -> usize + Sync,
) -> Vec<Group> {
    prints
        .par_chunks(GROUP_DOCS)
        .zip(representative.par_chunks(GROUP_DOCS))
        .map(|(group, reps)| {
            let mut pairs = Vec::new();
            for (print, &rep) in group.iter().zip(reps) {
                let votes = vote_keys(print).filter(|&k| keep(k));
                if print.keys.len() > DISTINCT_FROM {
                    // A long document's keys are made distinct first: its lines often repeat
                    // (a log, a forum page), and one group would order and count them all.
                    let mut keys: Vec<u64> = votes.collect();
                    keys.sort_unstable();
                    keys.dedup();
                    pairs.extend(keys.into_iter().map(|k| (k, rep)));
                } else {
                    pairs.extend(votes.map(|k| (k, rep)));
                }
            }
            let mut starts = [0; BUCKETS + 1];
            for &(key, _) in &pairs {
                starts[bucket(key) + 1] += 1;
            }
            for b in 0..BUCKETS {
                starts[b + 1] += starts[b];
            }
            let mut next = starts;
            let mut ordered = vec![(0, 0); pairs.len()];
            for &pair in &pairs {
                let b = bucket(pair.0);
                ordered[next[b]] = pair;
                next[b] += 1;
            }
            (ordered, starts)
        })
        .collect()
}

/// Bucket `b`'s pairs from every group, in group order.
fn bucket_of(groups: &[Group], b: usize) -> Vec<(u64, u32)> {
    let parts = || {
        groups
            .iter()
            .map(move |(pairs, starts)| &pairs[starts[b]..starts[b + 1]])
    };
    let mut pairs = Vec::with_capacity(parts().map(<[_]>::len).sum());
    for part in parts() {
        pairs.extend_from_slice(part);
    }
    pairs
}

/// The keys a document votes for: its segments' keys and, with the furniture classifier on, its
/// segments' template keys (with repeats; callers deduplicate).
pub fn vote_keys(print: &DocPrint) -> impl Iterator<Item = u64> + '_ {
    let templates = print.furniture.iter().flat_map(|f| f.templates.iter());
    (print.keys.iter().copied()).chain(templates.map(|&(_, key)| key))
}

/// The most memory one slice of `(key, representative)` pairs may take.
const PART_BYTES: usize = 64 << 20;

/// The `n` keys found in the most documents, most first (ties by key, so the choice is
/// deterministic).
pub fn top_units(frequent: &HashMap<u64, u32>, n: usize) -> Vec<(u64, u32)> {
    let mut all: Vec<(u64, u32)> = frequent.iter().map(|(&k, &d)| (k, d)).collect();
    all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(n);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::SegmentPrint;

    fn print(keys: &[u64]) -> DocPrint {
        DocPrint::new(
            0,
            0,
            None,
            None,
            keys.iter().map(|&key| SegmentPrint {
                start: 0,
                end: 0,
                key,
                words: 1,
                sentence: false,
                echo: crate::doc::repeats::Echo::Original,
            }),
        )
    }

    proptest::proptest! {
        /// Against a plain count of distinct representatives per key, in one slice or several.
        #[test]
        fn counts_match_a_set_per_key(
            docs in proptest::collection::vec(
                (proptest::collection::vec(0u64..40, 0..30), 0usize..8), 0..300),
            min_docs in 1usize..5,
            part_bits in 0u32..3,
        ) {
            // Keys spread over the whole key space (slices and buckets are by the top bits).
            let spread = |k: u64| k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let prints: Vec<DocPrint> = docs
                .iter()
                .map(|(keys, _)| print(&keys.iter().map(|&k| spread(k)).collect::<Vec<_>>()))
                .collect();
            // Some documents vote as an earlier one (a cluster's kept copy).
            let reps: Vec<u32> = docs
                .iter()
                .enumerate()
                .map(|(d, &(_, back))| d.saturating_sub(back % 3 * back) as u32)
                .collect();
            let got = frequent_keys_in_parts(&prints, &reps, min_docs, part_bits);
            proptest::prop_assert_eq!(got, reference(&prints, &reps, min_docs));
        }
    }

    /// The counts the plain way: the set of representatives of each key.
    fn reference(prints: &[DocPrint], reps: &[u32], min_docs: usize) -> HashMap<u64, u32> {
        let mut sets: HashMap<u64, std::collections::BTreeSet<u32>> = HashMap::default();
        for (p, &rep) in prints.iter().zip(reps) {
            for &k in &p.keys {
                sets.entry(k).or_default().insert(rep);
            }
        }
        sets.into_iter()
            .filter(|(_, s)| s.len() >= min_docs)
            .map(|(k, s)| (k, s.len() as u32))
            .collect()
    }

    #[test]
    fn a_long_document_with_repeated_lines_counts_once_per_key() {
        // Past DISTINCT_FROM segments, a document's keys are made distinct before they are
        // gathered.
        let spread = |k: u64| k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let long: Vec<u64> = (0..DISTINCT_FROM as u64 * 2)
            .map(|i| spread(i % 700))
            .collect();
        let prints = vec![
            print(&long),
            print(&[spread(1), spread(2), spread(2)]),
            print(&[spread(1), spread(699), spread(5000)]),
            print(&long[..10]),
        ];
        for reps in [[0, 1, 2, 3], [0, 1, 2, 0]] {
            for min_docs in 1..4 {
                let got = frequent_keys_in_parts(&prints, &reps, min_docs, 0);
                assert_eq!(
                    got,
                    reference(&prints, &reps, min_docs),
                    "{reps:?} {min_docs}"
                );
            }
        }
        let got = frequent_keys_in_parts(&prints, &[0, 1, 2, 3], 2, 0);
        assert_eq!(got.get(&spread(1)), Some(&4));
        assert_eq!(got.get(&spread(699)), Some(&2));
    }

    #[test]
    fn counts_distinct_documents_and_clusters() {
        let prints = vec![
            print(&[1, 2, 2]),
            print(&[1, 3]),
            print(&[1, 2]),
            print(&[3]),
        ];
        let freq = frequent_keys(&prints, &[0, 1, 2, 3], 2);
        assert_eq!(freq.get(&1), Some(&3));
        assert_eq!(freq.get(&2), Some(&2)); // twice in doc 0 counts once
        assert_eq!(freq.get(&3), Some(&2));
        // Docs 0 and 2 are copies of one story: key 2 is in one cluster only.
        let freq = frequent_keys(&prints, &[0, 1, 0, 3], 2);
        assert_eq!(freq.get(&2), None);
        assert_eq!(freq.get(&1), Some(&2));
    }
}
