//! Read stage: the paths given on the command line in, the corpus's documents out.
//!
//! [`discover`] finds the sources (files) and accounts for the inputs it passes over. A file is
//! one document, or a JSONL shard (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`, `.json.gz`, `.json.zst`)
//! of one document per line, or a Parquet file (`.parquet`) of one document per row ([`parquet`]);
//! any file but Parquet may be gzip- or zstd-compressed. `-` is standard input,
//! named `-` in the report: JSON lines when it starts with `{`, otherwise one text document.
//! [`read_items`] streams a source's documents ([`Record`]s) and turns everything that cannot be
//! used into an [`Item::Skip`] with the reason — an unreadable file, a corrupt or truncated
//! stream, a binary file, a document over `--max-doc-bytes`, a bad JSON line — so that the run
//! goes on and every input is accounted for. Text that is not UTF-8 is decoded lossily
//! ([`decode`]). The scan uses its two halves apart: [`read_text`] for files, and for shards
//! [`read_lines`] (lines split on the reading thread) with [`parse_line`] (on the workers). A
//! second read picks records by line number ([`pick_lines`], [`LineCursor`]).

mod decode;
mod discover;
mod jsonl;
pub mod parquet;
mod reread;
mod text;

pub use decode::{decode, Lossy};
pub use discover::{discover, input_key, Discovery, Notice, Skipped};
pub use jsonl::{
    for_each_line, lookup, lookup_mut, parse_line, parse_record, pick_lines, read_lines,
    LineCursor, RawLine, RecordSkip,
};
pub use reread::{with_texts, with_texts_resuming, Resume};
pub use text::{file_len, read_bytes, read_text, with_read_buffer, Text};

use crate::Error;
use std::io::{BufRead, Read};
use std::path::PathBuf;

/// One document of the corpus, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The document's name in the report.
    pub name: String,
    /// Where to read it.
    pub path: PathBuf,
}

/// The name of standard input in the report.
pub const STDIN: &str = "-";

/// How documents are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Where the text and id of JSONL records are.
    pub fields: Fields,
    /// A document larger than this (decompressed) is skipped: it bounds the memory one document
    /// can take, and stops a decompression bomb.
    pub max_doc_bytes: u64,
}

/// Default of [`ReadOptions::max_doc_bytes`]: 256 MiB.
pub const DEFAULT_MAX_DOC_BYTES: u64 = 256 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            fields: Fields::default(),
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
        }
    }
}

/// How a file holds its documents, decided by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The whole file is one document.
    Text,
    /// One JSON record per line (`.jsonl`, and `.json` when compressed).
    Jsonl,
    /// One record per row (`.parquet`).
    Parquet,
}

/// How a file is compressed, decided by its name (`.gz`, `.zst`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Source {
    pub fn compression(&self) -> Compression {
        if self.name.ends_with(".gz") {
            Compression::Gzip
        } else if self.name.ends_with(".zst") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    pub fn format(&self) -> Format {
        if self.name == STDIN {
            return sniff(&self.path);
        }
        if self.name.ends_with(".parquet") {
            return Format::Parquet;
        }
        let stem = self.name.trim_end_matches(".gz").trim_end_matches(".zst");
        let compressed = stem.len() < self.name.len();
        if stem.ends_with(".jsonl") || (compressed && stem.ends_with(".json")) {
            Format::Jsonl
        } else {
            Format::Text
        }
    }
}

/// Standard input holds JSON lines when its first non-blank byte is `{`, else one text document.
fn sniff(path: &std::path::Path) -> Format {
    let mut head = [0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    match head[..n].iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Format::Jsonl,
        _ => Format::Text,
    }
}

/// Where the text, the id and the language of a JSONL record (or Parquet row) are: dotted paths
/// such as `meta.id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub text: String,
    pub id: String,
    /// None: the language is not read.
    pub lang: Option<String>,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            text: "text".into(),
            id: "id".into(),
            lang: None,
        }
    }
}

/// One document read from a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the record in the decompressed shard; 0 for a text file.
    pub line: u32,
    pub id: Option<String>,
    /// Whether the id is a JSON number (typed reports write it as one).
    pub id_number: bool,
    pub text: String,
    /// The record's language, from `--lang-field`.
    pub lang: Option<String>,
    /// How the text maps to the file's bytes, when they were not UTF-8 (text files only).
    pub lossy: Option<Lossy>,
}

/// What reading a source yields, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Doc(Record),
    /// A document that cannot be scanned (`line` 0 for a whole file), and why.
    Skip {
        line: u32,
        reason: String,
        bytes: u64,
    },
}

/// Opens a source, decompressing as its name says.
pub fn open(src: &Source) -> std::io::Result<Box<dyn BufRead + Send>> {
    open_file(std::fs::File::open(&src.path)?, src.compression())
}

/// Reads an open file, decompressing it as `compression` says.
fn open_file(
    file: std::fs::File,
    compression: Compression,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    use std::io::BufReader;
    Ok(match compression {
        Compression::None => Box::new(BufReader::with_capacity(1 << 16, file)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(file),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::stream::read::Decoder::new(file)?,
        )),
    })
}

/// The reason a read failed, saying which stream was damaged.
fn read_failure(src: &Source, e: &std::io::Error) -> String {
    match src.compression() {
        Compression::None => format!("cannot read: {e}"),
        Compression::Gzip => format!("corrupt or truncated gzip stream: {e}"),
        Compression::Zstd => format!("corrupt or truncated zstd stream: {e}"),
    }
}

/// Streams the documents of `src` to `f`, in order. A shard is read one line at a time, never
/// whole. Whatever cannot be used becomes an [`Item::Skip`] with the reason: the whole file
/// (line 0) when it cannot be opened or read, one record when its line is bad, and the rest of
/// a shard from the line where its stream breaks. Only `f`'s errors are returned.
pub fn read_items(
    src: &Source,
    options: &ReadOptions,
    mut f: impl FnMut(Item) -> Result<(), Error>,
) -> Result<(), Error> {
    match src.format() {
        Format::Text => {
            let mut bytes = Vec::new();
            let item = match read_text(src, options.max_doc_bytes, None, &mut bytes) {
                Ok(text) => Item::Doc(Record {
                    line: 0,
                    id: None,
                    id_number: false,
                    text: text.text.into_owned(),
                    lang: None,
                    lossy: text.lossy,
                }),
                Err(reason) => Item::Skip {
                    line: 0,
                    reason,
                    bytes: bytes.len() as u64,
                },
            };
            f(item)
        }
        Format::Parquet => parquet::read_rows(src, options, f),
        Format::Jsonl => read_lines(src, options, |line| {
            let skipped = match line {
                RawLine::Line { line, bytes } => match parse_line(line, bytes, &options.fields) {
                    Ok(record) => return f(Item::Doc(record)),
                    Err(skip) => skip,
                },
                RawLine::Skip(skip) => skip,
            };
            f(Item::Skip {
                line: skipped.line,
                reason: skipped.reason,
                bytes: skipped.bytes,
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str) -> Source {
        Source {
            name: name.into(),
            path: name.into(),
        }
    }

    #[test]
    fn formats_and_compression_from_names() {
        assert_eq!(src("a.jsonl.zst").format(), Format::Jsonl);
        assert_eq!(src("a.jsonl.zst").compression(), Compression::Zstd);
        assert_eq!(src("a.json.gz").format(), Format::Jsonl);
        assert_eq!(src("a.json").format(), Format::Text);
        assert_eq!(src("a.txt.gz").format(), Format::Text);
        assert_eq!(
            src("train-00000-of-00001.parquet").format(),
            Format::Parquet
        );
        assert_eq!(src("a.txt.gz").compression(), Compression::Gzip);
    }
}
