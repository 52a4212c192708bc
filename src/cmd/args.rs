//! The argument groups the subcommands share, and the run's [`Settings`] built from them: how
//! the corpus is read and what the detectors are told ([`DetectArgs`]), where the report goes and
//! in what form ([`ReportArgs`]).

use clap::{Args, ValueEnum};
use dedup::detect::{Pages, Rows};
use dedup::doc::LshParams;
use dedup::pipeline::{Options, Settings, DEFAULT_MIN_DOCS};
use dedup::read::{Fields, ReadOptions};
use dedup::report::{DolmaOut, Format, Offsets, ReportOut};
use dedup::Detectors;
use std::path::PathBuf;

/// Where the report goes and in what form: shared by `scan` and `spans`.
#[derive(Args)]
pub struct ReportArgs {
    /// Unit of every offset in the report: UTF-8 bytes, or code points (Python string indices).
    #[arg(long, value_enum, default_value_t = OffsetUnit::Bytes)]
    pub offsets: OffsetUnit,
    /// Report format: CSV rows; one JSON attribute record per flagged document; the rows as
    /// Parquet with typed columns; or `dolma`,
    /// Dolma's attribute files beside the documents (`attributes/NAME/`, see --attributes).
    #[arg(long, value_enum, default_value_t = ReportFormat::Csv)]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout.
    #[arg(short = 'o', long, conflicts_with = "attributes")]
    pub output: Option<PathBuf>,
    /// With `--format dolma`: the attribute name (`attributes/NAME/` and the keys
    /// `NAME__boilerplate`, `NAME__repeated_paragraph`, `NAME__near_duplicate`,
    /// `NAME__exact_duplicate`).
    #[arg(long, value_name = "NAME")]
    pub attributes: Option<String>,
}

impl ReportArgs {
    /// Opens the report these arguments ask for (CSV and JSONL; `dolma` is [`Self::dolma`]).
    pub fn open(&self) -> Result<ReportOut, dedup::Error> {
        let format = match self.format {
            ReportFormat::Csv => Format::Csv,
            ReportFormat::Jsonl => Format::Jsonl,
            ReportFormat::Parquet => Format::Parquet,
            ReportFormat::Dolma => {
                return Err(dedup::Error::Usage(
                    "--format dolma is written by `dedup scan`".into(),
                ))
            }
        };
        if self.attributes.is_some() {
            return Err(dedup::Error::Usage(
                "--attributes goes with --format dolma".into(),
            ));
        }
        ReportOut::open(self.output.as_deref(), format, self.offsets.into())
    }

    /// Whether the report prints code-point offsets: `--offsets chars`, and Dolma's attributes
    /// (which count code points whatever --offsets says). A run counts them only then
    /// ([`Options::code_points`]).
    pub fn code_points(&self) -> bool {
        self.offsets == OffsetUnit::Chars || self.format == ReportFormat::Dolma
    }

    /// The Dolma attributes asked for (`--format dolma --attributes NAME`), if any.
    pub fn dolma(&self) -> Result<Option<DolmaOut>, dedup::Error> {
        match (self.format, &self.attributes) {
            // Dolma counts code points, whatever --offsets says.
            (ReportFormat::Dolma, Some(name)) => DolmaOut::new(name).map(Some),
            (ReportFormat::Dolma, None) => Err(dedup::Error::Usage(
                "--format dolma needs --attributes NAME".into(),
            )),
            _ => Ok(None),
        }
    }
}

/// What the detectors are told, and how the corpus is read: shared by `scan` and the stages.
#[derive(Args, Clone)]
pub struct DetectArgs {
    /// Jaccard similarity of word shingles at which two documents are near duplicates.
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = 5)]
    shingle: usize,
    /// MinHash signature length.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// LSH bands (with --band-rows); chosen from --threshold and --num-perm by default.
    #[arg(long, requires = "band_rows")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    band_rows: Option<usize>,
    /// A line found in at least this many documents is boilerplate.
    #[arg(long, default_value_t = DEFAULT_MIN_DOCS)]
    min_docs: usize,
    /// A repeated run with fewer words is not reported.
    #[arg(long, default_value_t = 3)]
    min_repeat_words: usize,
    /// Furniture probability (0-1) at which a line is cut as page furniture ("Leave a Reply",
    /// share widgets, menus); higher cuts less.
    #[arg(long, default_value_t = dedup::furniture::DEFAULT_THRESHOLD)]
    boilerplate_threshold: f32,
    /// Where the page-furniture classifier cuts: `auto`, in the documents that read as web
    /// pages (furniture phrases, blocks of menu or template lines; not code or markup); `on`, in
    /// every document; `off`, nowhere (boilerplate is then only text repeated across documents,
    /// or short lines repeated inside one).
    #[arg(long, value_enum, default_value_t = FurnitureMode::Auto)]
    furniture: FurnitureMode,
    /// The same as `--furniture off`.
    #[arg(long)]
    no_furniture: bool,
    /// `runs`: one boilerplate row per run of units with only whitespace between them, a cut of
    /// whole lines taking their line ends (and the blank lines after) with it, so that `apply`
    /// leaves no blank line; `units`: one row per unit (a line or a sentence tail), line ends left
    /// in place.
    #[arg(long, value_parser = parse_rows, default_value = "runs")]
    rows: RowMode,
    /// The detectors to run, comma-separated: repeated paragraphs inside a document,
    /// boilerplate (lines across documents, furniture), near-duplicate documents. A detector left
    /// out costs nothing: `--detect near-dup` only fingerprints whole documents.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "repeated,boilerplate,near-dup"
    )]
    detect: Vec<Detector>,
    /// Worker threads (default: all cores). The report is the same for any value.
    #[arg(long)]
    threads: Option<usize>,
    /// JSONL and Parquet: the field holding the text (a dotted path such as `content.body`).
    #[arg(long, default_value = "text")]
    text_field: String,
    /// JSONL and Parquet: the field holding the record's id (a dotted path).
    #[arg(long, default_value = "id")]
    id_field: String,
    /// JSONL and Parquet: the field holding the record's language (`language`,
    /// `metadata.lang`): `--stats` then breaks the run down per language.
    #[arg(long)]
    lang_field: Option<String>,
    /// Stop at the first problem (an input skipped, decoded lossily, given twice, or an id seen
    /// before) instead of warning and going on.
    #[arg(long)]
    strict: bool,
    /// Skip any document larger than this many bytes once decompressed (bounds memory and
    /// stops decompression bombs).
    #[arg(long, value_name = "BYTES", default_value_t = dedup::read::DEFAULT_MAX_DOC_BYTES)]
    max_doc_bytes: u64,
}

impl DetectArgs {
    /// What the run is asked for.
    pub fn settings(&self) -> Settings {
        Settings {
            threshold: self.threshold,
            shingle: self.shingle,
            num_perm: self.num_perm,
            lsh: self
                .bands
                .zip(self.band_rows)
                .map(|(bands, rows)| LshParams { bands, rows }),
            min_docs: self.min_docs,
            min_repeat_words: self.min_repeat_words,
            furniture: (!self.no_furniture && self.furniture != FurnitureMode::Off)
                .then_some(self.boilerplate_threshold),
            rows: match self.rows {
                RowMode::Runs => Rows::Runs,
                RowMode::Units => Rows::Units,
            },
            pages: match self.furniture {
                FurnitureMode::On => Pages::All,
                _ => Pages::Auto,
            },
            detectors: Detectors {
                repeated: self.detect.contains(&Detector::Repeated),
                boilerplate: self.detect.contains(&Detector::Boilerplate),
                near_dup: self.detect.contains(&Detector::NearDup),
            },
            read: ReadOptions {
                fields: Fields {
                    text: self.text_field.clone(),
                    id: self.id_field.clone(),
                    lang: self.lang_field.clone(),
                },
                max_doc_bytes: self.max_doc_bytes,
            },
            strict: self.strict,
            threads: self.threads,
        }
    }

    /// Each stage's configuration, checked and derived once.
    pub fn options(&self) -> Result<Options, dedup::Error> {
        self.settings().options()
    }
}

/// A value of `--rows`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RowMode {
    /// One row per run of adjacent units.
    Runs,
    /// One row per unit.
    Units,
}

/// `--rows runs|units`; a number says where the LSH rows per band went.
fn parse_rows(value: &str) -> Result<RowMode, String> {
    match value {
        "runs" => Ok(RowMode::Runs),
        "units" => Ok(RowMode::Units),
        n if n.parse::<usize>().is_ok() => {
            Err("takes runs or units (the LSH rows per band are --band-rows, with --bands)".into())
        }
        _ => Err("takes runs or units".into()),
    }
}

/// A value of `--furniture`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FurnitureMode {
    /// Cut page furniture in the documents that read as pages.
    Auto,
    /// Cut page furniture in every document.
    On,
    /// Cut no page furniture.
    Off,
}

/// A value of `--detect`.
#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum Detector {
    /// `repeated_paragraph` rows.
    Repeated,
    /// `boilerplate` rows.
    Boilerplate,
    /// `near_duplicate` and `exact_duplicate` rows.
    NearDup,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum OffsetUnit {
    Bytes,
    Chars,
}

impl From<OffsetUnit> for Offsets {
    fn from(u: OffsetUnit) -> Offsets {
        match u {
            OffsetUnit::Bytes => Offsets::Bytes,
            OffsetUnit::Chars => Offsets::Chars,
        }
    }
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum ReportFormat {
    Csv,
    Jsonl,
    Parquet,
    Dolma,
}
