//! Detect stage: the documents' prints in, [`Span`](crate::model::Span)s out.
//!
//! - [`boilerplate`] counts segment keys across documents.
//! - [`lsh`] groups the documents' band keys into candidate pairs, [`near_dup`] verifies them and
//!   clusters near-duplicate documents (with [`union_find`]).
//! - [`assemble`](mod@assemble) combines the verdicts into the spans of one document: whole-document rows for
//!   the non-kept members of a cluster, otherwise `boilerplate` (repeated across documents, short
//!   lines repeated inside one, page furniture scored by [`crate::furniture`]) and merged
//!   `repeated_paragraph` spans.

pub mod assemble;
pub mod boilerplate;
pub mod lsh;
pub mod near_dup;
pub mod union_find;

pub use assemble::assemble;

use crate::model::Detectors;
use rustc_hash::FxHashMap as HashMap;

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
    /// Where the classifier cuts: in documents with evidence of a page, or in every document.
    pub pages: Pages,
    /// One row per run of adjacent boilerplate units, or one per unit.
    pub rows: Rows,
    /// How many documents make a segment boilerplate.
    pub min_docs: boilerplate::MinDocs,
}

impl Default for SpanRules {
    fn default() -> Self {
        SpanRules {
            detectors: Detectors::default(),
            min_repeat_words: 3,
            furniture_words: 3,
            furniture: Some(crate::furniture::DEFAULT_THRESHOLD),
            pages: Pages::Auto,
            rows: Rows::Runs,
            min_docs: boilerplate::MinDocs::new(boilerplate::DEFAULT_MIN_DOCS, true),
        }
    }
}

/// How boilerplate is reported (`--rows runs|units`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// One row per run of units with nothing but whitespace between them; a cut of whole lines
    /// takes their line ends with it.
    Runs,
    /// One row per unit (a segment or a sentence tail), its line end left in place.
    Units,
}

/// Which documents the furniture classifier cuts in (`--furniture auto|on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pages {
    /// Only in documents with evidence of a page ([`crate::furniture::page`]).
    Auto,
    /// In every document.
    All,
}

/// What the corpus-wide stages decided about one document.
pub enum Verdict<'a> {
    /// Kept (possibly as a cluster's kept copy): its own spans are reported. `frequent` holds
    /// the document counts of the keys counted ([`boilerplate::MinDocs`]).
    Kept { frequent: &'a HashMap<u64, u32> },
    /// A non-kept member of a cluster: one whole-document span.
    Duplicate {
        cluster: u32,
        kept: u32,
        kept_len: usize,
        similarity: f64,
        exact: bool,
    },
}
