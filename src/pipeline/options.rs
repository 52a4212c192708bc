//! A run's configuration: what the command line asks for ([`Settings`]) in, each stage's own
//! configuration ([`Options`]: how to read, what the document stage computes, the
//! near-duplicate threshold, the span rules) out, checked and derived once.

use crate::detect::boilerplate::MinDocs;
use crate::detect::{Pages, Rows, SpanRules};
use crate::doc::{DocConfig, LshParams};
use crate::model::Detectors;
use crate::read::ReadOptions;
use crate::Error;

pub use crate::detect::boilerplate::DEFAULT_MIN_DOCS;

/// What a run is asked for: the command line's values, before anything is derived from them.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Jaccard similarity at which two documents are near duplicates.
    pub threshold: f64,
    /// Words per shingle.
    pub shingle: usize,
    /// MinHash signature length.
    pub num_perm: usize,
    /// Bands × rows; chosen from `threshold` and `num_perm` when `None`.
    pub lsh: Option<LshParams>,
    /// A segment in at least this many documents is boilerplate.
    pub min_docs: usize,
    /// A repeated run with fewer words is not reported.
    pub min_repeat_words: usize,
    /// The furniture classifier's threshold (a probability); `None` turns it off.
    pub furniture: Option<f32>,
    /// Which documents the classifier cuts in.
    pub pages: Pages,
    /// One row per run of boilerplate units, or per unit.
    pub rows: Rows,
    pub detectors: Detectors,
    /// Where the text and id of JSONL records are, and the largest document read.
    pub read: ReadOptions,
    /// Stop at the first input that is skipped, decoded lossily, given twice or has an id
    /// already seen, instead of warning and going on.
    pub strict: bool,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threshold: 0.8,
            shingle: 5,
            num_perm: 128,
            lsh: None,
            min_docs: DEFAULT_MIN_DOCS,
            min_repeat_words: 3,
            furniture: Some(crate::furniture::DEFAULT_THRESHOLD),
            pages: Pages::Auto,
            rows: Rows::Runs,
            detectors: Detectors::default(),
            read: ReadOptions::default(),
            strict: false,
            threads: None,
        }
    }
}

/// Each stage's configuration, derived once from the [`Settings`].
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub read: ReadOptions,
    pub doc: DocConfig,
    /// Jaccard similarity at which two documents are near duplicates.
    pub threshold: f64,
    pub spans: SpanRules,
    /// Count code points: every document's [`Document::chars`](crate::model::Document) and the
    /// spans' code-point offsets ([`SpanText::chars`](crate::report::SpanText)), which stay 0
    /// otherwise. Only the report's `--offsets chars`, Dolma's attributes and the staged tables
    /// use them; a scan whose report counts bytes turns them off.
    pub code_points: bool,
    pub strict: bool,
    pub threads: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Settings::default()
            .options()
            .expect("the default settings are valid")
    }
}

impl Settings {
    /// Checks the settings and derives each stage's configuration from them.
    pub fn options(&self) -> Result<Options, Error> {
        self.check()?;
        let furniture = self.furniture.is_some();
        Ok(Options {
            read: self.read.clone(),
            doc: DocConfig {
                shingle: self.shingle,
                num_perm: self.num_perm,
                // Chosen once: every document's print stores its band keys.
                lsh: self
                    .lsh
                    .unwrap_or_else(|| LshParams::choose(self.threshold, self.num_perm)),
                detectors: self.detectors,
                furniture,
                pages_only: self.pages == Pages::Auto,
                sketches: false,
            },
            threshold: self.threshold,
            spans: SpanRules {
                detectors: self.detectors,
                min_repeat_words: self.min_repeat_words,
                furniture: self.furniture,
                pages: self.pages,
                rows: self.rows,
                min_docs: MinDocs::new(self.min_docs, furniture),
                ..SpanRules::default()
            },
            code_points: true,
            strict: self.strict,
            threads: self.threads,
        })
    }

    fn check(&self) -> Result<(), Error> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::Usage(format!(
                "--threshold must be in (0, 1], not {}",
                self.threshold
            )));
        }
        if self.shingle == 0 || self.num_perm == 0 || self.min_docs < 2 {
            return Err(Error::Usage(
                "--shingle and --num-perm must be at least 1, --min-docs at least 2".into(),
            ));
        }
        if let Some(t) = self.furniture {
            if !(0.0..=1.0).contains(&t) {
                return Err(Error::Usage(format!(
                    "--boilerplate-threshold must be in [0, 1], not {t}"
                )));
            }
        }
        if let Some(p) = self.lsh {
            if p.bands == 0 || p.rows == 0 || p.bands * p.rows > self.num_perm {
                return Err(Error::Usage(format!(
                    "--bands × --band-rows must be between 1 and --num-perm ({}), not {} × {}",
                    self.num_perm, p.bands, p.rows
                )));
            }
        }
        Ok(())
    }
}

/// The pool of `o.threads` worker threads (all cores when `None`) a run works in.
pub fn thread_pool(o: &Options) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))
}
