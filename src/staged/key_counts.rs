//! The paragraph count of `cluster`: the `paras` tables and who each document votes as in, the
//! document count of every key counted in enough documents out (one vote per near-duplicate
//! cluster).

use super::schema;
use super::tables::{self, Rows};
use crate::Error;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::Path;

/// The paragraph count is split into this many ranges of keys, counted in parallel, each in
/// memory: a range is read from the row groups of every `paras` file whose keys overlap it.
const KEY_RANGES: usize = 32; // a power of two (see `count_range`)

/// Document counts (one vote per cluster) of the keys of `paras` in at least `min_docs`
/// documents, sorted by key.
///
/// `sign` writes each `paras` file sorted by key in row groups of 16k rows, so the footer's
/// min/max of each row group tells which key range it holds. The key space is cut into
/// [`KEY_RANGES`] ranges; a range's rows are gathered from the row groups overlapping it (with the
/// representative of their document), then counted in memory: most keys occur in one document
/// only, so a bitset pass (about 8 bits a row, small enough for the caches) keeps only the rows
/// whose key's slot was seen twice, and those are sorted and counted exactly. Files that are not
/// sorted give the same counts, only slower (every row group overlaps every range).
///
/// `index(doc_id)` is the document's index in corpus order (an error for an unknown doc_id).
pub fn count_keys(
    paras: &Path,
    index: impl Fn(i64) -> Result<u32, Error> + Sync,
    representative: &[u32],
    min_docs: usize,
) -> Result<Vec<(u64, u32)>, Error> {
    let files = tables::files(paras)?;
    let groups: Vec<Vec<Option<(i64, i64)>>> = files
        .iter()
        .map(|f| tables::row_group_ranges(f, schema::PARA_HASH))
        .collect::<Result<_, _>>()?;
    // Documents in a near-duplicate cluster share their vote; every other document is its own.
    let mut in_cluster = vec![false; representative.len()];
    for (d, &r) in representative.iter().enumerate() {
        if r as usize != d {
            in_cluster[d] = true;
            in_cluster[r as usize] = true;
        }
    }
    let ranges = key_ranges(KEY_RANGES);
    // A range holds about its share of the rows (keys are hashes); a little more is reserved so
    // that the vector does not grow (and copy) near the end.
    let expected = tables::row_count(paras)? as usize / KEY_RANGES;
    let counted: Vec<Result<Vec<(u64, u32)>, Error>> = ranges
        .par_iter()
        // Each worker reuses its buffers from range to range (fresh ones cost page faults).
        .map_init(Buffers::default, |buffers, &(lo, hi)| {
            let rows = &mut buffers.rows;
            rows.clear();
            rows.reserve(expected + expected / 8);
            for (path, file_groups) in files.iter().zip(&groups) {
                let wanted: Vec<usize> = (0..file_groups.len())
                    .filter(|&g| file_groups[g].is_none_or(|(min, max)| min <= hi && max >= lo))
                    .collect();
                if wanted.is_empty() {
                    continue;
                }
                let columns = [schema::PARA_HASH, schema::DOC_ID];
                tables::for_each_batch_of(path, &columns, Rows::Groups(&wanted), |b| {
                    let (hash, doc) = (b.i64(schema::PARA_HASH)?, b.i64(schema::DOC_ID)?);
                    let pairs = hash.values().iter().zip(doc.values().iter());
                    let inside = pairs.filter(|(key, _)| (lo..=hi).contains(*key));
                    rows.extend(inside.map(|(&key, &doc)| (key, doc)));
                    Ok(())
                })?;
            }
            // The documents' voters (their clusters' representatives), once the rows that
            // cannot count are gone.
            let voter = |doc: i64| -> Result<Voter, Error> {
                let d = index(doc)? as usize;
                Ok(Voter {
                    id: representative[d],
                    shared: in_cluster[d],
                })
            };
            count_range(buffers, KEY_RANGES.trailing_zeros(), min_docs, voter)
        })
        .collect();
    let mut counts = Vec::new();
    for range in counted {
        counts.extend(range?);
    }
    counts.sort_unstable();
    Ok(counts)
}

/// `n` ranges of `i64` keys, inclusive, in order, covering every key; with `n` a power of two,
/// the keys of a range share their top log2(n) bits (of the key's bits with the sign flipped).
fn key_ranges(n: usize) -> Vec<(i64, i64)> {
    let step = (1u64 << 63) / n as u64 * 2;
    (0..n as u64)
        .map(|r| {
            let lo = i64::MIN.wrapping_add((r * step) as i64);
            let hi = if r + 1 == n as u64 {
                i64::MAX
            } else {
                lo.wrapping_add(step as i64 - 1)
            };
            (lo, hi)
        })
        .collect()
}

/// A worker's memory for [`count_range`]: the rows of a range, and its bitsets.
#[derive(Default)]
struct Buffers {
    rows: Vec<(i64, i64)>,
    sets: Vec<[u64; 2]>,
}

/// Who a document votes as: its cluster's representative, and whether other documents share
/// that vote (members of a near-duplicate cluster).
#[derive(Debug, Clone, Copy)]
struct Voter {
    id: u32,
    shared: bool,
}

/// The keys of `buffers.rows` (key, doc_id) with at least `min_docs` distinct voters (`voter(doc_id)`),
/// and their counts, in the order of the keys as stored (`i64`).
///
/// The keys share their top `range_bits` bits (a range of [`key_ranges`]). With `min_docs` ≥ 2, a
/// bitset pass first drops nearly every row whose key occurs once: a row is kept when both its
/// key's bits were seen twice. The kept rows are counted in a hash map, except those of documents that share a vote,
/// which are deduplicated by (key, voter) first.
fn count_range(
    buffers: &mut Buffers,
    range_bits: u32,
    min_docs: usize,
    voter: impl Fn(i64) -> Result<Voter, Error>,
) -> Result<Vec<(u64, u32)>, Error> {
    if min_docs >= 2 {
        // Blocks of 64 bits, "seen" and "seen again" side by side: about 8 bits a row. A key's
        // block is its position in the range (its top bits after the range's), so the sorted
        // runs of a range's rows walk the blocks in order instead of at random; its two bits
        // in the block come from a hash of it.
        let blocks_log2 = (buffers.rows.len() / 8)
            .max(1)
            .next_power_of_two()
            .trailing_zeros();
        let blocks_log2 = blocks_log2.min(63 - range_bits);
        let sets = &mut buffers.sets;
        sets.clear();
        sets.resize(1 << blocks_log2, [0; 2]);
        let block = |key: i64| {
            let position = ((key as u64) ^ (1 << 63)) << range_bits;
            let h = (key as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let bits = (1u64 << (h >> 58)) | (1u64 << ((h >> 52) & 63));
            let b = position.checked_shr(64 - blocks_log2).unwrap_or(0);
            (b as usize, bits)
        };
        for &(key, _) in &buffers.rows {
            let (b, m) = block(key);
            let [seen, again] = &mut sets[b];
            *again |= *seen & m;
            *seen |= m;
        }
        buffers.rows.retain(|&(key, _)| {
            let (b, m) = block(key);
            sets[b][1] & m == m
        });
    }
    // A row given twice (sign writes each (key, doc) once, sorted, so copies are adjacent).
    let rows = &mut buffers.rows;
    rows.dedup();
    let mut counts: FxHashMap<i64, u32> = FxHashMap::default();
    let mut shared: Vec<(i64, u32)> = Vec::new();
    for &(key, doc) in rows.iter() {
        let v = voter(doc)?;
        if v.shared {
            shared.push((key, v.id));
        } else {
            *counts.entry(key).or_default() += 1;
        }
    }
    shared.sort_unstable();
    shared.dedup();
    for (key, _) in shared {
        *counts.entry(key).or_default() += 1;
    }
    let mut out: Vec<(i64, u32)> = counts
        .into_iter()
        .filter(|&(_, n)| n as usize >= min_docs.max(1))
        .collect();
    out.sort_unstable();
    Ok(out.into_iter().map(|(k, n)| (k as u64, n)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_key_once() {
        for n in [1, 2, 3, 32] {
            let r = key_ranges(n);
            assert_eq!(r.len(), n);
            assert_eq!(r[0].0, i64::MIN);
            assert_eq!(r[n - 1].1, i64::MAX);
            for w in r.windows(2) {
                assert!(w[0].0 <= w[0].1);
                assert_eq!(w[0].1.checked_add(1), Some(w[1].0));
            }
        }
    }

    #[test]
    fn a_range_counts_distinct_voters() {
        // (key, voter): voter 2 holds key 1 twice (two members of one cluster), one vote.
        let rows = vec![
            (5, 1),
            (1, 0),
            (1, 2),
            (3, 4),
            (1, 2),
            (5, 7),
            (-8, 3),
            (1, 9),
            (3, 4),
            (-8, 4),
        ];
        // Documents 10 + v vote as v; documents 12 and 102 are one cluster (voter 2).
        let mut rows: Vec<(i64, i64)> = rows
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    if v == 2 && k == 1 {
                        102
                    } else {
                        10 + i64::from(v)
                    },
                )
            })
            .collect();
        rows.sort_unstable(); // as in a file
        let voter = |doc: i64| {
            Ok(match doc {
                12 | 102 => Voter {
                    id: 2,
                    shared: true,
                },
                _ => Voter {
                    id: (doc - 10) as u32,
                    shared: false,
                },
            })
        };
        // In the order of the stored (signed) keys.
        let count = |rows: Vec<(i64, i64)>, min_docs| {
            let mut buffers = Buffers {
                rows,
                sets: Vec::new(),
            };
            count_range(&mut buffers, 0, min_docs, voter).unwrap()
        };
        let all = count(rows.clone(), 1);
        assert_eq!(all, vec![(-8i64 as u64, 2), (1, 3), (3, 1), (5, 2)]);
        let two = count(rows, 2);
        assert_eq!(two, vec![(-8i64 as u64, 2), (1, 3), (5, 2)]);
        // Many singletons around them: the bitset pass drops them, the counts stay.
        let mut rows: Vec<(i64, i64)> = (0..10_000).map(|k| (k * 7919 + 11, 10)).collect();
        rows.extend([(42, 11), (42, 12), (42, 11)]);
        rows.sort_unstable();
        assert_eq!(count(rows, 2), vec![(42, 2)]);
    }
}
