//! The whole scan: paths in, a [`ScanResult`] (documents, spans, statistics) out.
//!
//! read → segment/normalise/fingerprint (parallel per document, text dropped afterwards) →
//! near-duplicate clusters → boilerplate counts → spans per document (parallel) → previews.
//! Every parallel step collects in document order, so the result is the same for any thread
//! count.

use crate::detect::near_dup::{self, Cluster, NearDupStats};
use crate::detect::{self, boilerplate, Span, SpanRules, Verdict};
use crate::fingerprint::{self, DocPrint};
use crate::lsh::LshParams;
use crate::minhash;
use crate::normalize::Tokenizer;
use crate::read::{self, Loaded, Skipped, Source};
use crate::Error;
use rayon::prelude::*;
use std::path::PathBuf;

/// Everything a scan can be told.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
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
    pub rules: SpanRules,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.8,
            shingle: 5,
            num_perm: 128,
            lsh: None,
            min_docs: DEFAULT_MIN_DOCS,
            rules: SpanRules::default(),
            threads: None,
        }
    }
}

/// Default of [`Options::min_docs`]; see the README for how it was chosen.
pub const DEFAULT_MIN_DOCS: usize = 3;

/// A scanned document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub name: String,
    pub len: usize,
}

/// The outcome of a scan.
#[derive(Debug)]
pub struct ScanResult {
    /// Scanned documents in name order; spans refer to them by index.
    pub documents: Vec<Document>,
    /// Sorted by document, then start.
    pub spans: Vec<Span>,
    /// A short preview of each span's text, parallel to `spans`.
    pub previews: Vec<String>,
    pub skipped: Vec<Skipped>,
    pub lsh: LshParams,
    pub clusters: Vec<Cluster>,
    pub near_dup: NearDupStats,
    pub bytes_read: u64,
}

/// One document's spans and their previews.
type SpansAndPreviews = (Vec<Span>, Vec<String>);

/// Runs the scan on a pool of `options.threads` threads.
pub fn scan(inputs: &[PathBuf], options: &Options) -> Result<ScanResult, Error> {
    validate(options)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    pool.install(|| scan_in_pool(inputs, options))
}

fn validate(o: &Options) -> Result<(), Error> {
    if !(o.threshold > 0.0 && o.threshold <= 1.0) {
        return Err(Error::Usage(format!(
            "--threshold must be in (0, 1], not {}",
            o.threshold
        )));
    }
    if o.shingle == 0 || o.num_perm == 0 || o.min_docs < 2 {
        return Err(Error::Usage(
            "--shingle and --num-perm must be at least 1, --min-docs at least 2".into(),
        ));
    }
    if let Some(p) = o.lsh {
        if p.bands == 0 || p.rows == 0 || p.bands * p.rows > o.num_perm {
            return Err(Error::Usage(format!(
                "--bands × --rows must be between 1 and --num-perm ({}), not {} × {}",
                o.num_perm, p.bands, p.rows
            )));
        }
    }
    Ok(())
}

fn scan_in_pool(inputs: &[PathBuf], o: &Options) -> Result<ScanResult, Error> {
    let found = read::discover(inputs)?;
    let mut skipped = found.skipped;

    // Read, segment, normalise and fingerprint every document; only fingerprints stay.
    let printed: Vec<Result<Result<DocPrint, String>, Error>> = found
        .sources
        .par_iter()
        .map(|src| {
            Ok(match read::load(src)? {
                Loaded::Skip(reason) => Err(reason),
                Loaded::Text(text) => {
                    let tokens = fingerprint::tokenize(&text, &mut Tokenizer::new());
                    Ok(fingerprint::doc_print(
                        text.len(),
                        &tokens,
                        o.shingle,
                        o.num_perm,
                    ))
                }
            })
        })
        .collect();
    let mut sources = Vec::new();
    let mut prints = Vec::new();
    for (src, result) in found.sources.into_iter().zip(printed) {
        match result? {
            Ok(print) => {
                sources.push(src);
                prints.push(print);
            }
            Err(reason) => skipped.push(Skipped {
                path: src.path,
                reason,
            }),
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));

    // Near duplicates, verified on shingle sets recomputed from the text of candidates only.
    let lsh = o
        .lsh
        .unwrap_or_else(|| LshParams::choose(o.threshold, o.num_perm));
    let shingles = |d: u32| -> Result<Vec<u64>, Error> {
        let text = reload(&sources[d as usize])?;
        let tokens = fingerprint::tokenize(&text, &mut Tokenizer::new());
        Ok(minhash::shingle_set(&tokens.words, o.shingle))
    };
    let (clusters, near_dup) = near_dup::clusters(&prints, lsh, o.threshold, shingles)?;

    // Boilerplate counts, one vote per cluster.
    let mut verdicts: Vec<Option<(u32, u32, f64, bool)>> = vec![None; prints.len()];
    let mut representative: Vec<u32> = (0..prints.len() as u32).collect();
    for c in &clusters {
        for m in &c.members {
            verdicts[m.doc as usize] = Some((c.id, c.kept, m.similarity, m.exact));
            representative[m.doc as usize] = c.kept;
        }
    }
    let frequent = boilerplate::frequent_keys(&prints, &representative, o.min_docs);

    // Spans and previews per document.
    let per_doc: Vec<Result<SpansAndPreviews, Error>> = prints
        .par_iter()
        .enumerate()
        .map(|(d, print)| {
            let verdict = match verdicts[d] {
                Some((cluster, kept, similarity, exact)) => Verdict::Duplicate {
                    cluster,
                    kept,
                    kept_len: prints[kept as usize].len,
                    similarity,
                    exact,
                },
                None => Verdict::Kept {
                    frequent: &frequent,
                },
            };
            let spans = detect::assemble(d as u32, print, verdict, o.rules);
            let previews = if spans.is_empty() {
                Vec::new()
            } else {
                let text = reload(&sources[d])?;
                spans
                    .iter()
                    .map(|s| preview(&text[s.start..s.end]))
                    .collect()
            };
            Ok((spans, previews))
        })
        .collect();
    let mut spans = Vec::new();
    let mut previews = Vec::new();
    for r in per_doc {
        let (s, p) = r?;
        spans.extend(s);
        previews.extend(p);
    }

    let bytes_read = prints.iter().map(|p| p.len as u64).sum();
    let documents = sources
        .into_iter()
        .zip(&prints)
        .map(|(s, p)| Document {
            name: s.name,
            len: p.len,
        })
        .collect();
    Ok(ScanResult {
        documents,
        spans,
        previews,
        skipped,
        lsh,
        clusters,
        near_dup,
        bytes_read,
    })
}

/// Reads a document again (for verification and previews); it must still be the text it was.
fn reload(src: &Source) -> Result<String, Error> {
    match read::load(src)? {
        Loaded::Text(t) => Ok(t),
        Loaded::Skip(reason) => Err(Error::Input {
            path: src.path.clone(),
            message: format!("changed during the scan: {reason}"),
        }),
    }
}

/// Up to 60 characters of `text` on one line.
fn preview(text: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}
