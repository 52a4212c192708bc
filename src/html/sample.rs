//! Which documents the HTML page shows: the report's spans in, as they stream past, a bounded
//! deterministic sample out, with the cuts of each sampled document.
//!
//! The sample is the [`TOP`] documents that lose the most bytes (ties by corpus order) and the
//! [`RANDOM`] documents of the corpus whose names hash lowest with a fixed seed (a seeded
//! random sample, flagged or not). Only the cuts of documents that can still be in it are kept:
//! the current top, and the flagged documents among the lowest hashes. The same corpus and
//! options give the same sample whatever the thread count.

use crate::model::{Kind, Reason, Span};
use crate::report::{write_reason, SpanText};
use rustc_hash::FxHashSet as HashSet;
use std::collections::{BTreeMap, BinaryHeap};

/// Documents that lose the most, shown.
pub const TOP: usize = 100;
/// Documents drawn at random, shown.
pub const RANDOM: usize = 100;
/// The seed of the random sample.
const SEED: u64 = 0x6465_6475_7021;

/// One cut of a sampled document, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// Byte offsets into the document's original bytes.
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Why, with the lines of the span and of its kept copy (the report's reason, rendered by
    /// [`Cut::reason`]).
    pub why: Reason,
    pub lines: [u32; 2],
    pub keep_lines: [u32; 2],
    /// The first line of the kept copy, for a repeat inside the document.
    pub keep_line: Option<u32>,
    /// The kept document, for a document flagged whole, and the similarity.
    pub keep_doc: Option<u32>,
    pub similarity: Option<f64>,
}

impl Cut {
    /// The report's reason column.
    pub fn reason(&self) -> String {
        let mut s = String::new();
        write_reason(&self.why, &mut s, self.lines, self.keep_lines);
        s
    }
}

/// The sample being gathered.
#[derive(Default)]
pub struct Sampler {
    /// Cuts per document (by index) that may still be shown.
    cuts: BTreeMap<u32, Vec<Cut>>,
    /// Bytes cut per flagged document, in all.
    cut_bytes: BTreeMap<u32, u64>,
    /// The top so far: smallest (bytes, Reverse(doc)) first, so that the least lost goes first.
    top: BinaryHeap<std::cmp::Reverse<(u64, std::cmp::Reverse<u32>)>>,
    /// Flagged documents with the lowest name hashes: largest hash first.
    low: BinaryHeap<(u64, u32)>,
    /// The documents in `top` and in `low`. Documents are ranked in corpus order, once complete,
    /// so a document with cuts that is in neither is one not ranked yet.
    in_top: HashSet<u32>,
    in_low: HashSet<u32>,
}

/// The hash of a document name that orders the random sample.
pub fn name_hash(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), SEED)
}

impl Sampler {
    /// Takes a run of the report's spans (of documents in corpus order; one document's spans
    /// may come in several runs).
    pub fn add(
        &mut self,
        documents: &[crate::model::Document],
        spans: &[Span],
        texts: &[SpanText],
    ) {
        for (s, t) in spans.iter().zip(texts) {
            let keep_line = s.keep.filter(|k| k.doc == s.doc).map(|_| t.keep_lines[0]);
            self.cuts.entry(s.doc).or_default().push(Cut {
                start: s.start,
                end: s.end,
                kind: s.kind,
                why: s.reason,
                lines: t.lines,
                keep_lines: t.keep_lines,
                keep_line,
                keep_doc: s.keep.filter(|k| k.doc != s.doc).map(|k| k.doc),
                similarity: s.similarity,
            });
            *self.cut_bytes.entry(s.doc).or_default() += (s.end - s.start) as u64;
        }
        // Documents complete before the last of this run are ranked now; the last may go on.
        let last = spans.last().map(|s| s.doc);
        let done: Vec<u32> = self
            .cut_bytes
            .keys()
            .copied()
            .filter(|&d| Some(d) != last && !self.shown(d))
            .collect();
        for d in done {
            self.rank(d, &documents[d as usize].name);
        }
    }

    fn shown(&self, d: u32) -> bool {
        self.in_top.contains(&d) || self.in_low.contains(&d)
    }

    /// Puts a complete document in the top and the low hashes, and forgets its cuts when it is
    /// in neither.
    fn rank(&mut self, d: u32, name: &str) {
        let bytes = self.cut_bytes[&d];
        self.top
            .push(std::cmp::Reverse((bytes, std::cmp::Reverse(d))));
        self.in_top.insert(d);
        let mut out = Vec::with_capacity(2);
        if self.top.len() > TOP {
            if let Some(r) = self.top.pop() {
                self.in_top.remove(&(r.0).1 .0);
                out.push((r.0).1 .0);
            }
        }
        self.low.push((name_hash(name), d));
        self.in_low.insert(d);
        if self.low.len() > RANDOM {
            if let Some((_, x)) = self.low.pop() {
                self.in_low.remove(&x);
                out.push(x);
            }
        }
        // A document pushed out of both is not shown: its cuts go.
        for x in out {
            if !self.shown(x) {
                self.cuts.remove(&x);
                self.cut_bytes.remove(&x);
            }
        }
    }

    /// Ends the sample: the documents to show (corpus order) with their cuts, given every
    /// document's name.
    pub fn finish(mut self, documents: &[crate::model::Document]) -> Vec<(u32, Vec<Cut>)> {
        let pending: Vec<u32> = self
            .cut_bytes
            .keys()
            .copied()
            .filter(|&d| !self.shown(d))
            .collect();
        for d in pending {
            self.rank(d, &documents[d as usize].name);
        }
        let mut shown: Vec<u32> = self.top.iter().map(|r| (r.0).1 .0).collect();
        // The random sample over every document, flagged or not.
        let mut hashes: Vec<(u64, u32)> = documents
            .iter()
            .enumerate()
            .map(|(i, d)| (name_hash(&d.name), i as u32))
            .collect();
        let k = RANDOM.min(hashes.len());
        if k > 0 {
            hashes.select_nth_unstable(k - 1);
            shown.extend(hashes[..k].iter().map(|&(_, d)| d));
        }
        shown.sort_unstable();
        shown.dedup();
        shown
            .into_iter()
            .map(|d| (d, self.cuts.remove(&d).unwrap_or_default()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Keep, Reason};

    fn doc(i: usize) -> Document {
        Document {
            name: format!("d{i:04}"),
            id: None,
            id_number: false,
            lang: 0,
            source: 0,
            line: 0,
            len: 1000,
            chars: 1000,
        }
    }

    proptest::proptest! {
        /// The sample is the documents that lose the most (ties by corpus order) and those
        /// whose names hash lowest, each with all its cuts, however the spans arrive.
        #[test]
        fn the_sample_is_the_top_and_the_lowest_hashes(
            cuts in proptest::collection::vec((0usize..400, 1usize..50), 0..600),
            run in 1usize..50,
        ) {
            let n = 400;
            let documents: Vec<Document> = (0..n).map(doc).collect();
            let mut spans: Vec<Span> = cuts
                .iter()
                .enumerate()
                .map(|(k, &(d, len))| Span {
                    doc: d as u32,
                    start: k * 60,
                    end: k * 60 + len,
                    kind: Kind::Boilerplate,
                    keep: None::<Keep>,
                    similarity: None,
                    cluster: None,
                    reason: Reason::RepeatedInDocument(2),
                })
                .collect();
            spans.sort_by_key(|s| (s.doc, s.start));
            let texts: Vec<SpanText> = spans
                .iter()
                .map(|_| SpanText { preview: String::new(), chars: [0; 4], lines: [1, 1], keep_lines: [0, 0] })
                .collect();
            let mut sampler = Sampler::default();
            for (s, t) in spans.chunks(run).zip(texts.chunks(run)) {
                sampler.add(&documents, s, t);
            }
            let got = sampler.finish(&documents);
            // The reference.
            let mut lost: BTreeMap<u32, u64> = BTreeMap::new();
            for s in &spans {
                *lost.entry(s.doc).or_default() += (s.end - s.start) as u64;
            }
            let mut top: Vec<(u64, u32)> = lost.iter().map(|(&d, &b)| (b, d)).collect();
            top.sort_by_key(|&(b, d)| (std::cmp::Reverse(b), d));
            let mut want: Vec<u32> = top.iter().take(TOP).map(|&(_, d)| d).collect();
            let mut hashes: Vec<(u64, u32)> =
                documents.iter().enumerate().map(|(i, d)| (name_hash(&d.name), i as u32)).collect();
            hashes.sort_unstable();
            want.extend(hashes.iter().take(RANDOM).map(|&(_, d)| d));
            want.sort_unstable();
            want.dedup();
            let shown: Vec<u32> = got.iter().map(|(d, _)| *d).collect();
            proptest::prop_assert_eq!(&shown, &want);
            for (d, cuts) in &got {
                let n = spans.iter().filter(|s| s.doc == *d).count();
                proptest::prop_assert_eq!(cuts.len(), n);
            }
        }
    }
}
