//! The model's second stage (detect stage): one document's segments, its [`Evidence`] and the
//! corpus's key counts in, the furniture probability of each segment out.
//!
//! Stage 1 adds corpus evidence to each segment's local score: in how many documents it occurs,
//! and whether its template (its words without digits) is in two or more. Stage 2 reads each
//! segment in its context: its neighbours' stage-1 scores, and where it lies against the
//! document's main block of text — the run of segments whose content-like bytes outweigh their
//! furniture-like bytes the most (a maximum-sum run, as in Finn et al.'s body text extraction).
//! A short heading inside the article stays; a teaser paragraph in a "Related" box after it goes;
//! a run of short lines between two paragraphs of the article (a table of figures) stays unless it
//! has a cue phrase or corpus evidence.

use super::{dump, signal};
use super::{
    sigmoid, Evidence, CONTEXT, CONTEXT_BIAS, CORPUS, EDGE_SCORE, HEADLINE, HEADLINE_REACH,
    HEADLINE_WORDS, INTERIOR,
};
use rustc_hash::FxHashMap as HashMap;

/// What a furniture-like segment costs the main block beyond its bytes. Set on the fit sites of
/// `boilerplate-sites-en` (0, 25, 50, 100, 200 tried; see the README).
const BLOCK_SEGMENT_COST: f64 = 50.0;

/// What the second stage reads of a segment (the document stage's segment prints give it).
pub trait Segment {
    /// Byte offsets of the segment in its document (start, end).
    fn bytes(&self) -> (usize, usize);
    /// Its matching key (the corpus counts are by key).
    fn key(&self) -> u64;
    /// Whether it holds a sentence end.
    fn sentence(&self) -> bool;
    /// Its number of words.
    fn words(&self) -> u32;
}

/// One segment's verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Probability that the segment is furniture.
    pub p: f32,
    /// Which signals held (a bit set of [`signal`]).
    pub signals: u16,
}

/// The furniture probability of every segment of a document.
///
/// Corpus evidence counts from two documents on for segments without a sentence, but only from
/// `min_docs` on for those with one: a sentence shared by two related stories is their text, and
/// boilerplate has no kept copy, so cutting it would lose it from both.
pub fn scores<S: Segment>(
    segs: &[S],
    e: &Evidence,
    counts: &HashMap<u64, u32>,
    min_docs: usize,
) -> Vec<Score> {
    let n = segs.len();
    debug_assert_eq!(e.local.len(), n);
    let mut signals: Vec<u16> = e.signals.iter().map(|&s| u16::from(s)).collect();
    let shared = |s: &S, key: u64| {
        let docs = counts.get(&key).copied().unwrap_or(1);
        let enough = if s.sentence() { min_docs.max(2) } else { 2 };
        (docs as usize >= enough).then_some(docs)
    };
    // Stage 1: the segment and the corpus.
    let mut z1: Vec<f32> = Vec::with_capacity(n);
    for (i, (s, &local)) in segs.iter().zip(e.local.iter()).enumerate() {
        let mut z = local;
        if let Some(docs) = shared(s, s.key()) {
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
    // The main block: the run with the largest sum of ±bytes (+ for content-like segments, and
    // a furniture-like segment costs BLOCK_SEGMENT_COST more: a few short lines between an
    // article and its comments end the article).
    let (mut best, mut block) = (f64::MIN, (0, n.saturating_sub(1)));
    let (mut sum, mut from) = (0.0f64, 0);
    for (j, s) in segs.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            from = j;
        }
        let (start, end) = s.bytes();
        let bytes = (end - start) as f64;
        sum += if z1[j] < 0.0 {
            bytes
        } else {
            -bytes - BLOCK_SEGMENT_COST
        };
        if sum > best {
            best = sum;
            block = (from, j);
        }
    }
    let interior = interior_runs(&z1, &signals, block);
    // Stage 2: the context.
    let len = segs.last().map_or(1, |s| s.bytes().1).max(1) as f32;
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
            let pos = segs[j].bytes().0 as f32 / len;
            let b = |x: bool| if x { 1.0 } else { 0.0 };
            let x = [
                z1[j],
                prev,
                next,
                mean,
                b(before),
                b(after),
                super::ln_1p_count(distance),
                b(pos < 0.1),
                b(pos > 0.9),
            ];
            let mut z2 = CONTEXT_BIAS + x.iter().zip(CONTEXT).map(|(x, w)| x * w).sum::<f32>();
            if interior[j] {
                z2 -= INTERIOR;
            }
            let strong = signal::CUE as u16 | signal::TEMPLATE;
            let headline = before
                && distance <= HEADLINE_REACH
                && !segs[j].sentence()
                && HEADLINE_WORDS.contains(&segs[j].words())
                && signals[j] & strong == 0;
            if headline {
                z2 -= HEADLINE;
            }

            let mut sig = signals[j];
            if prev > 0.0 && next > 0.0 {
                sig |= signal::AMID_FURNITURE;
            }
            if before || after {
                sig |= signal::OUTSIDE_MAIN_TEXT;
            }
            if let Some(dump) = dump::sink() {
                let (a, b) = segs[j].bytes();
                dump.line(a, b, &x, interior[j], headline, sigmoid(z2));
            }
            Score {
                p: sigmoid(z2),
                signals: sig,
            }
        })
        .collect()
}

/// Per segment, whether it belongs to an *interior run*: furniture-like segments (stage-1 score
/// above 0) inside the main block, with content-like segments on both sides, none of which has a
/// cue phrase or corpus evidence. jusText's context pass keeps such a run (a table of figures, a
/// list inside the article); here it lowers the stage-2 score by [`INTERIOR`].
fn interior_runs(z1: &[f32], signals: &[u16], block: (usize, usize)) -> Vec<bool> {
    let mut out = vec![false; z1.len()];
    let strong = signal::CUE as u16 | signal::IN_DOCUMENTS | signal::TEMPLATE;
    let mut j = block.0;
    while j <= block.1 && j < z1.len() {
        if z1[j] <= 0.0 {
            j += 1;
            continue;
        }
        let from = j;
        while j <= block.1 && j < z1.len() && z1[j] > 0.0 {
            j += 1;
        }
        let bounded = from > block.0 && j <= block.1;
        let plain = (from..j).all(|k| signals[k] & strong == 0);
        if bounded && plain {
            out[from..j].fill(true);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_runs_need_content_on_both_sides_and_no_strong_signal() {
        let z1 = [1.0, -2.0, 1.0, 2.0, -1.0, 1.0, -1.0, 3.0];
        let plain = [0u16; 8];
        // Block 1..=6: the run 2..=3 and the run 5 are bounded; 0 and 7 lie outside the block.
        let runs = interior_runs(&z1, &plain, (1, 6));
        assert_eq!(runs, [false, false, true, true, false, true, false, false]);
        // A run ending at the block's edge is not bounded.
        assert!(!interior_runs(&z1, &plain, (1, 5))[5]);
        // One segment with a cue phrase or corpus evidence takes its whole run out.
        let mut strong = plain;
        strong[3] = signal::IN_DOCUMENTS;
        let runs = interior_runs(&z1, &strong, (1, 6));
        assert_eq!(&runs[2..4], [false, false]);
        assert!(runs[5]);
    }
}
