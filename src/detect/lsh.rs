//! LSH grouping (detect stage, near duplicates): every document's band keys in, candidate
//! document pairs out.
//!
//! Grouping is done on a sorted array of `(band, band key, doc)` records rather than hash-map
//! buckets: a sort is cache-friendly, parallel, and its output order is deterministic.

use rayon::prelude::*;

/// Buckets larger than this are linked as a star plus a chain instead of all pairs.
const MAX_ALL_PAIRS_BUCKET: usize = 32;

/// Candidate pairs `(a, b)` with `a < b`, sorted and unique, of the documents that share a band.
/// `bands[i]` is document `i`'s band keys ([`crate::doc::bands::LshParams::band_keys`]), `None` for documents
/// without words.
pub fn candidate_pairs(bands: &[Option<&[u64]>]) -> Vec<(u32, u32)> {
    let records: Vec<BandRecord> = bands
        .par_iter()
        .enumerate()
        .flat_map_iter(|(doc, keys)| {
            keys.iter().flat_map(move |keys| {
                keys.iter()
                    .enumerate()
                    .map(move |(band, &key)| band_record(band as u32, key, doc as u32))
            })
        })
        .collect();
    pairs_of_records(records)
}

/// One band of one document, (band, band key, doc) packed into two words so that sorting the
/// records sorts them by band, key and doc: two `u64` compare faster than three fields (the sort
/// of 50 M records is most of the staged `cluster`'s bucket step).
pub type BandRecord = (u64, u64);

/// The [`BandRecord`] of document `doc`'s key `key` in band `band`.
pub fn band_record(band: u32, key: u64, doc: u32) -> BandRecord {
    (
        (u64::from(band) << 32) | (key >> 32),
        (key << 32) | u64::from(doc),
    )
}

/// [`candidate_pairs`] from band records in any order (the staged `cluster` reads them from the
/// `bands` table).
pub fn pairs_of_records(mut records: Vec<BandRecord>) -> Vec<(u32, u32)> {
    records.par_sort_unstable();
    let mut pairs: Vec<(u32, u32)> = records
        .par_chunk_by(|x, y| x.0 == y.0 && x.1 >> 32 == y.1 >> 32)
        .filter(|bucket| bucket.len() > 1)
        .flat_map_iter(|bucket| {
            let docs: Vec<u32> = bucket.iter().map(|r| r.1 as u32).collect();
            bucket_pairs(&docs)
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Pairs to verify inside one bucket: all pairs of a small bucket; for a large one, every member
/// against the first and each against its successor, which keeps the work linear while still
/// letting union-find connect the whole bucket.
fn bucket_pairs(docs: &[u32]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    if docs.len() <= MAX_ALL_PAIRS_BUCKET {
        for (i, &a) in docs.iter().enumerate() {
            for &b in &docs[i + 1..] {
                out.push((a, b));
            }
        }
    } else {
        for w in docs.windows(2) {
            out.push((docs[0], w[1]));
            if w[0] != docs[0] {
                out.push((w[0], w[1]));
            }
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::bands::LshParams;
    use crate::doc::minhash::Signature;

    #[test]
    fn band_records_sort_as_their_fields() {
        let fields = [
            (0u32, 0u64, 0u32),
            (0, u64::MAX, 7),
            (1, 5, 2),
            (1, 5, 1),
            (1, 1 << 32, 0),
            (1, (1 << 32) - 1, u32::MAX),
            (17, 3, 3),
            (2, 0xdead_beef_0000_0001, 9),
        ];
        let mut by_fields = fields.to_vec();
        by_fields.sort_unstable();
        let mut records: Vec<_> = fields
            .iter()
            .map(|&(b, k, d)| band_record(b, k, d))
            .collect();
        records.sort_unstable();
        let packed: Vec<_> = by_fields
            .iter()
            .map(|&(b, k, d)| band_record(b, k, d))
            .collect();
        assert_eq!(records, packed);
        // The doc and the bucket (band, key) come back out.
        let r = band_record(2, 0xdead_beef_0000_0001, 9);
        assert_eq!((r.0, r.1 >> 32, r.1 as u32), (2 << 32 | 0xdead_beef, 1, 9));
    }

    #[test]
    fn equal_signatures_are_candidates() {
        let a = Signature((0..128).collect());
        let mut b = a.clone();
        b.0[0] = 999; // differs in one band only
        let c = Signature((1000..1128).collect());
        let p = LshParams { bands: 16, rows: 8 };
        let keys = |s: &Signature| p.band_keys(s).collect::<Vec<u64>>();
        let (a, b, c) = (keys(&a), keys(&b), keys(&c));
        let pairs = candidate_pairs(&[Some(&a), Some(&c), None, Some(&b)]);
        assert_eq!(pairs, vec![(0, 3)]);
    }

    #[test]
    fn large_buckets_stay_connected() {
        let docs: Vec<u32> = (0..100).collect();
        let pairs = bucket_pairs(&docs);
        assert!(pairs.len() < 300);
        assert!((1..100).all(|d| pairs.contains(&(0, d))));
    }
}
