//! `dedup spans`, step 3 of the staged pipeline (per shard): a shard and the cluster tables in,
//! the shard's report rows out.

use super::args::{DetectArgs, ReportArgs};
use super::{outcome, warn_inputs, Outcome};
use clap::Args;
use std::path::PathBuf;

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

pub fn run(args: SpansArgs) -> Result<Outcome, dedup::Error> {
    let started = std::time::Instant::now();
    let options = dedup::pipeline::Options {
        code_points: args.report.code_points(),
        ..args.detect.options()?
    };
    let mut report = args.report.open()?;
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
