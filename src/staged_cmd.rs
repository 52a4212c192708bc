//! The staged pipeline's subcommands (`sign`, `cluster`, `spans`), part of the binary only: parse
//! arguments, call [`dedup::staged`], print.

use super::{warn, DetectArgs, Outcome, ReportArgs, ReportOut};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct SignArgs {
    /// Shards: JSONL files (any compression), text files, or folders of them (one shard each).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Folder of the tables (created; shared by every `sign` of the corpus).
    #[arg(long)]
    out: PathBuf,
    /// Id of the first shard given; the next ones get the following ids. Give every shard of the
    /// corpus its own id, in the order of the shards' names, for a report equal to `scan`'s.
    #[arg(long, default_value_t = 0)]
    shard_id: u32,
    #[command(flatten)]
    detect: DetectArgs,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
pub struct ClusterArgs {
    /// Folder of the tables `dedup sign` wrote; `dup_docs/` and `boilerplate/` are written there.
    dir: PathBuf,
    #[command(flatten)]
    detect: DetectArgs,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
pub struct SpansArgs {
    /// Shards, given as to `dedup sign`.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Folder of the tables, after `dedup cluster`.
    #[arg(long)]
    clusters: PathBuf,
    /// Id of the first shard given (default: looked up by path in the `shards` table).
    #[arg(long)]
    shard_id: Option<u32>,
    #[command(flatten)]
    detect: DetectArgs,
    #[command(flatten)]
    report: ReportArgs,
    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    quiet: bool,
}

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

pub fn run_sign(args: SignArgs) -> Result<Outcome, dedup::Error> {
    let started = std::time::Instant::now();
    let options = args.detect.options();
    let stats = dedup::staged::sign::sign(
        &args.shards,
        args.shard_id,
        &args.out,
        &options,
        &|_, _, _| {},
    )?;
    if !args.quiet {
        warn_inputs(&stats.skipped, &stats.notices);
        eprintln!(
            "dedup sign: {} shards, {} documents ({:.1} MB), {} band rows, {} para rows, {} skipped, {:.2} s",
            stats.shards,
            stats.documents,
            stats.bytes as f64 / 1e6,
            stats.band_rows,
            stats.para_rows,
            stats.skipped.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(outcome(&stats.skipped))
}

pub fn run_cluster(args: ClusterArgs) -> Result<Outcome, dedup::Error> {
    let started = std::time::Instant::now();
    let stats = dedup::staged::cluster::cluster(&args.dir, &args.detect.options())?;
    if !args.quiet {
        eprintln!(
            "dedup cluster: {} documents, {} band rows, {} candidate pairs, {} verified, {} clusters ({} duplicates), {} para rows, {} counted keys, {:.2} s ({})",
            stats.documents,
            stats.band_rows,
            stats.candidate_pairs,
            stats.verified_pairs,
            stats.clusters,
            stats.duplicates,
            stats.para_rows,
            stats.boilerplate_keys,
            started.elapsed().as_secs_f64(),
            stats
                .seconds
                .iter()
                .map(|(step, s)| format!("{step} {s:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(Outcome::Complete)
}

pub fn run_spans(args: SpansArgs) -> Result<Outcome, dedup::Error> {
    let started = std::time::Instant::now();
    let options = args.detect.options();
    let mut report = ReportOut::open(&args.report)?;
    let stats = dedup::staged::spans::spans(
        &args.shards,
        args.shard_id,
        &args.clusters,
        &options,
        &|_, _, _| {},
        &mut |documents, spans, texts| report.write(documents, spans, texts),
    )?;
    report.finish()?;
    if !args.quiet {
        warn_inputs(&stats.skipped, &stats.notices);
        eprintln!(
            "dedup spans: {} documents, {} rows, {} skipped, {:.2} s",
            stats.documents,
            stats.totals.rows,
            stats.skipped.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(outcome(&stats.skipped))
}

fn outcome(skipped: &[dedup::read::Skipped]) -> Outcome {
    if skipped.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Skipped
    }
}
