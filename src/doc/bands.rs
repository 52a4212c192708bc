//! LSH bands (document stage): how a MinHash signature is cut into bands, and the band keys of
//! one signature.
//!
//! A signature of `b × r` values is cut into `b` bands of `r` rows; two documents become a
//! candidate pair when any band is equal. The probability of that, for documents of Jaccard `s`,
//! is the S-curve `1 - (1 - s^r)^b`. [`LshParams::choose`] picks `b` and `r` for a threshold by
//! minimising the weighted area of false positives (the curve below the threshold) and false
//! negatives (one minus the curve above it), weighting misses more because every candidate is
//! verified afterwards: a false positive costs a little time, a false negative a lost duplicate.
//! Grouping documents by their band keys is the near-duplicate detector's
//! ([`crate::detect::lsh`]).

use super::minhash::Signature;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Weight of the false-negative area against the false-positive area.
pub const MISS_WEIGHT: f64 = 0.99;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
