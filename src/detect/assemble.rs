//! Assembly (detect stage): one document's print and the corpus's verdicts in, the document's
//! spans out, sorted by start and non-overlapping.

use super::{HashMap, Pages, Rows, SpanRules, Verdict};
use crate::doc::print::{DocPrint, SegmentPrint};
use crate::doc::repeats::Echo;
use crate::furniture::{context, page};
use crate::model::{Keep, Kind, Reason, RunSummary, Span};
use std::cell::Cell;

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
        Verdict::Kept { frequent } => (frequent, rules.min_docs.cut),
    };
    let (frequent, min_docs) = frequent;
    if has_no_spans(print, frequent, min_docs, rules) {
        return Vec::new();
    }
    kept_spans(doc, print, frequent, min_docs, rules)
}

/// Whether a kept document surely has no span, from its print without decoding its segments:
/// it cannot be a page (so no furniture, and short lines repeated inside it are kept), no segment
/// repeats an earlier one, and none of its keys is frequent enough to be boilerplate. A
/// good part of a corpus (two in five documents of the bench corpus) is such; the others go
/// through [`kept_spans`].
fn has_no_spans(
    print: &DocPrint,
    frequent: &HashMap<u64, u32>,
    min_docs: usize,
    rules: SpanRules,
) -> bool {
    let no_page = print.furniture.as_ref().is_some_and(|e| e.no_page);
    let boilerplate_key = || {
        print
            .keys
            .iter()
            .any(|k| frequent.get(k).is_some_and(|&n| n as usize >= min_docs))
    };
    no_page && print.repeats.is_empty() && !(rules.detectors.boilerplate && boilerplate_key())
}

/// The spans of a kept document, from its segments.
fn kept_spans(
    doc: u32,
    print: &DocPrint,
    frequent: &HashMap<u64, u32>,
    min_docs: usize,
    rules: SpanRules,
) -> Vec<Span> {
    let segs: Vec<SegmentPrint> = print.segments().collect();
    let boilerplate = rules.detectors.boilerplate;
    let mut in_doc = InDoc::new(&print.keys);
    // Boilerplate first: it is removed wherever it occurs.
    // Page furniture only where there is a page (or everywhere with `--furniture on`).
    // A document whose features were skipped (it cannot be a page) is no page, even if the
    // options disagree.
    let page = match (&print.furniture, rules.pages) {
        (Some(e), _) if e.no_page => None,
        (Some(_), Pages::All) => Some(page::why::FORCED),
        (Some(e), Pages::Auto) => page::evidence(&segs, e, frequent).decide(),
        (None, _) => None,
    };
    let furniture_threshold = rules.furniture.filter(|_| boilerplate && page.is_some());
    let scores = match (&print.furniture, furniture_threshold) {
        (Some(evidence), Some(_)) => {
            crate::furniture::dump::set_doc(doc);
            context::scores(&segs, evidence, frequent, min_docs)
        }
        _ => Vec::new(),
    };
    // Short lines repeated inside a document are furniture where there is a page; with the
    // classifier off, wherever they are (the rule of `--furniture off`).
    let repeated_furniture = page.is_some() || print.furniture.is_none();
    let page = page.unwrap_or(0);
    let threshold = furniture_threshold.unwrap_or(f32::INFINITY);
    let furniture: Vec<Option<Reason>> = segs
        .iter()
        .enumerate()
        .map(
            |(i, s)| match (boilerplate && s.words > 0).then(|| frequent.get(&s.key)) {
                // A segment without a word (`}`, `* * *`) is layout, never boilerplate.
                None => None,
                Some(Some(&n)) if n as usize >= min_docs => Some(Reason::InDocuments {
                    docs: n,
                    key: s.key,
                }),
                Some(_) => {
                    let short_line = repeated_furniture
                        && s.words as usize <= rules.furniture_words
                        && !s.sentence;
                    let repeats = short_line.then(|| in_doc.count(s.key)).filter(|&n| n >= 2);
                    if let Some(n) = repeats {
                        Some(Reason::RepeatedInDocument(n))
                    } else {
                        scores
                            .get(i)
                            .filter(|score| score.p >= threshold)
                            .map(|score| Reason::Furniture {
                                score: score.p,
                                signals: score.signals,
                                tail: false,
                                page,
                            })
                    }
                }
            },
        )
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
        // The repeats are disjoint and in order, and so are the tails: one pass over both, not
        // a scan of every repeat per tail (quadratic in a large document's rows).
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
                        page,
                    },
                });
            }
        }
        spans.extend(tails);
    }

    spans.sort_by_key(|s| s.start);
    debug_assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
    match rules.rows {
        Rows::Units => spans,
        Rows::Runs => merge_runs(spans, &segs),
    }
}

/// How often each key occurs in a document, counted in a sorted copy of its keys that is made on
/// the first question (most documents ask none) in a buffer reused from document to document.
struct InDoc<'a> {
    keys: &'a [u64],
    sorted: Option<Vec<u64>>,
}

thread_local! {
    static SORTED_KEYS: Cell<Vec<u64>> = const { Cell::new(Vec::new()) };
}

impl<'a> InDoc<'a> {
    fn new(keys: &'a [u64]) -> Self {
        InDoc { keys, sorted: None }
    }

    /// The number of the document's segments whose key is `key`.
    fn count(&mut self, key: u64) -> u32 {
        let keys = self.keys;
        let sorted = self.sorted.get_or_insert_with(|| {
            let mut sorted = SORTED_KEYS.take();
            sorted.clear();
            sorted.extend_from_slice(keys);
            sorted.sort_unstable();
            sorted
        });
        let first = sorted.partition_point(|&k| k < key);
        let past = first + sorted[first..].partition_point(|&k| k <= key);
        (past - first) as u32
    }
}

impl Drop for InDoc<'_> {
    fn drop(&mut self) {
        if let Some(sorted) = self.sorted.take() {
            // A huge document's buffer is not kept.
            if sorted.capacity() <= KEEP_KEYS {
                SORTED_KEYS.set(sorted);
            }
        }
    }
}

/// Keys of the largest buffer [`InDoc`] keeps for the next document.
const KEEP_KEYS: usize = 1 << 16;

/// Boilerplate spans of adjacent segments (nothing but whitespace between them) merged into one
/// span per run, with a [`Reason::Run`] that sums up its units. A span that starts inside a
/// segment (a sentence tail) follows that segment's own text, so it starts a new run; a
/// `repeated_paragraph` span is never merged.
fn merge_runs(spans: Vec<Span>, segs: &[SegmentPrint]) -> Vec<Span> {
    // The segment each boilerplate span starts at (None: inside one) and ends with.
    let seg_at = |offset: usize| segs.binary_search_by_key(&offset, |s| s.start).ok();
    let seg_ending = |offset: usize| segs.binary_search_by_key(&offset, |s| s.end).ok();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut last_end_seg: Option<usize> = None;
    for span in spans {
        let joins = span.kind == Kind::Boilerplate
            && out
                .last()
                .is_some_and(|prev| prev.kind == Kind::Boilerplate)
            && last_end_seg.is_some_and(|e| seg_at(span.start) == Some(e + 1));
        last_end_seg = (span.kind == Kind::Boilerplate)
            .then(|| seg_ending(span.end))
            .flatten();
        match out.last_mut() {
            Some(prev) if joins => {
                prev.end = span.end;
                prev.reason = RunSummary::of(prev.reason).with(span.reason).into();
            }
            _ => out.push(span),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lines a generated document is made of: sentences, short lines and menu-like entries, so
    /// that documents repeat lines, share them and sometimes look like pages.
    const LINES: [&str; 8] = [
        "The committee met on Tuesday to discuss the new budget for the library.",
        "Share this",
        "Home | About | Contact | Login",
        "Read more",
        "She walked along the river until the lights of the town came into view.",
        "Copyright 2024 All rights reserved",
        "Posted by admin",
        "A second paragraph that goes on about something else entirely, at some length.",
    ];

    proptest! {
        /// The shortcut answers what the segments would: a document it passes over has no span.
        #[test]
        fn documents_passed_over_have_no_spans(
            lines in proptest::collection::vec(0usize..LINES.len(), 1..10),
            counted in proptest::collection::vec((0usize..LINES.len(), 1u32..8), 0..4),
            furniture_off in any::<bool>(),
        ) {
            let o = crate::pipeline::Options::default();
            let text: String = lines.iter().map(|&i| format!("{}\n\n", LINES[i])).collect();
            let config = crate::doc::DocConfig { furniture: !furniture_off, ..o.doc };
            let print = crate::doc::fingerprint(&text, &config);
            // Counts for the keys of the chosen lines.
            let mut frequent = HashMap::default();
            for s in print.segments() {
                let line = text[s.start..s.end].trim();
                for &(i, n) in &counted {
                    if line == LINES[i] {
                        frequent.insert(s.key, n);
                    }
                }
            }
            let rules = SpanRules { furniture: (!furniture_off).then_some(0.5), ..o.spans };
            let min_docs = rules.min_docs.cut;
            let verdict = Verdict::Kept { frequent: &frequent };
            prop_assert_eq!(
                assemble(0, &print, verdict, rules),
                kept_spans(0, &print, &frequent, min_docs, rules)
            );
        }
    }
}
