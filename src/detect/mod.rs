//! Detect stage: fingerprints in, [`Span`]s out.
//!
//! - [`repeated`] finds, inside each document, the segments that repeat an earlier one.
//! - [`boilerplate`] counts segment keys across documents.
//! - [`furniture`] scores each segment as page furniture from its own features, the corpus counts
//!   and its context.
//! - [`near_dup`] clusters near-duplicate documents.
//! - [`assemble`] combines them into the final spans of one document: whole-document rows for the
//!   non-kept members of a cluster, otherwise `boilerplate` and merged `repeated_paragraph` spans.

pub mod boilerplate;
pub mod furniture;
pub mod near_dup;
pub mod repeated;

use crate::fingerprint::{DocPrint, SegmentPrint};
use repeated::Echo;
use rustc_hash::FxHashMap as HashMap;

/// Why a span is to be cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Repeats text that occurs earlier in the same document (the earlier copy is kept).
    RepeatedParagraph,
    /// Template text: in many documents, or short furniture repeated inside one.
    Boilerplate,
    /// The whole document nearly duplicates the kept copy of its cluster.
    NearDuplicate,
    /// The whole document is identical to the kept copy after normalisation.
    ExactDuplicate,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::RepeatedParagraph,
        Kind::Boilerplate,
        Kind::NearDuplicate,
        Kind::ExactDuplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::RepeatedParagraph => "repeated_paragraph",
            Kind::Boilerplate => "boilerplate",
            Kind::NearDuplicate => "near_duplicate",
            Kind::ExactDuplicate => "exact_duplicate",
        }
    }

    /// Whether the span covers its whole document.
    pub fn is_whole_document(self) -> bool {
        matches!(self, Kind::NearDuplicate | Kind::ExactDuplicate)
    }
}

/// The copy that is kept in place of a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub doc: u32,
    pub start: usize,
    pub end: usize,
}

/// A half-open byte range of a document to remove, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub doc: u32,
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub keep: Option<Keep>,
    pub similarity: Option<f64>,
    pub cluster: Option<u32>,
    pub reason: Reason,
}

/// Why a span is reported; [`Reason::write`] writes the report's `reason` column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// Boilerplate: the segment (matching `key`) occurs in `docs` documents (a near-duplicate
    /// cluster counts once).
    InDocuments { docs: u32, key: u64 },
    /// Boilerplate: a short line without a sentence, this many times in its document.
    RepeatedInDocument(u32),
    /// Boilerplate: page furniture with this probability, for these signals
    /// ([`furniture::describe`]); `tail` when it is the end of a longer line.
    Furniture {
        score: f32,
        signals: u16,
        tail: bool,
    },
    /// Repeated paragraph: repeats the kept range of the same document.
    Repeats,
    /// Near duplicate: this share of its shingles is shared with the kept copy.
    SharedShingles(f64),
    /// Exact duplicate: same words as the kept copy after normalisation.
    SameWords,
}

impl Reason {
    /// The furniture classifier's probability, for the report's `score` column.
    pub fn score(&self) -> Option<f32> {
        match *self {
            Reason::Furniture { score, .. } => Some(score),
            _ => None,
        }
    }

    /// Appends the text of the `reason` column to `out`; `keep_lines` are the first and last
    /// line of the kept range (used by [`Reason::Repeats`]).
    pub fn write(&self, out: &mut String, keep_lines: [u32; 2]) {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = match *self {
            Reason::InDocuments { docs, .. } => write!(out, "in {docs} documents"),
            Reason::RepeatedInDocument(n) => {
                write!(out, "short line repeated {n} times in this document")
            }
            Reason::Furniture {
                score,
                signals,
                tail,
            } => {
                out.push_str("furniture ");
                crate::decimal::push_fixed(out, score, 2);
                out.push_str(if tail { " (end of line): " } else { ": " });
                out.push_str(furniture::describe(signals));
                Ok(())
            }
            Reason::Repeats => match keep_lines {
                [first, last] if first == last => write!(out, "repeats line {first}"),
                [first, last] => write!(out, "repeats lines {first}-{last}"),
            },
            Reason::SharedShingles(s) => write!(
                out,
                "{:.0}% of its shingles shared with the kept copy",
                s * 100.0
            ),
            Reason::SameWords => {
                out.push_str("same words as the kept copy after normalisation");
                Ok(())
            }
        };
    }
}

/// Which detectors a run uses (`--detect`); all three by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detectors {
    /// Paragraphs repeated inside a document (`repeated_paragraph` rows).
    pub repeated: bool,
    /// Boilerplate: lines in `min_docs` documents or more, short lines repeated inside one, and
    /// (unless [`SpanRules::furniture`] is `None`) page furniture.
    pub boilerplate: bool,
    /// Near-duplicate and exact-duplicate documents (whole-document rows).
    pub near_dup: bool,
}

impl Default for Detectors {
    fn default() -> Self {
        Detectors {
            repeated: true,
            boilerplate: true,
            near_dup: true,
        }
    }
}

impl Detectors {
    /// Whether any detector works on segments (lines and paragraphs) rather than whole documents.
    pub fn segments(&self) -> bool {
        self.repeated || self.boilerplate
    }
}

/// Which span detectors run, and their tuning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanRules {
    /// The detectors that run; the rules below apply to those that do.
    pub detectors: Detectors,
    /// A repeated run with fewer words than this is left alone (a repeated "Yes." is dialogue).
    pub min_repeat_words: usize,
    /// A segment of at most this many words, without a sentence end, repeated inside its document
    /// is furniture ("Publicité", "Share this"): every occurrence becomes `boilerplate`.
    pub furniture_words: usize,
    /// The furniture classifier's threshold (a probability); `None` turns it off.
    pub furniture: Option<f32>,
}

impl Default for SpanRules {
    fn default() -> Self {
        SpanRules {
            detectors: Detectors::default(),
            min_repeat_words: 3,
            furniture_words: 3,
            furniture: Some(crate::furniture::DEFAULT_THRESHOLD),
        }
    }
}

/// What the corpus-wide stages decided about one document.
pub enum Verdict<'a> {
    /// Kept (possibly as a cluster's kept copy): its own spans are reported. `frequent` holds
    /// the document counts of keys in at least two documents (or `min_docs`, if fewer); a segment
    /// in `min_docs` or more is boilerplate.
    Kept {
        frequent: &'a HashMap<u64, u32>,
        min_docs: usize,
    },
    /// A non-kept member of a cluster: one whole-document span.
    Duplicate {
        cluster: u32,
        kept: u32,
        kept_len: usize,
        similarity: f64,
        exact: bool,
    },
}

/// The spans of document `doc`, sorted by start and non-overlapping.
pub fn assemble(doc: u32, print: &DocPrint, verdict: Verdict, rules: SpanRules) -> Vec<Span> {
    let frequent = match verdict {
        Verdict::Duplicate {
            cluster,
            kept,
            kept_len,
            similarity,
            exact,
        } => {
            let reason = if exact {
                Reason::SameWords
            } else {
                Reason::SharedShingles(similarity)
            };
            return vec![Span {
                doc,
                start: 0,
                end: print.len,
                kind: if exact {
                    Kind::ExactDuplicate
                } else {
                    Kind::NearDuplicate
                },
                keep: Some(Keep {
                    doc: kept,
                    start: 0,
                    end: kept_len,
                }),
                similarity: Some(similarity),
                cluster: Some(cluster),
                reason,
            }];
        }
        Verdict::Kept { frequent, min_docs } => (frequent, min_docs),
    };
    let (frequent, min_docs) = frequent;

    let segs: Vec<SegmentPrint> = print.segments().collect();
    let boilerplate = rules.detectors.boilerplate;
    let mut in_doc: HashMap<u64, u32> = HashMap::default();
    for s in segs.iter().filter(|_| boilerplate) {
        *in_doc.entry(s.key).or_default() += 1;
    }
    // Boilerplate first: it is removed wherever it occurs.
    let furniture_threshold = rules.furniture.filter(|_| boilerplate);
    let scores = match (&print.furniture, furniture_threshold) {
        (Some(evidence), Some(_)) => furniture::scores(&segs, evidence, frequent, min_docs),
        _ => Vec::new(),
    };
    let threshold = furniture_threshold.unwrap_or(f32::INFINITY);
    let furniture: Vec<Option<Reason>> = segs
        .iter()
        .enumerate()
        .map(|(i, s)| match frequent.get(&s.key) {
            _ if !boilerplate => None,
            Some(&n) if n as usize >= min_docs => Some(Reason::InDocuments {
                docs: n,
                key: s.key,
            }),
            _ => {
                let n = in_doc[&s.key];
                if n >= 2 && s.words as usize <= rules.furniture_words && !s.sentence {
                    Some(Reason::RepeatedInDocument(n))
                } else {
                    scores
                        .get(i)
                        .filter(|score| score.p >= threshold)
                        .map(|score| Reason::Furniture {
                            score: score.p,
                            signals: score.signals,
                            tail: false,
                        })
                }
            }
        })
        .collect();

    let mut spans: Vec<Span> = segs
        .iter()
        .zip(&furniture)
        .filter_map(|(s, reason)| {
            reason.as_ref().map(|reason| Span {
                doc,
                start: s.start,
                end: s.end,
                kind: Kind::Boilerplate,
                keep: None,
                similarity: None,
                cluster: None,
                reason: *reason,
            })
        })
        .collect();
    // Repeats whose original survives, merged into runs whose originals are consecutive too.
    let repeat_of = |i: usize| match segs[i].echo {
        Echo::Repeat { of, similarity }
            if furniture[i].is_none() && furniture[of as usize].is_none() =>
        {
            Some((of as usize, similarity))
        }
        _ => None,
    };
    let first_repeat = spans.len();
    let mut i = 0;
    while i < segs.len() {
        let Some((of, similarity)) = repeat_of(i) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        let mut min_sim = similarity;
        while let Some((of_j, sim_j)) = (j < segs.len()).then(|| repeat_of(j)).flatten() {
            if of_j != of + (j - i) {
                break;
            }
            min_sim = min_sim.min(sim_j);
            j += 1;
        }
        let words: usize = segs[i..j].iter().map(|s| s.words as usize).sum();
        if words >= rules.min_repeat_words {
            let (orig_first, orig_last) = (&segs[of], &segs[of + (j - i) - 1]);
            spans.push(Span {
                doc,
                start: segs[i].start,
                end: segs[j - 1].end,
                kind: Kind::RepeatedParagraph,
                keep: Some(Keep {
                    doc,
                    start: orig_first.start,
                    end: orig_last.end,
                }),
                similarity: Some(f64::from(min_sim)),
                cluster: None,
                reason: Reason::Repeats,
            });
        }
        i = j;
    }
    // Sentence tails of lines that stay (not cut whole, not inside a repeat), cut on their own.
    if let (Some(evidence), Some(threshold)) = (&print.furniture, furniture_threshold) {
        // The repeats are disjoint and in order, and so are the tails: one pass over both (a
        // scan of every repeat per tail took 18 s on a 56 MB document).
        let repeats = &spans[first_repeat..];
        let mut r = 0;
        let mut tails = Vec::new();
        for tail in evidence.tails.iter() {
            let s = &segs[tail.segment as usize];
            while r < repeats.len() && repeats[r].end < s.end {
                r += 1;
            }
            let in_repeat = repeats
                .get(r)
                .is_some_and(|rep| rep.start <= s.start && s.end <= rep.end);
            if furniture[tail.segment as usize].is_none() && tail.score >= threshold && !in_repeat {
                tails.push(Span {
                    doc,
                    start: tail.start,
                    end: s.end,
                    kind: Kind::Boilerplate,
                    keep: None,
                    similarity: None,
                    cluster: None,
                    reason: Reason::Furniture {
                        score: tail.score,
                        signals: u16::from(tail.signals),
                        tail: true,
                    },
                });
            }
        }
        spans.extend(tails);
    }

    spans.sort_by_key(|s| s.start);
    debug_assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
    spans
}
