//! The fingerprint step of a scan: the paths given in, a [`Corpus`] out (its sources and
//! documents in corpus order, one [`DocPrint`] per document, what was skipped and why). Text
//! files are read and fingerprinted in parallel steps, largest first within a step; shards are
//! split into lines by the thread that reads them and parsed and fingerprinted in parallel
//! batches. Each text is dropped once fingerprinted.

use super::{Options, Progress};
use crate::doc::{self, DocPrint};
use crate::model::Document;
use crate::read::{self, Format, Lossy, Notice, RawLine, RecordSkip, Skipped, Source};
use crate::Error;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Documents fingerprinted together; bounds the text held in memory at once.
const BATCH_DOCS: usize = 512;
const BATCH_BYTES: usize = 32 << 20;

/// Text files read and fingerprinted per parallel step (largest first within it). Large, so that
/// a huge file seldom waits for a step's end, and bounded, so that the results a step holds
/// (a few hundred bytes per file) stay small beside the fingerprints kept.
const TEXT_STEP: usize = if cfg!(test) { 16 } else { 1 << 16 };

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
    /// The languages seen (`--lang-field`), in order of first appearance, and their indices.
    languages: Vec<String>,
    language_index: FxHashMap<String, u16>,
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
    /// A row of a Parquet file, its text already taken out of its column.
    Record {
        source: u32,
        record: read::Record,
    },
}

/// What parsing and fingerprinting one line gives: its document and print, or why it is
/// passed over.
// Held only for one batch, in a Vec of mostly documents: boxing them would add an allocation
// per document for no memory saved.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    /// With the record's language, interned in corpus order.
    Doc(Document, DocPrint, Option<String>),
    Skip {
        source: u32,
        skip: RecordSkip,
    },
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

    /// Takes one row read from Parquet file `si`.
    fn take_item(&mut self, si: u32, item: read::Item) {
        let pending = match item {
            read::Item::Doc(record) => {
                self.batch_bytes += record.text.len();
                Pending::Record { source: si, record }
            }
            read::Item::Skip {
                line,
                reason,
                bytes,
            } => Pending::Skip {
                source: si,
                skip: RecordSkip {
                    line,
                    reason,
                    bytes,
                },
            },
        };
        self.batch.push(pending);
    }

    /// Fingerprints the batch when it is large enough.
    fn flush_if_full(&mut self) -> Result<(), Error> {
        if self.batch.len() >= BATCH_DOCS || self.batch_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Accounts for what was passed over in shard `si`: a record (`line` > 0) or the file.
    fn skip_record(&mut self, si: u32, skip: RecordSkip) -> Result<(), Error> {
        let unit = match self.sources[si as usize].format() {
            Format::Parquet => "row",
            _ => "line",
        };
        let reason = if skip.line == 0 {
            skip.reason
        } else {
            format!("{unit} {}: {}", skip.line, skip.reason)
        };
        self.skip(Skipped {
            path: self.sources[si as usize].path.clone(),
            reason,
            bytes: skip.bytes,
            line: skip.line,
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
        let record_print = |source: u32, r: read::Record| {
            let print = doc::fingerprint(&r.text, &o.doc);
            let doc = Document {
                name: format!("{}:{}", sources[source as usize].name, r.line),
                id: r.id,
                id_number: r.id_number,
                lang: 0,
                source,
                line: r.line,
                len: r.text.len(),
                chars: code_points(&r.text, o),
            };
            Parsed::Doc(doc, print, r.lang)
        };
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
                    Ok(r) => record_print(source, r),
                    Err(skip) => Parsed::Skip { source, skip },
                },
                Pending::Record { source, record } => record_print(source, record),
            })
            .collect();
        for p in parsed {
            match p {
                Parsed::Skip { source, skip } => self.skip_record(source, skip)?,
                Parsed::Doc(mut doc, print, lang) => {
                    if let Some(lang) = lang {
                        doc.lang = self.language(lang);
                    }
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

    /// The index of language `lang` (1-based; the first 65,534 languages seen, the others
    /// unknown).
    fn language(&mut self, lang: String) -> u16 {
        if let Some(&i) = self.language_index.get(&lang) {
            return i;
        }
        if self.languages.len() >= u16::MAX as usize - 1 {
            return 0;
        }
        self.languages.push(lang.clone());
        let i = self.languages.len() as u16;
        self.language_index.insert(lang, i);
        i
    }

    /// Records a document fingerprinted elsewhere (text files are read and fingerprinted in one
    /// parallel task, without passing through the batch).
    fn add(&mut self, doc: Document, print: DocPrint) {
        self.documents.push(doc);
        self.prints.push(print);
    }
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

/// The code points of a document's text, when the run counts them ([`Options::code_points`]).
fn code_points(text: &str, o: &Options) -> usize {
    if o.code_points {
        text.chars().count()
    } else {
        0
    }
}

/// Reads text file `si` (of length `len` on disk, if known) into this worker's buffer and
/// fingerprints it; the text is not kept.
fn read_and_fingerprint(si: u32, src: &Source, len: Option<u64>, o: &Options) -> TextOutcome {
    // A huge file's buffer is not kept for the small ones that follow.
    read::with_read_buffer(BATCH_BYTES, |buf| {
        match read::read_text(src, o.read.max_doc_bytes, len, buf) {
            Ok(text) => TextOutcome::Doc(
                Document {
                    name: src.name.clone(),
                    id: None,
                    id_number: false,
                    lang: 0,
                    source: si,
                    line: 0,
                    len: text.bytes,
                    chars: code_points(&text.text, o),
                },
                doc::fingerprint(&text.text, &o.doc),
                text.lossy,
            ),
            Err(reason) => TextOutcome::Skip(Skipped {
                path: src.path.clone(),
                reason,
                bytes: buf.len() as u64,
                line: 0,
            }),
        }
    })
}

/// A corpus read, segmented, normalised and fingerprinted: only the fingerprints stay.
pub struct Corpus {
    pub sources: Vec<Source>,
    /// In corpus order (path given, source name, then line); `prints` is parallel to it.
    pub documents: Vec<Document>,
    pub prints: Vec<DocPrint>,
    pub skipped: Vec<Skipped>,
    pub notices: Vec<Notice>,
    pub bytes_read: u64,
    /// The documents' languages (`Document::lang` - 1 indexes it).
    pub languages: Vec<String>,
    /// Standard input spooled to a file, kept until its text has been read again for the spans.
    pub stdin_spool: Option<tempfile::TempPath>,
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
        languages: Vec::new(),
        language_index: FxHashMap::default(),
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
        match sources[si].format() {
            Format::Jsonl => read::read_lines(&sources[si], &o.read, |line| {
                fp.take(si as u32, line);
                fp.flush_if_full()
            })?,
            Format::Parquet => read::parquet::read_rows(&sources[si], &o.read, |item| {
                fp.take_item(si as u32, item);
                fp.flush_if_full()
            })?,
            Format::Text => {}
        }
        if sources[si].format() != Format::Text {
            si += 1;
            continue;
        }
        // A run of text files, read and fingerprinted in parallel steps, largest first;
        // each worker holds one file at a time. A file much larger than the others thus starts
        // at once and keeps one core while the others go through the rest, instead of starting
        // late and leaving them idle. The lengths come from one `stat` per file, done in
        // parallel, which the read then does not repeat; a single worker needs no order, and
        // reads each file to its end without them. One file per task
        // (`with_max_len(1)`): rayon's default pieces would leave one core idle at the end of a
        // step while the other finishes its last piece.
        // At most TEXT_STEP files per step: their results wait in one list until the step ends.
        let last = sources.len().min(si + TEXT_STEP);
        let end = (si..last)
            .find(|&k| sources[k].format() != Format::Text)
            .unwrap_or(last);
        let mut order: Vec<usize> = (si..end).collect();
        let lens: Vec<Option<u64>> = if rayon::current_num_threads() > 1 {
            let lens: Vec<Option<u64>> = sources[si..end]
                .par_iter()
                .with_max_len(64)
                .map(read::file_len)
                .collect();
            order.sort_by_key(|&k| std::cmp::Reverse(lens[k - si]));
            lens
        } else {
            vec![None; end - si]
        };
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
        languages,
        ..
    } = fp;
    Ok(Corpus {
        sources,
        documents,
        prints,
        skipped,
        notices,
        bytes_read: bytes_done,
        languages,
        stdin_spool: found.stdin_spool,
    })
}
