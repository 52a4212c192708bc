//! `dedup sign`, step 1 of the staged pipeline (per shard): shards in, their fingerprints as
//! Parquet tables out.

use super::args::DetectArgs;
use super::{outcome, warn_inputs, Outcome};
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

pub fn run(args: SignArgs) -> Result<Outcome, dedup::Error> {
    let started = std::time::Instant::now();
    let options = args.detect.options()?;
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
