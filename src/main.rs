//! The `dedup` command line: parses arguments, runs the library, prints.

use clap::{Args, Parser, Subcommand, ValueEnum};
use dedup::doc::LshParams;
use dedup::pipeline::DEFAULT_MIN_DOCS;
use dedup::read::{Fields, ReadOptions};
use dedup::report::Offsets;
use dedup::{report, Detectors, Options};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod staged_cmd;

/// mimalloc: the scan allocates many short-lived buffers per document on every thread, where
/// it is markedly faster than the system allocator (measured in README, Benchmarks).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "dedup",
    version,
    about = "Find repeated paragraphs, boilerplate and near-duplicate documents; report them as byte spans to cut."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a corpus and write the cleanup report (CSV) on stdout.
    #[command(after_help = "Examples:
  dedup scan seeds/ > report.csv
  dedup scan --threads 2 --explain corpus/ > report.csv
  dedup scan --threshold 0.9 --min-docs 5 a.txt b.txt more/ > report.csv
  dedup scan --text-field content --id-field meta.id shards/ -o report.csv
  dedup scan --format jsonl --offsets chars shards/*.jsonl.zst > attributes.jsonl

Each text file is one document, named in the report by its path relative to the folder given;
each line of a JSONL shard (.jsonl, .jsonl.gz, .jsonl.zst, .json.gz, .json.zst) is one document,
named <path>:<line>. Any file may be gzip- or zstd-compressed.
Rows: doc,start,end,kind,keep_doc,keep_start,keep_end,similarity,score,cluster,id,keep_id,reason,line_start,line_end,preview
(start/end are half-open byte offsets into the original file).

Exit status: 0 every input scanned; 3 scanned, but some inputs or records were skipped
(each named on stderr); 1 failure (or any problem under --strict); 2 usage error.")]
    Scan(ScanArgs),
    /// Cut a report's spans out of the corpus and write the cleaned corpus under --out.
    #[command(after_help = "Examples:
  dedup scan corpus/ > report.csv && dedup apply --report report.csv --out clean/ corpus/
  dedup apply --report r.csv --offsets chars --keep-flagged --out clean/ shards/

Give the same corpus paths (and --text-field, --offsets) as to the scan. Every source is written
under --out with the same relative path, format and compression. A report that does not fit the
corpus is refused before anything is cut, naming the row.")]
    Apply(ApplyArgs),
    /// Staged pipeline, step 1 (per shard): write the shards' fingerprints as Parquet tables.
    #[command(after_help = "Examples:
  dedup sign --out tables/ shards/a.jsonl.zst shards/b.jsonl.zst
  dedup sign --out tables/ --shard-id 17 shards/part-00017.jsonl.zst

Writes tables/{bands,paras,docs,shards}/shard-<id>.parquet and tables/params.json. Then run
`dedup cluster tables/` once, and `dedup spans --clusters tables/ SHARD` per shard: together they
write the rows `dedup scan` would (give every step the same options).")]
    Sign(staged_cmd::SignArgs),
    /// Staged pipeline, step 2 (global): near-duplicate clusters and boilerplate counts.
    #[command(
        after_help = "Reads the tables of `dedup sign` and writes tables/dup_docs/shard_id=<id>/ and
tables/boilerplate/ (Parquet). scripts/spark_cluster.py is the same step on Apache Spark."
    )]
    Cluster(staged_cmd::ClusterArgs),
    /// Staged pipeline, step 3 (per shard): the report rows of a shard (CSV on stdout).
    Spans(staged_cmd::SpansArgs),
}

#[derive(Args)]
struct ApplyArgs {
    /// The corpus, as given to `dedup scan`.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The CSV report of `dedup scan`.
    #[arg(long)]
    report: PathBuf,
    /// Folder to write the cleaned corpus into (created; must not overlap the input).
    #[arg(long)]
    out: PathBuf,
    /// Keep documents flagged whole, unchanged (JSONL records gain a `dedup_duplicate_of` field).
    #[arg(long)]
    keep_flagged: bool,
    /// Unit of the report's offsets.
    #[arg(long, value_enum, default_value_t = OffsetUnit::Bytes)]
    offsets: OffsetUnit,
    /// JSONL: the field holding the text.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// Folders (walked recursively) and files to scan.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    detect: DetectArgs,
    /// Print the LSH bands × rows and their S-curve on stderr.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    report: ReportArgs,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    quiet: bool,
    /// Also write every linked pair of near-duplicate documents (the cluster graph) to this CSV
    /// file: doc_a,doc_b,similarity,id_a,id_b.
    #[arg(long, value_name = "FILE")]
    pairs: Option<PathBuf>,
    /// Write the run's statistics (counts per kind, clusters, LSH, top boilerplate, speed) as JSON.
    #[arg(long)]
    stats: Option<PathBuf>,
}

/// Where the report goes and in what form: shared by `scan` and `spans`.
#[derive(Args)]
struct ReportArgs {
    /// Unit of every offset in the report: UTF-8 bytes, or code points (Python string indices).
    #[arg(long, value_enum, default_value_t = OffsetUnit::Bytes)]
    offsets: OffsetUnit,
    /// Report format: CSV rows, or one JSON attribute record per flagged document.
    #[arg(long, value_enum, default_value_t = ReportFormat::Csv)]
    format: ReportFormat,
    /// Write the report to this file instead of stdout.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
}

/// What the detectors are told, and how the corpus is read: shared by `scan` and the stages.
#[derive(Args, Clone)]
struct DetectArgs {
    /// Jaccard similarity of word shingles at which two documents are near duplicates.
    #[arg(long, default_value_t = 0.8)]
    threshold: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = 5)]
    shingle: usize,
    /// MinHash signature length.
    #[arg(long, default_value_t = 128)]
    num_perm: usize,
    /// LSH bands (with --rows); chosen from --threshold and --num-perm by default.
    #[arg(long, requires = "rows")]
    bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    rows: Option<usize>,
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
    /// Turn the furniture classifier off: boilerplate is then only text repeated across
    /// documents (or short lines repeated inside one).
    #[arg(long)]
    no_furniture: bool,
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
    /// JSONL: the field holding the text (a dotted path such as `content.body`).
    #[arg(long, default_value = "text")]
    text_field: String,
    /// JSONL: the field holding the record's id (a dotted path).
    #[arg(long, default_value = "id")]
    id_field: String,
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
    fn options(&self) -> Options {
        let mut options = Options {
            threshold: self.threshold,
            shingle: self.shingle,
            num_perm: self.num_perm,
            lsh: self
                .bands
                .zip(self.rows)
                .map(|(bands, rows)| LshParams { bands, rows }),
            min_docs: self.min_docs,
            threads: self.threads,
            read: ReadOptions {
                fields: Fields {
                    text: self.text_field.clone(),
                    id: self.id_field.clone(),
                },
                max_doc_bytes: self.max_doc_bytes,
            },
            strict: self.strict,
            ..Options::default()
        };
        options.rules.min_repeat_words = self.min_repeat_words;
        options.rules.furniture = (!self.no_furniture).then_some(self.boilerplate_threshold);
        options.rules.detectors = Detectors {
            repeated: self.detect.contains(&Detector::Repeated),
            boilerplate: self.detect.contains(&Detector::Boilerplate),
            near_dup: self.detect.contains(&Detector::NearDup),
        };
        options
    }
}

/// A value of `--detect`.
#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Detector {
    /// `repeated_paragraph` rows.
    Repeated,
    /// `boilerplate` rows.
    Boilerplate,
    /// `near_duplicate` and `exact_duplicate` rows.
    NearDup,
}

#[derive(Clone, Copy, ValueEnum)]
enum OffsetUnit {
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

/// The report being written.
enum Rows<W: Write> {
    Csv(Box<report::CsvRows<W>>),
    Jsonl(report::JsonlRows<W>),
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Csv,
    Jsonl,
}

/// Where the report goes. Rows are written as they are found; `-o FILE` is written beside FILE
/// and renamed when the run succeeds, so a failed run never leaves a partial report there.
struct ReportOut {
    rows: Rows<std::io::BufWriter<Box<dyn Write + Send>>>,
    spool: Option<(tempfile::NamedTempFile, PathBuf)>,
}

impl ReportOut {
    fn open(args: &ReportArgs) -> Result<Self, dedup::Error> {
        let unit: Offsets = args.offsets.into();
        let (out, spool): (Box<dyn Write + Send>, _) = match args.output.as_deref() {
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let tmp =
                    tempfile::NamedTempFile::new_in(dir).map_err(|e| dedup::Error::io(path, e))?;
                let file = tmp.reopen().map_err(|e| dedup::Error::io(path, e))?;
                (Box::new(file), Some((tmp, path.to_path_buf())))
            }
            None => (Box::new(std::io::stdout()), None),
        };
        let out = std::io::BufWriter::with_capacity(1 << 16, out);
        let rows = match args.format {
            ReportFormat::Csv => Rows::Csv(Box::new(report::CsvRows::new(out, unit)?)),
            ReportFormat::Jsonl => Rows::Jsonl(report::JsonlRows::new(out, unit)),
        };
        Ok(ReportOut { rows, spool })
    }

    fn write(
        &mut self,
        documents: &[dedup::Document],
        spans: &[dedup::Span],
        texts: &[dedup::span_text::SpanText],
    ) -> Result<(), dedup::Error> {
        match &mut self.rows {
            Rows::Csv(r) => r.write(documents, spans, texts),
            Rows::Jsonl(r) => r.write(documents, spans, texts),
        }
    }

    fn finish(self) -> Result<(), dedup::Error> {
        match self.rows {
            Rows::Csv(r) => r.finish()?,
            Rows::Jsonl(r) => r.finish()?,
        }
        if let Some((tmp, path)) = self.spool {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::Permissions::from_mode(0o644);
                std::fs::set_permissions(tmp.path(), mode)
                    .map_err(|e| dedup::Error::io(&path, e))?;
            }
            tmp.persist(&path)
                .map_err(|e| dedup::Error::io(&path, e.error))?;
        }
        Ok(())
    }
}

/// Exit status: every input was scanned.
const EXIT_OK: u8 = 0;
/// Exit status: the run failed (nothing or only part was done).
const EXIT_FAILURE: u8 = 1;
/// Exit status: the command line was wrong.
const EXIT_USAGE: u8 = 2;
/// Exit status: the run finished, but some inputs or records were skipped.
const EXIT_SKIPPED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Apply(args) => run_apply(args),
        Command::Sign(args) => staged_cmd::run_sign(args),
        Command::Cluster(args) => staged_cmd::run_cluster(args),
        Command::Spans(args) => staged_cmd::run_spans(args),
    };
    ExitCode::from(match result {
        Ok(Outcome::Complete) => EXIT_OK,
        Ok(Outcome::Skipped) => EXIT_SKIPPED,
        Err(e) => {
            eprintln!("dedup: error: {e}");
            match e {
                dedup::Error::Usage(_) => EXIT_USAGE,
                _ => EXIT_FAILURE,
            }
        }
    })
}

/// How a run that did not fail ended.
enum Outcome {
    Complete,
    Skipped,
}

/// Warnings of one kind printed before the rest are only counted (`--stats` lists them all).
const WARNINGS_SHOWN: usize = 100;

/// Prints warnings on stderr, at most [`WARNINGS_SHOWN`], then how many more there were.
fn warn(lines: impl ExactSizeIterator<Item = String>) {
    let total = lines.len();
    for line in lines.take(WARNINGS_SHOWN) {
        eprintln!("dedup: warning: {line}");
    }
    if total > WARNINGS_SHOWN {
        eprintln!(
            "dedup: warning: ... and {} more (--stats FILE lists them all)",
            total - WARNINGS_SHOWN
        );
    }
}

fn run_scan(args: ScanArgs) -> Result<Outcome, dedup::Error> {
    let options = args.detect.options();
    let started = std::time::Instant::now();
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    });
    let progress = |stage: &str, docs: u64, bytes: u64| {
        if let Some(bar) = &bar {
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{stage}: {docs} documents, {:.1} MB, {:.0} docs/s, {:.1} MB/s, {:.1} s",
                bytes as f64 / 1e6,
                docs as f64 / secs,
                bytes as f64 / 1e6 / secs,
                secs
            ));
        }
    };
    let mut report = ReportOut::open(&args.report)?;
    let result = dedup::pipeline::scan_streaming(
        &args.paths,
        &options,
        &progress,
        &mut |documents, spans, texts| report.write(documents, spans, texts),
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let result = result?;
    report.finish()?;
    if !args.quiet {
        warn(
            result
                .skipped
                .iter()
                .map(|s| format!("{}: skipped: {}", s.path.display(), s.reason)),
        );
        warn(
            result
                .notices
                .iter()
                .map(|n| format!("{}: {}", n.path.display(), n.message)),
        );
    }
    if let Some(path) = &args.pairs {
        let file = std::fs::File::create(path).map_err(|e| dedup::Error::io(path, e))?;
        report::write_pairs(std::io::BufWriter::new(file), &result)?;
    }
    let wall = started.elapsed().as_secs_f64();
    if let Some(path) = &args.stats {
        let json = report::stats_json(&result, wall);
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| dedup::Error::Report(std::io::Error::from(e).into()))?;
        std::fs::write(path, text + "\n").map_err(|e| dedup::Error::io(path, e))?;
    }
    if !args.quiet {
        if args.explain && !options.rules.detectors.near_dup {
            eprintln!("LSH: not used (the near-duplicate detector is off: --detect)");
        } else if args.explain {
            eprint!("{}", report::explain(&result, options.threshold));
        }
        eprintln!("{}", report::summary(&result));
    }
    Ok(if result.skipped.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Skipped
    })
}

fn run_apply(args: ApplyArgs) -> Result<Outcome, dedup::Error> {
    let options = dedup::apply::ApplyOptions {
        report: args.report,
        out: args.out,
        keep_flagged: args.keep_flagged,
        offsets: args.offsets.into(),
        fields: Fields {
            text: args.text_field,
            ..Fields::default()
        },
    };
    let stats = dedup::apply::apply(&args.paths, &options)?;
    if !args.quiet {
        warn(
            stats
                .skipped
                .iter()
                .map(|s| format!("{}: {}", s.path.display(), s.reason)),
        );
        eprintln!(
            "dedup apply: {} documents, {} spans cut ({} B), {} documents dropped, {} files copied unchanged",
            stats.documents, stats.spans_cut, stats.bytes_removed, stats.documents_dropped, stats.files_copied
        );
    }
    Ok(if stats.skipped.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Skipped
    })
}
