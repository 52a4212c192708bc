//! `dedup apply`: a report and the corpus it was made from in, the cleaned corpus out.

use super::args::OffsetUnit;
use super::{outcome, warn, Outcome};
use clap::Args;
use dedup::read::Fields;
use std::path::PathBuf;

#[derive(Args)]
pub struct ApplyArgs {
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

pub fn run(args: ApplyArgs) -> Result<Outcome, dedup::Error> {
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
    Ok(outcome(&stats.skipped))
}
