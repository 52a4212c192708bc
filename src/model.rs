//! The vocabulary every stage shares: a corpus's [`Document`]s, the [`Span`]s to cut from them
//! with their [`Kind`], kept copy ([`Keep`]) and [`Reason`], and which [`Detectors`] run.

/// A scanned document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its name in the report: the file's name, or `<shard>:<line>` for a JSONL record.
    pub name: String,
    /// The record's id field, if it has one (a number as it was written).
    pub id: Option<String>,
    /// Whether the id field is a JSON number: typed reports (JSONL, Dolma) write it as one.
    pub id_number: bool,
    /// Its language (`--lang-field`), as an index into the scan's languages; 0 when unknown.
    pub lang: u16,
    /// Index of its source in the scan's list of sources.
    pub source: u32,
    /// 1-based line in the decompressed shard; 0 for a text file.
    pub line: u32,
    /// Length in bytes (of the file or the record's text, as the report's offsets count them)
    /// and in characters (code points of the text, lossily decoded when it is not UTF-8; 0 when
    /// the run does not count them, [`Options::code_points`](crate::pipeline::Options)).
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
    /// Boilerplate: a run of adjacent units, summed up.
    Run(RunSummary),
    /// Repeated paragraph: repeats the kept range of the same document.
    Repeats,
    /// Near duplicate: this share of its shingles is shared with the kept copy.
    SharedShingles(f64),
    /// Exact duplicate: same words as the kept copy after normalisation.
    SameWords,
}

impl Reason {
    /// The furniture classifier's probability, for the report's `score` column (the lowest of
    /// a run's).
    pub fn score(&self) -> Option<f32> {
        match *self {
            Reason::Furniture { score, .. } => Some(score),
            Reason::Run(r) if r.furniture > 0 => Some(r.min_score),
            _ => None,
        }
    }
}

/// What a run of adjacent boilerplate units was cut for: how many units of each reason, and the
/// weakest evidence of each (the lowest furniture probability, the fewest documents, the fewest
/// repeats).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunSummary {
    pub furniture: u32,
    pub min_score: f32,
    pub in_documents: u32,
    pub min_docs: u32,
    pub repeated: u32,
    pub min_repeats: u32,
    /// Why the document got furniture cutting (as in [`Reason::Furniture`]).
    pub page: u8,
}

impl RunSummary {
    /// The summary of one unit's reason (a run's own summary as it is).
    pub fn of(reason: Reason) -> RunSummary {
        let mut r = RunSummary::default();
        match reason {
            Reason::Run(run) => return run,
            Reason::Furniture { score, page, .. } => {
                r.furniture = 1;
                r.min_score = score;
                r.page = page;
            }
            Reason::InDocuments { docs, .. } => {
                r.in_documents = 1;
                r.min_docs = docs;
            }
            Reason::RepeatedInDocument(n) => {
                r.repeated = 1;
                r.min_repeats = n;
            }
            _ => {}
        }
        r
    }

    /// This summary with one more unit.
    pub fn with(self, unit: Reason) -> RunSummary {
        let u = RunSummary::of(unit);
        let min = |a: u32, n: u32, b: u32, m: u32| match (n, m) {
            (0, _) => b,
            (_, 0) => a,
            _ => a.min(b),
        };
        RunSummary {
            min_score: match (self.furniture, u.furniture) {
                (0, _) => u.min_score,
                (_, 0) => self.min_score,
                _ => self.min_score.min(u.min_score),
            },
            furniture: self.furniture + u.furniture,
            min_docs: min(self.min_docs, self.in_documents, u.min_docs, u.in_documents),
            in_documents: self.in_documents + u.in_documents,
            min_repeats: min(self.min_repeats, self.repeated, u.min_repeats, u.repeated),
            repeated: self.repeated + u.repeated,
            page: self.page | u.page,
        }
    }
}

impl From<RunSummary> for Reason {
    fn from(r: RunSummary) -> Reason {
        Reason::Run(r)
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
