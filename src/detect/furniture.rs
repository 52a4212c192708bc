//! Page furniture (detect stage): one document's [`Evidence`] and the corpus's key counts in, the
//! furniture probability of each segment out (and the sentence tails that are cut on their own).
//!
//! Stage 1 adds corpus evidence to each segment's local score: in how many documents it occurs,
//! and whether its template (its words without digits) is in two or more. Stage 2 reads each
//! segment in its context: its neighbours' stage-1 scores, and where it lies against the
//! document's main block of text — the run of segments whose content-like bytes outweigh their
//! furniture-like bytes the most (a maximum-sum run, as in Finn et al.'s body text extraction).
//! A short heading inside the article stays; a teaser paragraph in a "Related" box after it goes.

use crate::fingerprint::SegmentPrint;
use crate::furniture::{sigmoid, Evidence, CONTEXT, CONTEXT_BIAS, CORPUS, EDGE_SCORE};
use rustc_hash::FxHashMap as HashMap;

/// Stage-2 signals named in the report's reason (above the local ones of
/// [`crate::furniture::signal`]).
pub mod signal {
    pub const IN_DOCUMENTS: u16 = 1 << 8;
    pub const TEMPLATE: u16 = 1 << 9;
    pub const AMID_FURNITURE: u16 = 1 << 10;
    pub const OUTSIDE_MAIN_TEXT: u16 = 1 << 11;
}

/// One segment's verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Probability that the segment is furniture.
    pub p: f32,
    /// Which signals held (bit set: [`crate::furniture::signal`] and [`signal`]).
    pub signals: u16,
}

/// The furniture probability of every segment of a document.
///
/// Corpus evidence counts from two documents on for segments without a sentence, but only from
/// `min_docs` on for those with one: a sentence shared by two related stories is their text, and
/// boilerplate has no kept copy, so cutting it would lose it from both.
pub fn scores(
    segs: &[SegmentPrint],
    e: &Evidence,
    counts: &HashMap<u64, u32>,
    min_docs: usize,
) -> Vec<Score> {
    let n = segs.len();
    debug_assert_eq!(e.local.len(), n);
    let mut signals: Vec<u16> = e.signals.iter().map(|&s| u16::from(s)).collect();
    let shared = |s: &SegmentPrint, key: u64| {
        let docs = counts.get(&key).copied().unwrap_or(1);
        let enough = if s.sentence { min_docs.max(2) } else { 2 };
        (docs as usize >= enough).then_some(docs)
    };
    // Stage 1: the segment and the corpus.
    let mut z1: Vec<f32> = Vec::with_capacity(n);
    for (i, (s, &local)) in segs.iter().zip(e.local.iter()).enumerate() {
        let mut z = local;
        if let Some(docs) = shared(s, s.key) {
            z += CORPUS[0] + CORPUS[1] * (docs as f32).ln();
            signals[i] |= signal::IN_DOCUMENTS;
        }
        z1.push(z);
    }
    for &(i, key) in e.templates.iter() {
        if shared(&segs[i as usize], key).is_some() {
            z1[i as usize] += CORPUS[2];
            signals[i as usize] |= signal::TEMPLATE;
        }
    }
    // The main block: the run with the largest sum of ±bytes (+ for content-like segments).
    let (mut best, mut block) = (f64::MIN, (0, n.saturating_sub(1)));
    let (mut sum, mut from) = (0.0f64, 0);
    for (j, s) in segs.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            from = j;
        }
        let bytes = (s.end - s.start) as f64;
        sum += if z1[j] < 0.0 { bytes } else { -bytes };
        if sum > best {
            best = sum;
            block = (from, j);
        }
    }
    // Stage 2: the context.
    let len = segs.last().map_or(1, |s| s.end).max(1) as f32;
    (0..n)
        .map(|j| {
            let prev = if j > 0 { z1[j - 1] } else { EDGE_SCORE };
            let next = if j + 1 < n { z1[j + 1] } else { EDGE_SCORE };
            let window = &z1[j.saturating_sub(3)..(j + 4).min(n)];
            let mean = window.iter().sum::<f32>() / window.len() as f32;
            let (before, after) = (j < block.0, j > block.1);
            let distance = if before {
                block.0 - j
            } else if after {
                j - block.1
            } else {
                0
            };
            let pos = segs[j].start as f32 / len;
            let b = |x: bool| if x { 1.0 } else { 0.0 };
            let x = [
                z1[j],
                prev,
                next,
                mean,
                b(before),
                b(after),
                (distance as f32).ln_1p(),
                b(pos < 0.1),
                b(pos > 0.9),
            ];
            let z2 = CONTEXT_BIAS + x.iter().zip(CONTEXT).map(|(x, w)| x * w).sum::<f32>();
            let mut sig = signals[j];
            if prev > 0.0 && next > 0.0 {
                sig |= signal::AMID_FURNITURE;
            }
            if before || after {
                sig |= signal::OUTSIDE_MAIN_TEXT;
            }
            Score {
                p: sigmoid(z2),
                signals: sig,
            }
        })
        .collect()
}

/// The report's words for a set of signals, strongest first, at most three.
pub fn describe(signals: u16) -> String {
    use crate::furniture::signal as local;
    let names: [(u16, &str); 9] = [
        (u16::from(local::CUE), "furniture phrase"),
        (signal::IN_DOCUMENTS, "in other documents"),
        (signal::TEMPLATE, "template in other documents"),
        (u16::from(local::SYMBOLS), "symbols and digits"),
        (u16::from(local::FEW_STOP_WORDS), "few stop words"),
        (u16::from(local::SHORT), "short"),
        (u16::from(local::NO_SENTENCE), "no sentence"),
        (signal::AMID_FURNITURE, "amid furniture"),
        (signal::OUTSIDE_MAIN_TEXT, "outside the main text"),
    ];
    let named: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| signals & bit != 0)
        .map(|&(_, name)| name)
        .take(3)
        .collect();
    if named.is_empty() {
        "context".to_string()
    } else {
        named.join(", ")
    }
}
