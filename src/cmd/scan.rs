//! `dedup scan`: a corpus in, the cleanup report out (rows as they are found), with the
//! summary on stderr and, if asked, `--stats`, `--explain` and `--pairs`.

use super::args::{DetectArgs, ReportArgs};
use super::{outcome, warn_inputs, Outcome};
use clap::Args;
use dedup::pipeline::summary;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Args)]
pub struct ScanArgs {
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
    /// Also write a self-contained HTML page to look at before cutting: the totals, a sample of
    /// documents with their cuts marked, the clusters with a diff.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

pub fn run(args: ScanArgs) -> Result<Outcome, dedup::Error> {
    let options = dedup::pipeline::Options {
        code_points: args.report.code_points(),
        ..args.detect.options()?
    };
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
    // The report: rows as they are found, or Dolma attributes written at the end (they need
    // every document, flagged or not).
    let mut dolma = args.report.dolma()?;
    if let (Some(_), Some(name)) = (&dolma, &args.report.attributes) {
        if options.read.fields.id != "id" {
            return Err(dedup::Error::Usage(
                "--format dolma: Dolma matches attributes to documents by their top-level 'id'; leave out --id-field".into(),
            ));
        }
        // Refused before the scan, not after it: every input must have a place for its
        // attributes.
        dedup::report::check_sources(&dedup::read::discover(&args.paths)?.sources, name)?;
    }
    let mut report = match dolma {
        Some(_) => None,
        None => Some(args.report.open()?),
    };
    let mut sampler = args.html.as_ref().map(|_| dedup::html::Sampler::default());
    let result = dedup::pipeline::scan_streaming(
        &args.paths,
        &options,
        &progress,
        &mut |documents, spans, texts| {
            if let Some(s) = &mut sampler {
                s.add(documents, spans, texts);
            }
            match (&mut report, &mut dolma) {
                (Some(report), _) => report.write(documents, spans, texts),
                (None, Some(dolma)) => {
                    dolma.add(spans, texts);
                    Ok(())
                }
                (None, None) => Ok(()),
            }
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let result = result?;
    if let Some(mut report) = report {
        // A report without rows still learns the documents (a typed report's id type).
        report.write(&result.documents, &[], &[])?;
        report.finish()?;
    }
    let attribute_files = match dolma {
        Some(dolma) => dolma
            .finish(&result.sources, &result.documents, &result.skipped)?
            .len(),
        None => 0,
    };
    if !args.quiet {
        warn_inputs(&result.skipped, &result.notices);
    }
    if let (Some(path), Some(sampler)) = (&args.html, sampler) {
        dedup::html::write_html(path, &result, sampler, &options.read, options.threshold)?;
    }
    if let Some(path) = &args.pairs {
        let file = std::fs::File::create(path).map_err(|e| dedup::Error::io(path, e))?;
        summary::write_pairs(std::io::BufWriter::new(file), &result)?;
    }
    let wall = started.elapsed().as_secs_f64();
    if let Some(path) = &args.stats {
        let json = summary::stats_json(&result, wall);
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| dedup::Error::Report(std::io::Error::from(e).into()))?;
        std::fs::write(path, text + "\n").map_err(|e| dedup::Error::io(path, e))?;
    }
    if !args.quiet {
        if args.explain && !options.spans.detectors.near_dup {
            eprintln!("LSH: not used (the near-duplicate detector is off: --detect)");
        } else if args.explain {
            eprint!("{}", summary::explain(&result, options.threshold));
        }
        eprintln!("{}", summary::summary(&result));
        if let (Some(name), true) = (&args.report.attributes, attribute_files > 0) {
            eprintln!("dedup: {attribute_files} attribute files written under attributes/{name}/");
        }
    }
    Ok(outcome(&result.skipped))
}
