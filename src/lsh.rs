//! LSH banding (detect stage, near duplicates): signatures in, candidate document pairs out.
//!
//! A signature of `b × r` values is cut into `b` bands of `r` rows; two documents become a
//! candidate pair when any band is equal. The probability of that, for documents of Jaccard `s`,
//! is the S-curve `1 - (1 - s^r)^b`. [`LshParams::choose`] picks `b` and `r` for a threshold by
//! minimising the weighted area of false positives (the curve below the threshold) and false
//! negatives (one minus the curve above it), weighting misses more because every candidate is
//! verified afterwards: a false positive costs a little time, a false negative a lost duplicate.
//!
//! Grouping is done on a sorted array of `(band, band key, doc)` records rather than hash-map
//! buckets: a sort is cache-friendly, parallel, and its output order is deterministic.

use crate::minhash::Signature;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Weight of the false-negative area against the false-positive area.
pub const MISS_WEIGHT: f64 = 0.99;
/// Buckets larger than this are linked as a star plus a chain instead of all pairs.
const MAX_ALL_PAIRS_BUCKET: usize = 32;

/// Number of bands and rows per band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    pub bands: usize,
    pub rows: usize,
}

impl LshParams {
    /// The `bands × rows` (with `bands × rows <= num_perm`) that minimises
    /// `(1 - MISS_WEIGHT) * false_positive_area + MISS_WEIGHT * false_negative_area`.
    pub fn choose(threshold: f64, num_perm: usize) -> LshParams {
        // The costs of every `bands × rows`, each power of `s` one multiplication from the last
        // rather than a `powi` per point: a run chooses before any work starts, on one core.
        let below = Grid::new(0.0, threshold);
        let above = Grid::new(threshold, 1.0);
        // costs[bands][rows - 1]
        let mut costs = vec![Vec::new(); num_perm.max(1) + 1];
        // s^rows at each point
        let (mut below_rows, mut above_rows) = (below.ones(), above.ones());
        for rows in 1..=num_perm {
            below.times(&mut below_rows);
            above.times(&mut above_rows);
            // 1 - s^rows: one band differs. Its powers (1 - s^rows)^bands: no band in common.
            let miss = |pow: &[f64]| pow.iter().map(|&p| 1.0 - p).collect::<Vec<f64>>();
            let (miss_below, miss_above) = (miss(&below_rows), miss(&above_rows));
            let (mut none_below, mut none_above) = (below.ones(), above.ones());
            for by_rows in &mut costs[1..=num_perm / rows] {
                mul(&mut none_below, &miss_below);
                mul(&mut none_above, &miss_above);
                let fp = below.integral(none_below.iter().map(|&q| 1.0 - q));
                let fneg = above.integral(none_above.iter().map(|&q| 1.0 - (1.0 - q)));
                by_rows.push((1.0 - MISS_WEIGHT) * fp + MISS_WEIGHT * fneg);
            }
        }
        let mut best = (
            f64::INFINITY,
            LshParams {
                bands: 1,
                rows: num_perm.max(1),
            },
        );
        for (bands, by_rows) in costs.iter().enumerate() {
            for (r, &cost) in by_rows.iter().enumerate() {
                if cost < best.0 - 1e-12 {
                    best = (cost, LshParams { bands, rows: r + 1 });
                }
            }
        }
        best.1
    }

    /// Probability that two documents of Jaccard `s` share at least one band.
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The S-curve as `(similarity, probability)` points from 0.5 to 1.0.
    pub fn s_curve(&self) -> Vec<(f64, f64)> {
        (0..=10)
            .map(|i| {
                let s = 0.5 + 0.05 * i as f64;
                (s, self.probability(s))
            })
            .collect()
    }

    /// One key per band of `sig`.
    pub fn band_keys<'a>(&'a self, sig: &'a Signature) -> impl Iterator<Item = u64> + 'a {
        (0..self.bands).map(move |b| {
            let rows = &sig.0[b * self.rows..(b + 1) * self.rows];
            let mut bytes = [0u8; 4 * 64];
            let mut key = b as u64;
            for chunk in rows.chunks(64) {
                for (i, v) in chunk.iter().enumerate() {
                    bytes[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
                }
                key = xxh3_64_with_seed(&bytes[..4 * chunk.len()], key);
            }
            key
        })
    }
}

/// The midpoints of [`INTEGRAL_STEPS`] equal steps over `[a, b]`, for the midpoint rule.
struct Grid {
    points: Vec<f64>,
    step: f64,
}

const INTEGRAL_STEPS: usize = 200;

impl Grid {
    fn new(a: f64, b: f64) -> Grid {
        let step = (b - a) / INTEGRAL_STEPS as f64;
        let points = (0..INTEGRAL_STEPS)
            .map(|i| a + (i as f64 + 0.5) * step)
            .collect();
        Grid { points, step }
    }

    fn ones(&self) -> Vec<f64> {
        vec![1.0; self.points.len()]
    }

    /// Multiplies each value by its point.
    fn times(&self, values: &mut [f64]) {
        mul(values, &self.points);
    }

    /// The integral of the function whose values at the points are `values`.
    fn integral(&self, values: impl Iterator<Item = f64>) -> f64 {
        values.sum::<f64>() * self.step
    }
}

fn mul(values: &mut [f64], by: &[f64]) {
    for (v, b) in values.iter_mut().zip(by) {
        *v *= b;
    }
}

/// Candidate pairs `(a, b)` with `a < b`, sorted and unique, of the documents that share a band.
/// `bands[i]` is document `i`'s band keys ([`LshParams::band_keys`]), `None` for documents
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
    fn chosen_params_fit_the_signature_and_lean_to_recall() {
        let p = LshParams::choose(0.8, 128);
        assert!(p.bands * p.rows <= 128);
        // A pair at the threshold is found with high probability; a pair at 0.5 rarely.
        assert!(p.probability(0.8) > 0.97, "{p:?}");
        assert!(p.probability(0.95) > 0.999, "{p:?}");
        assert!(p.probability(0.5) < 0.2, "{p:?}");
        // Lower thresholds need shorter bands.
        assert!(LshParams::choose(0.5, 128).rows < p.rows);
    }

    /// The choice as first written: each cost integrated from the S-curve itself.
    fn choose_by_integrals(threshold: f64, num_perm: usize) -> LshParams {
        let integrate = |f: &dyn Fn(f64) -> f64, a: f64, b: f64| {
            let h = (b - a) / 200.0;
            (0..200).map(|i| f(a + (i as f64 + 0.5) * h)).sum::<f64>() * h
        };
        let mut best = (
            f64::INFINITY,
            LshParams {
                bands: 1,
                rows: num_perm,
            },
        );
        for bands in 1..=num_perm {
            for rows in 1..=num_perm / bands {
                let p = LshParams { bands, rows };
                let fp = integrate(&|s| p.probability(s), 0.0, threshold);
                let fneg = integrate(&|s| 1.0 - p.probability(s), threshold, 1.0);
                let cost = (1.0 - MISS_WEIGHT) * fp + MISS_WEIGHT * fneg;
                if cost < best.0 - 1e-12 {
                    best = (cost, p);
                }
            }
        }
        best.1
    }

    #[test]
    fn powers_by_multiplication_choose_what_the_integrals_of_the_curve_choose() {
        for num_perm in [1, 2, 16, 64, 128, 200, 256] {
            for t in 1..=20 {
                let threshold = t as f64 / 20.0;
                assert_eq!(
                    LshParams::choose(threshold, num_perm),
                    choose_by_integrals(threshold, num_perm),
                    "{threshold} {num_perm}"
                );
            }
        }
    }

    #[test]
    fn s_curve_is_increasing() {
        let c = LshParams { bands: 16, rows: 8 }.s_curve();
        assert!(c.windows(2).all(|w| w[0].1 <= w[1].1));
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
