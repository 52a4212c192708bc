//! MinHash signatures over word shingles (part of the fingerprint stage).
//!
//! In: a document's word hashes. Out: a [`Signature`] of `num_perm` 32-bit values whose share of
//! equal positions between two documents estimates the Jaccard similarity of their shingle sets.
//!
//! Shingles are word n-grams (default 5). Their hashes are rolled over the word hashes (a
//! polynomial hash updated in O(1) per word, then mixed), so no n-gram string is ever built.
//! The signature uses one-permutation hashing: each shingle hash is thrown into one of `num_perm`
//! bins by its high bits and each bin keeps its minimum, so a shingle costs O(1) rather than
//! `num_perm` hash evaluations. Empty bins are filled by optimal densification (Shrivastava, ICML
//! 2017): bin `i` copies the first non-empty bin along a probe sequence that depends only on `i`,
//! which keeps the collision probability of every bin equal to the Jaccard similarity.
//!
//! A document with fewer words than the shingle size has exactly one shingle, its whole word
//! sequence, so two short documents collide only when their words are identical; a document
//! without words gets no signature at all.

use crate::doc::normalize::mix;

/// Odd multiplier of the rolling polynomial hash.
const ROLL: u64 = 0x100_0000_01b3;

/// A MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// Share of equal positions: the MinHash estimate of Jaccard similarity.
    pub fn estimate(&self, other: &Signature) -> f64 {
        let n = self.0.len().min(other.0.len());
        if n == 0 {
            return 0.0;
        }
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / n as f64
    }
}

/// Calls `f` with the hash of every word n-gram of `words` (one call for the whole sequence when
/// it is shorter than `n`, none when it is empty).
pub fn for_each_shingle(words: &[u64], n: usize, mut f: impl FnMut(u64)) {
    let n = n.max(1);
    if words.is_empty() {
        return;
    }
    if words.len() <= n {
        let mut h = 0u64;
        for &w in words {
            h = h.wrapping_mul(ROLL).wrapping_add(w);
        }
        f(mix(h ^ words.len() as u64));
        return;
    }
    // top = ROLL^(n-1): the weight of the word that leaves the window.
    let top = (1..n).fold(1u64, |acc, _| acc.wrapping_mul(ROLL));
    let mut h = 0u64;
    for &w in &words[..n] {
        h = h.wrapping_mul(ROLL).wrapping_add(w);
    }
    f(mix(h ^ n as u64));
    for i in n..words.len() {
        h = h
            .wrapping_sub(words[i - n].wrapping_mul(top))
            .wrapping_mul(ROLL)
            .wrapping_add(words[i]);
        f(mix(h ^ n as u64));
    }
}

/// The sorted, deduplicated shingle hashes of a document: its exact shingle set.
pub fn shingle_set(words: &[u64], n: usize) -> Vec<u64> {
    let mut set = Vec::with_capacity(words.len());
    for_each_shingle(words, n, |h| set.push(h));
    set.sort_unstable();
    set.dedup();
    set
}

/// Exact Jaccard similarity of two sorted, deduplicated sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Shingles a verification sketch keeps (see [`sketch`]).
pub const SKETCH_LEN: usize = 1024;

/// The verification sketch of a document: the `k` smallest of its shingle hashes cut to their
/// top 31 bits, ascending and distinct. 31 bits make every value a non-negative `i32`: half the
/// storage of 64, and the same order in Rust and in Spark (which has no unsigned integers). Two
/// different shingles of a pair of 1,000-shingle documents share a value with probability about
/// 0.0005, which moves a similarity by 0.001 at most.
///
/// A document with at most `k` shingles keeps them all, so [`sketch_similarity`] of two such
/// documents whose union has at most `k` shingles is their exact Jaccard similarity; beyond that
/// it is the bottom-k estimate, whose standard error is about `sqrt(J(1-J)/k)`.
pub fn sketch(words: &[u64], n: usize, k: usize) -> Vec<u32> {
    let mut set = Vec::with_capacity(words.len());
    for_each_shingle(words, n, |h| set.push((h >> 33) as u32));
    // A long document: only its smallest values are sorted. Every value left out is at least as
    // large as every value kept, so the first `k` distinct values of the kept ones are those of
    // the whole set, unless the kept ones have fewer than `k` distinct values (repeated text).
    let keep = k + k / 4;
    if set.len() > keep {
        set.select_nth_unstable(keep); // reorders only: every value is still in `set`
        let mut small = set[..keep].to_vec();
        radsort::sort(&mut small);
        small.dedup();
        if small.len() >= k {
            small.truncate(k);
            return small;
        }
    }
    // Radix sorted: a few passes over at most `keep` integers, not a comparison sort.
    radsort::sort(&mut set);
    set.dedup();
    set.truncate(k);
    set
}

/// Bottom-k Jaccard estimate of two [`sketch`]es: of the `k` smallest values of their union, the
/// share found in both. Spelt out in `scripts/spark/cluster.py` with Spark's array functions,
/// which must give the same number.
pub fn sketch_similarity(a: &[u32], b: &[u32], k: usize) -> f64 {
    let (mut i, mut j, mut union, mut shared) = (0, 0, 0usize, 0usize);
    while union < k && (i < a.len() || j < b.len()) {
        let (x, y) = (a.get(i), b.get(j));
        match (x, y) {
            (Some(x), Some(y)) if x == y => {
                shared += 1;
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
        union += 1;
    }
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

/// Bin of a shingle hash: its high 32 bits scaled onto `0..k` (Lemire's multiply-shift range).
#[inline]
fn bin(h: u64, k: usize) -> usize {
    (((h >> 32) * k as u64) >> 32) as usize
}

/// One-permutation MinHash signature with optimal densification. `words` must not be empty.
pub fn signature(words: &[u64], shingle: usize, num_perm: usize) -> Signature {
    let k = num_perm.max(1);
    let mut bins = vec![u64::MAX; k];
    for_each_shingle(words, shingle, |h| {
        let b = bin(h, k);
        let v = h & 0xffff_ffff;
        if v < bins[b] {
            bins[b] = v;
        }
    });
    densify(&mut bins);
    Signature(bins.into_iter().map(|v| v as u32).collect())
}

/// Fills every empty bin (`u64::MAX`) from a non-empty one chosen by a probe sequence that depends
/// only on the bin's index, so every document fills bin `i` the same way.
fn densify(bins: &mut [u64]) {
    let k = bins.len();
    if bins.iter().all(|&v| v != u64::MAX) {
        return;
    }
    let filled: Vec<u64> = bins.to_vec();
    if filled.iter().all(|&v| v == u64::MAX) {
        return;
    }
    for (i, slot) in bins.iter_mut().enumerate() {
        if *slot != u64::MAX {
            continue;
        }
        let mut attempt: u64 = 0;
        *slot = loop {
            let probe = bin(mix(((i as u64) << 32) ^ attempt ^ 0xd1b5_4a32_d192_ed03), k);
            if filled[probe] != u64::MAX {
                break filled[probe];
            }
            attempt += 1;
            if attempt > 64 * k as u64 {
                // Practically unreachable; a fixed fallback keeps the result deterministic.
                break filled.iter().copied().find(|&v| v != u64::MAX).unwrap_or(0);
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize, seed: u64) -> Vec<u64> {
        (0..n as u64).map(|i| mix(i ^ (seed << 40))).collect()
    }

    #[test]
    fn rolling_hash_equals_direct_hash() {
        let w = words(20, 1);
        let mut rolled = Vec::new();
        for_each_shingle(&w, 5, |h| rolled.push(h));
        let mut direct = Vec::new();
        for win in w.windows(5) {
            for_each_shingle(win, 5, |h| direct.push(h));
        }
        assert_eq!(rolled, direct);
    }

    #[test]
    fn short_documents_have_one_shingle_each() {
        let mut n = 0;
        for_each_shingle(&words(3, 1), 5, |_| n += 1);
        assert_eq!(n, 1);
        let a = signature(&words(3, 1), 5, 128);
        let b = signature(&words(3, 2), 5, 128);
        assert_eq!(a.estimate(&a.clone()), 1.0);
        assert!(a.estimate(&b) < 0.05);
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        // b shares a prefix with a, then diverges: a range of true similarities.
        let mut errors = Vec::new();
        for (seed, keep) in [(1u64, 950usize), (2, 800), (3, 600), (4, 300), (5, 100)] {
            let a = words(1000, seed);
            let mut b = a[..keep].to_vec();
            b.extend(words(1000 - keep, seed + 100));
            let exact = jaccard(&shingle_set(&a, 5), &shingle_set(&b, 5));
            let est = signature(&a, 5, 256).estimate(&signature(&b, 5, 256));
            errors.push((exact - est).abs());
        }
        let mean = errors.iter().sum::<f64>() / errors.len() as f64;
        assert!(mean < 0.05, "{errors:?}");
    }

    #[test]
    fn jaccard_of_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
    }

    proptest::proptest! {
        /// The sketch is the `k` smallest distinct shingle values, whatever path computed it:
        /// vocabularies this small repeat shingles, which sends some documents down the path
        /// for repeated text.
        #[test]
        fn sketch_is_the_k_smallest_distinct_values(
            vocabulary in 1u64..400,
            len in 0usize..3000,
            k in 1usize..300,
            seed in 0u64..1000,
        ) {
            let words: Vec<u64> = (0..len as u64).map(|i| mix(seed ^ mix(i)) % vocabulary).collect();
            let mut all = Vec::new();
            for_each_shingle(&words, 2, |h| all.push((h >> 33) as u32));
            all.sort_unstable();
            all.dedup();
            all.truncate(k);
            proptest::prop_assert_eq!(sketch(&words, 2, k), all);
        }
    }

    #[test]
    fn sketch_similarity_is_exact_for_small_sets_and_close_for_large() {
        let a = words(300, 7);
        let mut b = a.clone();
        b[150] = 12345;
        let (sa, sb) = (sketch(&a, 5, SKETCH_LEN), sketch(&b, 5, SKETCH_LEN));
        let exact = jaccard(&shingle_set(&a, 5), &shingle_set(&b, 5));
        assert_eq!(sketch_similarity(&sa, &sb, SKETCH_LEN), exact);
        assert!(sa.iter().all(|&v| v <= i32::MAX as u32));
        // Beyond k shingles: the bottom-k estimate, within a few standard errors.
        let a = words(20_000, 3);
        let mut b = a.clone();
        for i in (0..b.len()).step_by(40) {
            b[i] ^= 1;
        }
        let exact = jaccard(&shingle_set(&a, 5), &shingle_set(&b, 5));
        let est = sketch_similarity(&sketch(&a, 5, 256), &sketch(&b, 5, 256), 256);
        assert!((est - exact).abs() < 0.1, "{est} vs {exact}");
        assert_eq!(sketch_similarity(&[], &[], 8), 0.0);
    }
}
