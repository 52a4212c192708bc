//! The whole scan: paths in, a [`ScanResult`] (documents, spans, statistics) out.
//!
//! read (streamed, in batches) → segment/normalise/fingerprint (parallel per document, text
//! dropped afterwards) → near-duplicate clusters → boilerplate counts → spans per document
//! (parallel) → previews. Every parallel step collects in document order, so the result is the
//! same for any thread count. This module fingerprints the corpus and finds the verdicts; [`emit`]
//! turns them into spans (shared with the staged `spans`).

use crate::detect::near_dup::{self, Cluster, Edge, NearDupStats};
use crate::detect::{boilerplate, Span, SpanRules};
use crate::fingerprint::{self, DocPrint};
use crate::furniture;
use crate::lsh::LshParams;
use crate::minhash;
use crate::normalize::Tokenizer;
use crate::read::{self, Format, Lossy, Notice, RawLine, ReadOptions, RecordSkip, Skipped, Source};
use crate::span_text::SpanText;
use crate::Error;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

mod emit;
pub use emit::{
    count_from, duplicates_of, emit_spans, representatives, with_texts, DuplicateOf, Totals,
};

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
    /// Where the text and id of JSONL records are, and the largest document read.
    pub read: ReadOptions,
    /// Stop at the first input that is skipped, decoded lossily, given twice or has an id
    /// already seen, instead of warning and going on.
    pub strict: bool,
    /// Worker threads; all cores when `None`.
    pub threads: Option<usize>,
    /// Keep every document's verification sketch in its print (`dedup sign` writes them out).
    pub sketches: bool,
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
            read: ReadOptions::default(),
            strict: false,
            threads: None,
            sketches: false,
        }
    }
}

/// Default of [`Options::min_docs`]; see the README for how it was chosen.
pub const DEFAULT_MIN_DOCS: usize = 3;

/// Documents fingerprinted together; bounds the text held in memory at once.
const BATCH_DOCS: usize = 512;
const BATCH_BYTES: usize = 32 << 20;

/// Text files read and fingerprinted per parallel step (largest first within it). Large, so that
/// a huge file seldom waits for a step's end, and bounded, so that the results a step holds
/// (a few hundred bytes per file) stay small beside the fingerprints kept.
const TEXT_STEP: usize = if cfg!(test) { 16 } else { 1 << 16 };

/// A scanned document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its name in the report: the file's name, or `<shard>:<line>` for a JSONL record.
    pub name: String,
    /// The record's id field, if it has one.
    pub id: Option<String>,
    /// Index of its source in [`ScanResult::sources`].
    pub source: u32,
    /// 1-based line in the decompressed shard; 0 for a text file.
    pub line: u32,
    /// Length in bytes (of the file or the record's text, as the report's offsets count them)
    /// and in characters (code points of the text, lossily decoded when it is not UTF-8).
    pub len: usize,
    pub chars: usize,
}

pub use crate::span_text::preview;

/// The outcome of a scan.
#[derive(Debug)]
pub struct ScanResult {
    pub sources: Vec<Source>,
    /// Scanned documents in corpus order (source name, then line); spans refer to them by index.
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
    validate(options)?;
    let pool = thread_pool(options)?;
    // Choose the LSH bands once: every document's print stores its band keys.
    let options = &Options {
        lsh: Some(options.lsh_params()),
        ..options.clone()
    };
    pool.install(|| scan_in_pool(inputs, options, progress, sink))
}

/// The pool of `o.threads` worker threads (all cores when `None`) a run works in.
pub fn thread_pool(o: &Options) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))
}

impl Options {
    /// The LSH bands × rows: as given, or chosen for the threshold.
    pub fn lsh_params(&self) -> LshParams {
        self.lsh
            .unwrap_or_else(|| LshParams::choose(self.threshold, self.num_perm))
    }
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
    if let Some(t) = o.rules.furniture {
        if !(0.0..=1.0).contains(&t) {
            return Err(Error::Usage(format!(
                "--boilerplate-threshold must be in [0, 1], not {t}"
            )));
        }
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

/// Accumulates the lines of shards and parses and fingerprints them a batch at a time, in
/// parallel: the thread that reads a shard only splits it into lines.
struct Fingerprinter<'a> {
    options: &'a Options,
    progress: Progress<'a>,
    sources: &'a [Source],
    /// Lines read and not yet parsed, in corpus order, with what was passed over among them,
    /// and their bytes.
    batch: Vec<Pending>,
    batch_bytes: usize,
    /// Bytes of all documents fingerprinted so far.
    bytes_done: u64,
    documents: Vec<Document>,
    prints: Vec<DocPrint>,
    /// Inputs passed over and warnings, in corpus order.
    skipped: Vec<Skipped>,
    notices: Vec<Notice>,
    /// Hash of each JSONL id seen → where it was first seen (source, line). A 64-bit hash stands
    /// for the id: a false "seen before" is about one in 10^9 at 100 million ids.
    ids: FxHashMap<u64, (u32, u32)>,
}

/// A line of shard `source`: its bytes to parse, or an item already passed over.
enum Pending {
    Line {
        source: u32,
        line: u32,
        bytes: Vec<u8>,
    },
    Skip {
        source: u32,
        skip: RecordSkip,
    },
}

/// What parsing and fingerprinting one line gives: its document and print, or why it is
/// passed over.
enum Parsed {
    Doc(Document, DocPrint),
    Skip { source: u32, skip: RecordSkip },
}

impl Fingerprinter<'_> {
    /// Takes one line read from shard `si`.
    fn take(&mut self, si: u32, line: RawLine) {
        let pending = match line {
            RawLine::Line { line, bytes } => {
                self.batch_bytes += bytes.len();
                Pending::Line {
                    source: si,
                    line,
                    bytes: bytes.to_vec(),
                }
            }
            RawLine::Skip(skip) => Pending::Skip { source: si, skip },
        };
        self.batch.push(pending);
    }

    /// Whether the batch is large enough to be fingerprinted.
    fn full(&self) -> bool {
        self.batch.len() >= BATCH_DOCS || self.batch_bytes >= BATCH_BYTES
    }

    /// Accounts for what was passed over in shard `si`: a record (`line` > 0) or the file.
    fn skip_record(&mut self, si: u32, skip: RecordSkip) -> Result<(), Error> {
        let reason = if skip.line == 0 {
            skip.reason
        } else {
            format!("line {}: {}", skip.line, skip.reason)
        };
        self.skip(Skipped {
            path: self.sources[si as usize].path.clone(),
            reason,
            bytes: skip.bytes,
        })
    }

    /// Accounts for an input not scanned; under `--strict`, stops the scan.
    fn skip(&mut self, s: Skipped) -> Result<(), Error> {
        if self.options.strict {
            return Err(Error::Input {
                path: s.path,
                message: format!("{} (--strict)", s.reason),
            });
        }
        self.skipped.push(s);
        Ok(())
    }

    /// Records a warning about a scanned input; under `--strict`, stops the scan.
    fn notice(&mut self, path: &std::path::Path, message: String) -> Result<(), Error> {
        if self.options.strict {
            return Err(Error::Input {
                path: path.to_path_buf(),
                message: format!("{message} (--strict)"),
            });
        }
        self.notices.push(Notice {
            path: path.to_path_buf(),
            message,
        });
        Ok(())
    }

    /// Parses and fingerprints the batch in parallel, then records it in corpus order (ids
    /// seen before, records passed over).
    fn flush(&mut self) -> Result<(), Error> {
        let (o, sources) = (self.options, self.sources);
        let parsed: Vec<Parsed> = std::mem::take(&mut self.batch)
            .into_par_iter()
            .with_max_len(1)
            .map(|pending| match pending {
                Pending::Skip { source, skip } => Parsed::Skip { source, skip },
                Pending::Line {
                    source,
                    line,
                    bytes,
                } => match read::parse_line(line, &bytes, &o.read.fields) {
                    Ok(r) => {
                        let print = fingerprint_text(&r.text, o);
                        let doc = Document {
                            name: format!("{}:{}", sources[source as usize].name, r.line),
                            id: r.id,
                            source,
                            line: r.line,
                            len: r.text.len(),
                            chars: r.text.chars().count(),
                        };
                        Parsed::Doc(doc, print)
                    }
                    Err(skip) => Parsed::Skip { source, skip },
                },
            })
            .collect();
        for p in parsed {
            match p {
                Parsed::Skip { source, skip } => self.skip_record(source, skip)?,
                Parsed::Doc(doc, print) => {
                    if let Some(id) = &doc.id {
                        let key = xxhash_rust::xxh3::xxh3_64(id.as_bytes());
                        if let Some(&(first_src, first_line)) = self.ids.get(&key) {
                            let message = format!(
                                "line {}: id '{id}' also at {}:{first_line}",
                                doc.line, sources[first_src as usize].name
                            );
                            self.notice(&sources[doc.source as usize].path, message)?;
                        } else {
                            self.ids.insert(key, (doc.source, doc.line));
                        }
                    }
                    self.bytes_done += doc.len as u64;
                    self.add(doc, print);
                }
            }
        }
        self.batch_bytes = 0;
        (self.progress)("reading", self.documents.len() as u64, self.bytes_done);
        Ok(())
    }

    /// Records a document fingerprinted elsewhere (text files are read and fingerprinted in one
    /// parallel task, without passing through the batch).
    fn add(&mut self, doc: Document, print: DocPrint) {
        self.documents.push(doc);
        self.prints.push(print);
    }
}

/// Segments, normalises and fingerprints one document's text.
fn fingerprint_text(text: &str, o: &Options) -> DocPrint {
    let detectors = o.rules.detectors;
    TOKENIZER.with_borrow_mut(|(tokenizer, tokens)| {
        if detectors.segments() {
            fingerprint::tokenize_into(text, tokenizer, tokens);
        } else {
            // Only whole documents are compared: the words without the segments (the same
            // words, since line ends only separate them).
            tokens.segments.clear();
            tokens.words.clear();
            tokenizer.words(text, &mut tokens.words);
        }
        let mut print = fingerprint::doc_print(
            text.len(),
            tokens,
            o.shingle,
            o.num_perm,
            o.lsh_params(),
            detectors,
        );
        if detectors.boilerplate && o.rules.furniture.is_some() {
            print.furniture = Some(Box::new(furniture::evidence(text, tokens, tokenizer)));
        }
        if o.sketches && detectors.near_dup {
            let sketch = minhash::sketch(&tokens.words, o.shingle, minhash::SKETCH_LEN);
            print.sketch = Some(sketch.into_boxed_slice());
        }
        // A huge document's buffers are not kept for the small ones that follow.
        if tokens.words.capacity() > KEEP_WORDS {
            *tokens = fingerprint::Tokens::default();
        }
        print
    })
}

/// Words (8 bytes each) a worker's tokens buffer may keep between documents.
const KEEP_WORDS: usize = 1 << 20;

thread_local! {
    /// Each worker's tokenizer (with its tokens buffer) and read buffer, reused from one
    /// document to the next.
    static TOKENIZER: std::cell::RefCell<(Tokenizer, fingerprint::Tokens)> =
        std::cell::RefCell::new((Tokenizer::new(), fingerprint::Tokens::default()));
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What reading and fingerprinting one text file gives.
enum TextOutcome {
    /// The document, its print, and how its bytes were decoded when they were not UTF-8.
    Doc(Document, DocPrint, Option<Lossy>),
    Skip(Skipped),
    /// Not read: under `--strict`, an earlier file of the run was a problem.
    PassedOver,
}

impl TextOutcome {
    /// Whether `--strict` stops at it (a file skipped or decoded lossily).
    fn is_problem(&self) -> bool {
        matches!(self, TextOutcome::Skip(_) | TextOutcome::Doc(_, _, Some(_)))
    }
}

/// Progress through a run of text files, reported from the workers every [`PROGRESS_EVERY`]
/// files (the run is one parallel step).
struct RunProgress<'a> {
    progress: Progress<'a>,
    base: (u64, u64),
    done: (AtomicU64, AtomicU64),
}

const PROGRESS_EVERY: u64 = 512;

impl<'a> RunProgress<'a> {
    fn new(fp: &Fingerprinter<'a>) -> Self {
        RunProgress {
            progress: fp.progress,
            base: (fp.documents.len() as u64, fp.bytes_done),
            done: (AtomicU64::new(0), AtomicU64::new(0)),
        }
    }

    fn done(&self, outcome: &TextOutcome) {
        let bytes = match outcome {
            TextOutcome::Doc(doc, ..) => doc.len as u64,
            _ => 0,
        };
        let bytes = self.done.1.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let files = self.done.0.fetch_add(1, Ordering::Relaxed) + 1;
        if files.is_multiple_of(PROGRESS_EVERY) {
            (self.progress)("reading", self.base.0 + files, self.base.1 + bytes);
        }
    }
}

/// Reads text file `si` (of length `len` on disk, if known) into this worker's buffer and
/// fingerprints it; the text is not kept.
fn read_and_fingerprint(si: u32, src: &Source, len: Option<u64>, o: &Options) -> TextOutcome {
    READ_BUFFER.with_borrow_mut(|buf| {
        let outcome = match read::read_text(src, o.read.max_doc_bytes, len, buf) {
            Ok(text) => TextOutcome::Doc(
                Document {
                    name: src.name.clone(),
                    id: None,
                    source: si,
                    line: 0,
                    len: text.bytes,
                    chars: text.text.chars().count(),
                },
                fingerprint_text(&text.text, o),
                text.lossy,
            ),
            Err(reason) => TextOutcome::Skip(Skipped {
                path: src.path.clone(),
                reason,
                bytes: buf.len() as u64,
            }),
        };
        // A huge file's buffer is not kept for the small ones that follow.
        if buf.capacity() > BATCH_BYTES {
            *buf = Vec::new();
        }
        outcome
    })
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
    let lsh = o.lsh_params();
    let sketches = |docs: &[u32]| {
        with_texts(
            &corpus.sources,
            &corpus.documents,
            &o.read,
            docs,
            |_, text, _| {
                // The words of the whole text are the segments' words: line ends only separate.
                let mut words = Vec::new();
                TOKENIZER.with_borrow_mut(|(t, _)| t.words(text, &mut words));
                minhash::sketch(&words, o.shingle, minhash::SKETCH_LEN)
            },
        )
    };
    let content_keys: Vec<Option<u64>> = corpus.prints.iter().map(|p| p.content_key).collect();
    let bands: Vec<Option<&[u64]>> = corpus.prints.iter().map(|p| p.bands.as_deref()).collect();
    let candidates = crate::lsh::candidate_pairs(&bands);
    drop(bands);
    let (clusters, edges, near_dup) =
        near_dup::clusters(&content_keys, &candidates, o.threshold, sketches)?;

    stage_seconds.near_duplicates = lap();
    // Boilerplate counts, one vote per cluster.
    let lens: Vec<usize> = corpus.prints.iter().map(|p| p.len).collect();
    let verdicts = duplicates_of(&clusters, &lens);
    let representative = representatives(&verdicts);
    let frequent = if o.rules.detectors.boilerplate {
        boilerplate::frequent_keys(&corpus.prints, &representative, count_from(o))
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
        ..
    } = corpus;
    // Freed by every worker: on one thread, the fingerprints' many small allocations (and the
    // boilerplate counts) kept one core busy for the last 20 ms of a 100 MB scan.
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
        stage_seconds,
    })
}

/// A corpus read, segmented, normalised and fingerprinted: only the fingerprints stay.
pub struct Corpus {
    pub sources: Vec<Source>,
    /// In corpus order (source name, then line); `prints` is parallel to it.
    pub documents: Vec<Document>,
    pub prints: Vec<DocPrint>,
    pub skipped: Vec<Skipped>,
    pub notices: Vec<Notice>,
    pub bytes_read: u64,
    /// Standard input spooled to a file, kept until its text has been read again for the spans.
    _stdin_spool: Option<tempfile::TempPath>,
}

/// Reads and fingerprints every document under `inputs` (run inside the scan's thread pool).
pub fn fingerprint_corpus(
    inputs: &[PathBuf],
    o: &Options,
    progress: Progress,
) -> Result<Corpus, Error> {
    let found = read::discover(inputs)?;
    let sources = found.sources;

    // Read, segment, normalise and fingerprint every document; only fingerprints stay.
    let mut fp = Fingerprinter {
        options: o,
        progress,
        sources: &sources,
        batch: Vec::new(),
        batch_bytes: 0,
        bytes_done: 0,
        documents: Vec::new(),
        prints: Vec::new(),
        skipped: Vec::new(),
        notices: Vec::new(),
        ids: FxHashMap::default(),
    };
    for s in found.skipped {
        fp.skip(s)?;
    }
    for n in found.notices {
        fp.notice(&n.path, n.message)?;
    }
    // Shards stream line by line; runs of text files are read in parallel, a bounded chunk at a
    // time, so that many small files do not wait on one thread.
    let mut si = 0;
    while si < sources.len() {
        if sources[si].format() == Format::Jsonl {
            read::read_lines(&sources[si], &o.read, |line| {
                fp.take(si as u32, line);
                if fp.full() {
                    fp.flush()?;
                }
                Ok(())
            })?;
            si += 1;
            continue;
        }
        // A run of text files, read and fingerprinted in parallel steps, largest first;
        // each worker holds one file at a time. A file much larger than the others thus starts
        // at once and keeps one core while the others go through the rest, instead of starting
        // late and leaving them idle (a 36 MB file among 10,775 small ones: 2.0–2.4 → 1.7 s to
        // fingerprint on 2 cores). The lengths come from one `stat` per file, done in
        // parallel, which the read then does not repeat. One file per task
        // (`with_max_len(1)`): rayon's default pieces left one core idle at the end of a step
        // while the other finished its last piece.
        // At most TEXT_STEP files per step: their results wait in one list until the step ends.
        let last = sources.len().min(si + TEXT_STEP);
        let end = (si..last)
            .find(|&k| sources[k].format() != Format::Text)
            .unwrap_or(last);
        let lens: Vec<Option<u64>> = sources[si..end]
            .par_iter()
            .with_max_len(64)
            .map(read::file_len)
            .collect();
        let mut order: Vec<usize> = (si..end).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(lens[k - si]));
        let run = RunProgress::new(&fp);
        let first_problem = AtomicUsize::new(usize::MAX);
        let mut outcomes: Vec<Option<TextOutcome>> = order
            .par_iter()
            .with_max_len(1)
            .map(|&k| {
                // Under --strict the scan stops at its first problem: files after one already
                // found (in corpus order) are passed over, never one before it, so the problem
                // reported is the first in corpus order whatever the thread count.
                if o.strict && k > first_problem.load(Ordering::Relaxed) {
                    return Some(TextOutcome::PassedOver);
                }
                let outcome = read_and_fingerprint(k as u32, &sources[k], lens[k - si], o);
                if o.strict && outcome.is_problem() {
                    first_problem.fetch_min(k, Ordering::Relaxed);
                }
                run.done(&outcome);
                Some(outcome)
            })
            .collect();
        // Back to corpus order.
        let mut at = vec![0; order.len()];
        for (i, &k) in order.iter().enumerate() {
            at[k - si] = i;
        }
        let outcomes = at.iter().map(|&i| outcomes[i].take());
        // Documents of an earlier shard come first (corpus order).
        fp.flush()?;
        // Room for the run at once, rather than moving every document already read each time
        // the lists grow.
        fp.documents.reserve(end - si);
        fp.prints.reserve(end - si);
        for (k, outcome) in (si..end).zip(outcomes) {
            match outcome.unwrap_or(TextOutcome::PassedOver) {
                TextOutcome::Doc(doc, print, lossy) => {
                    if let Some(lossy) = lossy {
                        let message = format!(
                            "not valid UTF-8 (first bad byte at offset {}, {} invalid sequence(s)): scanned on a lossy decode, offsets are into the original bytes",
                            lossy.first_bad_byte(),
                            lossy.replaced()
                        );
                        fp.notice(&sources[k].path, message)?;
                    }
                    fp.bytes_done += doc.len as u64;
                    fp.add(doc, print);
                }
                TextOutcome::Skip(s) => fp.skip(s)?,
                // Only after a problem of an earlier file, which stopped the scan above.
                TextOutcome::PassedOver => {
                    return Err(Error::Input {
                        path: sources[k].path.clone(),
                        message: "not read: the scan stopped at an earlier problem (--strict)"
                            .into(),
                    })
                }
            }
        }
        (fp.progress)("reading", fp.documents.len() as u64, fp.bytes_done);
        si = end;
    }
    fp.flush()?;
    let Fingerprinter {
        documents,
        prints,
        skipped,
        notices,
        bytes_done,
        ..
    } = fp;
    Ok(Corpus {
        sources,
        documents,
        prints,
        skipped,
        notices,
        bytes_read: bytes_done,
        _stdin_spool: found.stdin_spool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
