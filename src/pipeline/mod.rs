//! The whole scan: paths in, a [`ScanResult`] (documents, spans, statistics) out.
//!
//! read (streamed, in batches) → segment/normalise/fingerprint (parallel per document, text
//! dropped afterwards) → near-duplicate clusters → boilerplate counts → spans per document
//! (parallel) → previews. Every parallel step collects in document order, so the result is the
//! same for any thread count. [`corpus`] reads and fingerprints the corpus; this module finds the
//! verdicts (clusters, boilerplate counts); [`emit`] turns them into spans (shared with the
//! staged `spans`).

use crate::detect::boilerplate;
use crate::detect::near_dup::{self, Cluster, Edge, NearDupStats};
use crate::doc::LshParams;
use crate::model::{Document, Span};
use crate::read::{Notice, Skipped, Source};
use crate::report::SpanText;
use crate::Error;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::PathBuf;

mod corpus;
mod emit;
mod options;
pub mod summary;
pub use corpus::{fingerprint_corpus, Corpus};
pub use emit::{duplicates_of, emit_spans, representatives, DuplicateOf, Totals};
pub use options::{thread_pool, Options, Settings, DEFAULT_MIN_DOCS};

/// The outcome of a scan.
#[derive(Debug)]
pub struct ScanResult {
    pub sources: Vec<Source>,
    /// Scanned documents in corpus order (path given, source name, then line); spans refer to them by index.
    pub documents: Vec<Document>,
    /// Sorted by document, then start ([`scan`] only; [`scan_streaming`] hands them to its sink).
    pub spans: Vec<Span>,
    /// Parallel to `spans`.
    pub texts: Vec<SpanText>,
    /// Rows and bytes per kind.
    pub totals: Totals,
    /// Inputs and records that were not scanned, with the reason.
    pub skipped: Vec<Skipped>,
    /// Inputs scanned with a warning: decoded lossily, given twice, an id seen before.
    pub notices: Vec<Notice>,
    pub lsh: LshParams,
    pub clusters: Vec<Cluster>,
    /// Every pair of documents the near-duplicate detector linked, sorted.
    pub edges: Vec<Edge>,
    pub near_dup: NearDupStats,
    pub bytes_read: u64,
    /// The documents' languages (`--lang-field`): `Document::lang` - 1 indexes it.
    pub languages: Vec<String>,
    /// Standard input spooled to a file, kept while the result lives so that its text can be
    /// read again after the scan (the HTML report).
    pub stdin_spool: Option<tempfile::TempPath>,
    /// Wall time of each stage, in order (for `--stats` and performance work).
    pub stage_seconds: StageSeconds,
}

/// Wall seconds of the stages of a scan. `spans` includes writing the report, which overlaps the
/// assembly of the next run of spans.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageSeconds {
    /// Finding the inputs, reading them, segmenting, normalising and fingerprinting.
    pub fingerprint: f64,
    /// LSH candidates, their verification on sketches (reading their text again), clusters.
    pub near_duplicates: f64,
    /// Counting the segment keys across documents.
    pub boilerplate: f64,
    /// Assembling the spans, reading the text again for previews, writing the report.
    pub spans: f64,
}

/// Receives `(stage, documents, bytes)` as the scan advances (for a progress display).
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Receives the report's spans, a run of documents at a time in corpus order, with the
/// corpus's documents (which the spans refer to by index) and the spans' texts.
pub type Sink<'a> =
    &'a mut (dyn FnMut(&[Document], &[Span], &[SpanText]) -> Result<(), Error> + Send);

/// Runs the scan on a pool of `options.threads` threads and keeps every span in the result.
pub fn scan(inputs: &[PathBuf], options: &Options) -> Result<ScanResult, Error> {
    let (mut spans, mut texts) = (Vec::new(), Vec::new());
    let mut result = scan_streaming(inputs, options, &|_, _, _| {}, &mut |_, s, t| {
        spans.extend_from_slice(s);
        texts.extend_from_slice(t);
        Ok(())
    })?;
    result.spans = spans;
    result.texts = texts;
    Ok(result)
}

/// [`scan`] for corpora of any size: spans go to `sink` as they are found (the result keeps
/// only their [`Totals`]), and progress to `progress`.
pub fn scan_streaming(
    inputs: &[PathBuf],
    options: &Options,
    progress: Progress,
    sink: Sink,
) -> Result<ScanResult, Error> {
    let pool = thread_pool(options)?;
    pool.install(|| scan_in_pool(inputs, options, progress, sink))
}

fn scan_in_pool(
    inputs: &[PathBuf],
    o: &Options,
    progress: Progress,
    sink: Sink,
) -> Result<ScanResult, Error> {
    let clock = std::time::Instant::now();
    let mut lap = {
        let mut last = 0.0;
        move || {
            let now = clock.elapsed().as_secs_f64();
            let seconds = now - last;
            last = now;
            seconds
        }
    };
    let corpus = fingerprint_corpus(inputs, o, progress)?;
    let mut stage_seconds = StageSeconds {
        fingerprint: lap(),
        ..StageSeconds::default()
    };

    progress(
        "near duplicates",
        corpus.documents.len() as u64,
        corpus.bytes_read,
    );
    // Near duplicates, verified on sketches recomputed from the text of candidates only.
    let lsh = o.doc.lsh;
    let sketches = |docs: &[u32]| {
        crate::read::with_texts(
            &corpus.sources,
            &corpus.documents,
            &o.read,
            docs,
            |_, text, _| crate::doc::sketch(text, o.doc.shingle),
        )
    };
    let content_keys: Vec<Option<u64>> = corpus.prints.iter().map(|p| p.content_key).collect();
    let bands: Vec<Option<&[u64]>> = corpus.prints.iter().map(|p| p.bands.as_deref()).collect();
    let candidates = crate::detect::lsh::candidate_pairs(&bands);
    drop(bands);
    let (clusters, edges, near_dup) =
        near_dup::clusters(&content_keys, &candidates, o.threshold, sketches)?;

    stage_seconds.near_duplicates = lap();
    // Boilerplate counts, one vote per cluster.
    let lens: Vec<usize> = corpus.prints.iter().map(|p| p.len).collect();
    let verdicts = duplicates_of(&clusters, &lens);
    let representative = representatives(&verdicts);
    let frequent = if o.spans.detectors.boilerplate {
        boilerplate::frequent_keys(&corpus.prints, &representative, o.spans.min_docs.count)
    } else {
        FxHashMap::default()
    };

    stage_seconds.boilerplate = lap();
    progress("spans", corpus.documents.len() as u64, corpus.bytes_read);
    let totals = emit_spans(&corpus, &corpus.documents, &verdicts, &frequent, o, sink)?;
    stage_seconds.spans = lap();
    let Corpus {
        sources,
        documents,
        prints,
        skipped,
        notices,
        bytes_read,
        languages,
        stdin_spool,
    } = corpus;
    // Freed by every worker: on one thread, the fingerprints' many small allocations (and the
    // boilerplate counts) would keep one core busy at the end of the scan.
    rayon::join(
        || prints.into_par_iter().with_min_len(256).for_each(drop),
        || drop(frequent),
    );
    Ok(ScanResult {
        sources,
        documents,
        spans: Vec::new(),
        texts: Vec::new(),
        totals,
        skipped,
        notices,
        lsh,
        clusters,
        edges,
        near_dup,
        bytes_read,
        languages,
        stage_seconds,
        stdin_spool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with more rows than a piece (3 in tests) is located and written a piece at a
    /// time: every row is there, in order, with the offsets, code points and lines of its line.
    #[test]
    fn rows_of_a_document_in_pieces() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let menu: Vec<String> = (0..10)
            .map(|k| format!("Menü entry {k} · Accueil"))
            .collect();
        for name in ["a", "b", "c"] {
            let body = format!(
                "Opening line of page {name}, its own.\n{}\n",
                menu.join("\n")
            );
            std::fs::write(dir.path().join(format!("{name}.txt")), body)?;
        }
        // One row per line (runs would make the ten lines one row).
        let options = Settings {
            rows: crate::detect::Rows::Units,
            ..Settings::default()
        };
        let result = scan(&[dir.path().to_path_buf()], &options.options()?)?;
        let text = std::fs::read_to_string(dir.path().join("a.txt"))?;
        let rows: Vec<(&Span, &SpanText)> = result
            .spans
            .iter()
            .zip(&result.texts)
            .filter(|(s, _)| result.documents[s.doc as usize].name == "a.txt")
            .collect();
        assert_eq!(rows.len(), menu.len(), "{rows:?}");
        for ((span, t), (k, line)) in rows.iter().zip(menu.iter().enumerate()) {
            assert_eq!(&text[span.start..span.end], line);
            assert_eq!(t.lines, [k as u32 + 2; 2]);
            assert_eq!(t.chars[0], text[..span.start].chars().count());
            assert_eq!(t.chars[1], text[..span.end].chars().count());
        }
        Ok(())
    }

    /// Text files over several parallel steps (16 per step in tests), a shard between them,
    /// and sizes out of name order: every document in corpus order, the same report on any
    /// thread count.
    #[test]
    fn steps_of_text_files_keep_corpus_order() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let para = "A paragraph that several pages repeat word for word, as pages do.";
        for i in 0..45 {
            // Sizes that do not follow the names: the largest files come first in each step.
            let body =
                format!("Page {i}, its own opening line.\n{para}\n").repeat(1 + (i * 7) % 11);
            std::fs::write(dir.path().join(format!("p{i:02}.txt")), body)?;
        }
        let shard = format!("{}\n", serde_json::json!({"id": "s1", "text": para}));
        std::fs::write(dir.path().join("p20a.jsonl"), shard)?;
        let inputs = vec![dir.path().to_path_buf()];
        let run = |threads| {
            let o = Options {
                threads: Some(threads),
                ..Options::default()
            };
            scan(&inputs, &o)
        };
        let one = run(1)?;
        let names: Vec<&str> = one.documents.iter().map(|d| d.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), 46);
        assert!(names.contains(&"p20a.jsonl:1"), "{names:?}");
        for threads in [2, 3] {
            let other = run(threads)?;
            assert_eq!(other.documents, one.documents);
            assert_eq!(other.spans, one.spans);
            assert_eq!(other.texts, one.texts);
        }
        assert!(!one.spans.is_empty());
        Ok(())
    }
}
