//! The `dedup` command line: one module per subcommand (its arguments and its `run`), the
//! argument groups they share in [`args`]. [`run`] parses the command line and runs the
//! subcommand; [`exit_code`] turns the outcome into the process's exit status.

mod apply;
mod args;
mod cluster;
mod scan;
mod sign;
mod spans;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

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
    Scan(scan::ScanArgs),
    /// Cut a report's spans out of the corpus and write the cleaned corpus under --out.
    #[command(after_help = "Examples:
  dedup scan corpus/ > report.csv && dedup apply --report report.csv --out clean/ corpus/
  dedup apply --report r.csv --offsets chars --keep-flagged --out clean/ shards/

Give the same corpus paths (and --text-field, --offsets) as to the scan. Every source is written
under --out with the same relative path, format and compression. A report that does not fit the
corpus is refused before anything is cut, naming the row.")]
    Apply(apply::ApplyArgs),
    /// Staged pipeline, step 1 (per shard): write the shards' fingerprints as Parquet tables.
    #[command(after_help = "Examples:
  dedup sign --out tables/ shards/a.jsonl.zst shards/b.jsonl.zst
  dedup sign --out tables/ --shard-id 17 shards/part-00017.jsonl.zst

Writes tables/{bands,paras,docs,shards}/shard-<id>.parquet and tables/params.json. Then run
`dedup cluster tables/` once, and `dedup spans --clusters tables/ SHARD` per shard: together they
write the rows `dedup scan` would (give every step the same options).")]
    Sign(sign::SignArgs),
    /// Staged pipeline, step 2 (global): near-duplicate clusters and boilerplate counts.
    #[command(
        after_help = "Reads the tables of `dedup sign` and writes tables/dup_docs/shard_id=<id>/ and
tables/boilerplate/ (Parquet). scripts/spark/cluster.py is the same step on Apache Spark."
    )]
    Cluster(cluster::ClusterArgs),
    /// Staged pipeline, step 3 (per shard): the report rows of a shard (CSV on stdout).
    Spans(spans::SpansArgs),
}

/// Exit status: every input was scanned.
const EXIT_OK: u8 = 0;
/// Exit status: the run failed (nothing or only part was done).
const EXIT_FAILURE: u8 = 1;
/// Exit status: the command line was wrong.
const EXIT_USAGE: u8 = 2;
/// Exit status: the run finished, but some inputs or records were skipped.
const EXIT_SKIPPED: u8 = 3;

/// Parses the command line and runs its subcommand.
pub fn run() -> Result<Outcome, dedup::Error> {
    match Cli::parse().command {
        Command::Scan(args) => scan::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Cluster(args) => cluster::run(args),
        Command::Spans(args) => spans::run(args),
    }
}

/// The exit status of a run's outcome (printing the error of a failed run).
pub fn exit_code(result: Result<Outcome, dedup::Error>) -> ExitCode {
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
pub enum Outcome {
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

/// The outcome of a run that read inputs: complete, or some were skipped.
fn outcome(skipped: &[dedup::read::Skipped]) -> Outcome {
    if skipped.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Skipped
    }
}

/// Prints the inputs a run passed over and its warnings.
fn warn_inputs(skipped: &[dedup::read::Skipped], notices: &[dedup::read::Notice]) {
    warn(
        skipped
            .iter()
            .map(|s| format!("{}: skipped: {}", s.path.display(), s.reason)),
    );
    warn(
        notices
            .iter()
            .map(|n| format!("{}: {}", n.path.display(), n.message)),
    );
}
