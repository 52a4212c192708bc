//! `dedup cluster`, step 2 of the staged pipeline (global): the signed tables in, the
//! near-duplicate clusters and boilerplate counts out.

use super::args::DetectArgs;
use super::Outcome;
use clap::Args;
use std::path::PathBuf;

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

pub fn run(args: ClusterArgs) -> Result<Outcome, dedup::Error> {
    let started = std::time::Instant::now();
    let stats = dedup::staged::cluster::cluster(&args.dir, &args.detect.options()?)?;
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
