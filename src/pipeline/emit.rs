//! The spans stage of a scan (also the staged `spans`): the fingerprints of a corpus and the
//! global verdicts (which documents are duplicates of which, which keys are frequent) in, the
//! report's spans with their previews out, handed to a [`Sink`] in corpus order a run of
//! documents at a time, plus the [`Totals`] of what was written.

use super::{Corpus, Options, Sink};
use crate::detect::near_dup::Cluster;
use crate::detect::{self, boilerplate, Verdict};
use crate::model::{Document, Kind, Span};
use crate::read::{with_texts_resuming, LineCursor, Lossy, Resume};
use crate::report::locate::{self as span_text, Locating, SpanText};
use crate::Error;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Mutex;

/// A document that is not the kept copy of its near-duplicate cluster.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateOf {
    pub cluster: u32,
    /// The kept copy (an index into the documents the spans refer to) and its length in bytes.
    pub kept: u32,
    pub kept_len: usize,
    pub similarity: f64,
    pub exact: bool,
}

/// Per document, the cluster it is a non-kept member of, if any. `lens[d]` is document `d`'s
/// length in bytes.
pub fn duplicates_of(clusters: &[Cluster], lens: &[usize]) -> Vec<Option<DuplicateOf>> {
    let mut out = vec![None; lens.len()];
    for c in clusters {
        for m in &c.members {
            out[m.doc as usize] = Some(DuplicateOf {
                cluster: c.id,
                kept: c.kept,
                kept_len: lens[c.kept as usize],
                similarity: m.similarity,
                exact: m.exact,
            });
        }
    }
    out
}

/// The document each one votes as in the boilerplate counts: its cluster's kept copy, or itself.
pub fn representatives(duplicates: &[Option<DuplicateOf>]) -> Vec<u32> {
    duplicates
        .iter()
        .enumerate()
        .map(|(d, dup)| dup.map_or(d as u32, |dup| dup.kept))
        .collect()
}

/// Assembles the spans of every document of `corpus`, gives them their previews from the text,
/// and hands them to `sink` in corpus order. `documents` starts with the corpus's documents and
/// may go on with documents of other shards that clusters keep (the staged `spans`);
/// `duplicates` and `frequent` are the global verdicts.
pub fn emit_spans(
    corpus: &Corpus,
    documents: &[Document],
    duplicates: &[Option<DuplicateOf>],
    frequent: &FxHashMap<u64, u32>,
    o: &Options,
    sink: Sink,
) -> Result<Totals, Error> {
    let prints = &corpus.prints;
    let sources = &corpus.sources;
    let how = Locating {
        whole_lines: o.spans.rows == crate::detect::Rows::Runs,
        code_points: o.code_points,
    };
    let mut totals = Totals {
        // Candidates: the keys counted in the most documents. Those never reported as
        // cross-document boilerplate (template keys of the furniture classifier, keys under
        // --min-docs) get no preview and are dropped at the end.
        top_boilerplate: boilerplate::top_units(frequent, 4 * TOP_BOILERPLATE)
            .into_iter()
            .filter(|&(_, docs)| docs as usize >= o.spans.min_docs.cut)
            .map(|(key, docs)| (key, docs, String::new()))
            .collect(),
        ..Totals::default()
    };
    // Runs of SPAN_CHUNK documents. A shard longer than that spans several runs, read by one
    // cursor that the next run takes up where the last stopped.
    let chunks: Vec<std::ops::Range<usize>> = (0..prints.len())
        .step_by(SPAN_CHUNK)
        .map(|first| first..(first + SPAN_CHUNK).min(prints.len()))
        .collect();
    let resume: Mutex<Option<(u32, LineCursor)>> = Mutex::new(None);
    // Per flagged document, its rows, in corpus order.
    type Located = Vec<(u32, Rows)>;
    let spans_of = |range: std::ops::Range<usize>| -> Result<Located, Error> {
        let first = range.start;
        // The source that goes on in the next run, if any: its cursor is kept.
        let continues = (range.end < prints.len()
            && documents[range.end].source == documents[range.end - 1].source)
            .then(|| documents[range.end - 1].source);
        let per_doc: Vec<Vec<Span>> = range
            .clone()
            .into_par_iter()
            .with_max_len(1)
            .map(|d| {
                let verdict = match duplicates[d] {
                    Some(dup) => Verdict::Duplicate {
                        cluster: dup.cluster,
                        kept: dup.kept,
                        kept_len: dup.kept_len,
                        similarity: dup.similarity,
                        exact: dup.exact,
                    },
                    None => Verdict::Kept { frequent },
                };
                detect::assemble(d as u32, &prints[d], verdict, o.spans)
            })
            .collect();
        // Previews, code-point offsets and lines, from the text of the flagged documents only.
        // Each document's spans are moved, not copied, into its located rows and handed to the
        // sink as they are: a huge document's rows are never held twice.
        let flagged: Vec<u32> = range
            .filter(|&d| !per_doc[d - first].is_empty())
            .map(|d| d as u32)
            .collect();
        let per_doc: Vec<Mutex<Vec<Span>>> = per_doc.into_iter().map(Mutex::new).collect();
        let resume = Resume {
            cursor: &resume,
            continues,
        };
        with_texts_resuming(
            sources,
            documents,
            &o.read,
            &flagged,
            Some(resume),
            |d, text, lossy| {
                let spans = std::mem::take(
                    &mut *per_doc[d as usize - first]
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                );
                if spans.len() > ROW_PIECE {
                    // Located a piece at a time as they are written: the text is kept (its
                    // size), not the texts of all its rows (a few hundred bytes each).
                    Rows::Pieces {
                        spans,
                        text: text.to_owned(),
                        lossy: lossy.cloned(),
                    }
                } else {
                    let (spans, texts) = span_text::locate(spans, text, lossy, documents, how);
                    Rows::Located(spans, texts)
                }
            },
        )
    };
    // Each run is written while the next one is assembled.
    let mut pending: Option<Located> = None;
    for range in chunks.into_iter().map(Some).chain([None]) {
        let (next, written) = rayon::join(
            || range.map(&spans_of).transpose(),
            || {
                for (_, rows) in pending.take().unwrap_or_default() {
                    match rows {
                        Rows::Located(spans, texts) => {
                            totals.add(&spans, documents);
                            sink(documents, &spans, &texts)?;
                        }
                        Rows::Pieces { spans, text, lossy } => {
                            let write = |spans: Vec<Span>, texts: Vec<SpanText>| {
                                totals.add(&spans, documents);
                                sink(documents, &spans, &texts)
                            };
                            span_text::locate_in_pieces(
                                spans,
                                ROW_PIECE,
                                &text,
                                lossy.as_ref(),
                                documents,
                                how,
                                write,
                            )?;
                        }
                    }
                }
                Ok::<(), Error>(())
            },
        );
        written?;
        pending = next?;
    }
    if o.spans.detectors.boilerplate {
        top_previews(
            corpus,
            documents,
            duplicates,
            o,
            &mut totals.top_boilerplate,
        )?;
    }
    totals.top_boilerplate.retain(|unit| !unit.2.is_empty());
    totals.top_boilerplate.truncate(TOP_BOILERPLATE);
    Ok(totals)
}

/// Gives each of the `top` boilerplate units the preview of its first occurrence in a kept
/// document (corpus order), reading those documents again. A key that never occurs as a segment
/// of a kept document (a template key) gets none.
fn top_previews(
    corpus: &Corpus,
    documents: &[Document],
    duplicates: &[Option<DuplicateOf>],
    o: &Options,
    top: &mut [(u64, u32, String)],
) -> Result<(), Error> {
    let mut wanted: FxHashMap<u64, Option<(u32, usize, usize)>> =
        top.iter().map(|unit| (unit.0, None)).collect();
    let mut left = wanted.len();
    for (d, print) in corpus.prints.iter().enumerate() {
        if left == 0 {
            break;
        }
        if duplicates[d].is_some() {
            continue;
        }
        for s in print.segments() {
            if let Some(slot @ None) = wanted.get_mut(&s.key) {
                *slot = Some((d as u32, s.start, s.end));
                left -= 1;
            }
        }
    }
    let mut found: Vec<(u32, usize, usize, u64)> = wanted
        .iter()
        .filter_map(|(&key, at)| at.map(|(d, start, end)| (d, start, end, key)))
        .collect();
    found.sort_unstable();
    let mut docs: Vec<u32> = found.iter().map(|f| f.0).collect();
    docs.dedup();
    let previews =
        crate::read::with_texts(&corpus.sources, documents, &o.read, &docs, |d, text, _| {
            found
                .iter()
                .filter(|f| f.0 == d)
                .map(|&(_, start, end, key)| (key, span_text::preview(&text[start..end])))
                .collect::<Vec<_>>()
        })?;
    for (key, preview) in previews.into_iter().flat_map(|(_, p)| p) {
        if let Some(unit) = top.iter_mut().find(|unit| unit.0 == key) {
            unit.2 = preview;
        }
    }
    Ok(())
}

/// Row and byte counts of a scan's report, gathered as its spans stream past.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub rows: usize,
    /// Rows and bytes per kind, in the order of [`Kind::ALL`].
    pub per_kind: [(usize, u64); 4],
    /// The same per source, by index in the scan's sources (a source without rows may be
    /// missing at the end).
    pub per_source: Vec<[(usize, u64); 4]>,
    /// The same per language (by `Document::lang`, 0 unknown).
    pub per_lang: Vec<[(usize, u64); 4]>,
    /// The most widespread cross-document boilerplate units: (matching key, documents, preview
    /// of its first occurrence), most documents first (ties by key).
    pub top_boilerplate: Vec<(u64, u32, String)>,
}

impl Totals {
    fn add(&mut self, spans: &[Span], documents: &[Document]) {
        self.rows += spans.len();
        for s in spans {
            let k = Kind::ALL.iter().position(|&k| k == s.kind).unwrap_or(0);
            let bytes = (s.end - s.start) as u64;
            self.per_kind[k].0 += 1;
            self.per_kind[k].1 += bytes;
            let doc = &documents[s.doc as usize];
            for (table, at) in [
                (&mut self.per_source, doc.source as usize),
                (&mut self.per_lang, doc.lang as usize),
            ] {
                if table.len() <= at {
                    table.resize(at + 1, [(0, 0); 4]);
                }
                table[at][k].0 += 1;
                table[at][k].1 += bytes;
            }
        }
    }
}

/// The rows of one flagged document on their way to the writer.
enum Rows {
    /// Its spans with their texts.
    Located(Vec<Span>, Vec<SpanText>),
    /// More than [`ROW_PIECE`] spans: located by the writer a piece at a time from a copy of the
    /// text (and how it was decoded), so that a document of millions of rows never has all
    /// their texts at once.
    Pieces {
        spans: Vec<Span>,
        text: String,
        lossy: Option<Lossy>,
    },
}

/// Rows of one document located and written at a time (few in tests, so that the pieces are
/// exercised).
const ROW_PIECE: usize = if cfg!(test) { 3 } else { 1 << 16 };

/// How many boilerplate units the statistics list.
const TOP_BOILERPLATE: usize = 20;
/// Documents whose spans are assembled and written per step, whatever their sources (a long
/// shard spans several runs). Small enough that writing one run overlaps the assembly of the
/// next for most of the stage.
const SPAN_CHUNK: usize = 1024;
