//! The vocabulary every stage shares: a corpus's [`Document`]s, the [`Span`]s to cut from them
//! with their [`Kind`], kept copy ([`Keep`]) and [`Reason`], and which [`Detectors`] run.

/// A scanned document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its name in the report: the file's name, or `<shard>:<line>` for a JSONL record.
    pub name: String,
    /// The record's id field, if it has one.
    pub id: Option<String>,
    /// Index of its source in the scan's list of sources.
    pub source: u32,
    /// 1-based line in the decompressed shard; 0 for a text file.
    pub line: u32,
    /// Length in bytes (of the file or the record's text, as the report's offsets count them)
    /// and in characters (code points of the text, lossily decoded when it is not UTF-8).
    pub len: usize,
    pub chars: usize,
}

/// Why a span is to be cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// Why a span is reported (the report renders it in its `reason` column).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// Boilerplate: the segment (matching `key`) occurs in `docs` documents (a near-duplicate
    /// cluster counts once).
    InDocuments { docs: u32, key: u64 },
    /// Boilerplate: a short line without a sentence, this many times in its document.
    RepeatedInDocument(u32),
    /// Boilerplate: page furniture with this probability, for these signals
    /// ([`crate::furniture::signal::describe`]); `tail` when it is the end of a longer line.
    Furniture {
        score: f32,
        signals: u16,
        tail: bool,
        /// Why the document got furniture cutting ([`crate::furniture::page::why`]).
        page: u8,
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
}

/// Which detectors a run uses (`--detect`); all three by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detectors {
    /// Paragraphs repeated inside a document (`repeated_paragraph` rows).
    pub repeated: bool,
    /// Boilerplate: lines in `--min-docs` documents or more, short lines repeated inside one, and
    /// page furniture (unless the classifier is off).
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
