//! Read stage: the paths given on the command line in, the corpus's documents out.
//!
//! [`discover`] finds the sources (files) and accounts for the inputs it passes over. A file is
//! one document, or a JSONL shard (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`, `.json.gz`, `.json.zst`)
//! of one document per line; any file may be gzip- or zstd-compressed. `-` is standard input,
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

pub use decode::{decode, Lossy};
pub use discover::{discover, input_key, Discovery, Notice, Skipped};

use crate::Error;
use std::borrow::Cow;
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

/// Where the text and the id of a JSONL record are: dotted paths such as `meta.id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub text: String,
    pub id: String,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            text: "text".into(),
            id: "id".into(),
        }
    }
}

/// One document read from a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the record in the decompressed shard; 0 for a text file.
    pub line: u32,
    pub id: Option<String>,
    pub text: String,
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
    use std::io::BufReader;
    let file = std::fs::File::open(&src.path)?;
    Ok(match src.compression() {
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
                    text: text.text.into_owned(),
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

/// A line of a shard as [`read_lines`] gives it: not parsed yet, or already passed over.
pub enum RawLine<'b> {
    Line { line: u32, bytes: &'b [u8] },
    Skip(RecordSkip),
}

/// A record of a shard that cannot be scanned (`line` 0: the whole shard), why, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSkip {
    pub line: u32,
    pub reason: String,
    pub bytes: u64,
}

/// [`read_items`] for a JSONL shard without the parsing: every line that is not blank, with its
/// number, for the caller to parse with [`parse_line`] (on any thread).
pub fn read_lines(
    src: &Source,
    options: &ReadOptions,
    mut f: impl FnMut(RawLine) -> Result<(), Error>,
) -> Result<(), Error> {
    let skip = |line, reason, bytes| {
        RawLine::Skip(RecordSkip {
            line,
            reason,
            bytes,
        })
    };
    let mut reader = match open(src) {
        Ok(r) => r,
        Err(e) => return f(skip(0, format!("cannot open: {e}"), 0)),
    };
    let (mut buf, mut line) = (Vec::new(), 0u32);
    loop {
        buf.clear();
        let read = read_line(&mut reader, &mut buf, options.max_doc_bytes);
        let item = match read {
            Ok(Line::End) => return Ok(()),
            Err(e) => {
                let reason = format!(
                    "{}; the rest of the shard is not read",
                    read_failure(src, &e)
                );
                return f(skip(line + 1, reason, 0));
            }
            Ok(Line::TooLong(n)) => {
                line += 1;
                let reason = format!(
                    "record of {n} bytes is larger than --max-doc-bytes ({})",
                    options.max_doc_bytes
                );
                skip(line, reason, n)
            }
            Ok(Line::Read) => {
                line += 1;
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                RawLine::Line { line, bytes: &buf }
            }
        };
        f(item)?;
    }
}

/// The document of line `line` of a shard (its `bytes`), or the reason it cannot be scanned.
pub fn parse_line(line: u32, bytes: &[u8], fields: &Fields) -> Result<Record, RecordSkip> {
    match parse_record(bytes, fields) {
        Ok((text, id)) => Ok(Record {
            line,
            id,
            text,
            lossy: None,
        }),
        Err(reason) => Err(RecordSkip {
            line,
            reason,
            bytes: bytes.len() as u64,
        }),
    }
}

/// What [`read_line`] found.
enum Line {
    /// A line, in the buffer with its terminator.
    Read,
    /// A line of this many bytes, over the limit: passed over, not buffered.
    TooLong(u64),
    /// The end of the stream.
    End,
}

/// Reads one line into `buf`, holding at most `max` bytes of it.
fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, max: u64) -> std::io::Result<Line> {
    let mut seen: u64 = 0;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(match seen {
                0 => Line::End,
                n if n > max => Line::TooLong(n),
                _ => Line::Read,
            });
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if seen + take as u64 <= max {
            buf.extend_from_slice(&chunk[..take]);
        } else {
            buf.clear();
        }
        seen += take as u64;
        reader.consume(take);
        if done {
            return Ok(if seen > max {
                Line::TooLong(seen)
            } else {
                Line::Read
            });
        }
    }
}

/// Streams the lines of a (decompressed) source to `f` with their 1-based numbers, each with its
/// terminator, one at a time (`apply` uses this to rewrite a shard). A stream that breaks ends
/// the lines there, as in [`read_lines`]: the damage is returned as the [`RecordSkip`] the scan
/// gave it (the line where it breaks, the same reason). A source that cannot be opened, and
/// `f`'s errors, are errors.
pub fn for_each_line(
    src: &Source,
    mut f: impl FnMut(u32, &[u8]) -> Result<(), Error>,
) -> Result<Option<RecordSkip>, Error> {
    let mut reader = open(src).map_err(|e| Error::io(&src.path, e))?;
    let (mut buf, mut line) = (Vec::new(), 0u32);
    loop {
        buf.clear();
        match read_line(&mut reader, &mut buf, u64::MAX) {
            Ok(Line::End) => return Ok(None),
            Ok(_) => {
                line += 1;
                f(line, &buf)?;
            }
            Err(e) => {
                return Ok(Some(RecordSkip {
                    line: line + 1,
                    reason: format!(
                        "{}; the rest of the shard is not read",
                        read_failure(src, &e)
                    ),
                    bytes: 0,
                }))
            }
        }
    }
}

/// Calls `f(i, line)` with the line numbered `wanted[i]` (1-based, ascending) of the
/// (decompressed) source `src`, for each that it has, and returns how many it had. The other
/// lines are passed over without being held, a wanted line longer than `max` bytes counts as
/// missing, and nothing is read past the last wanted line. Read errors name the file and line.
pub fn pick_lines(
    src: &Source,
    max: u64,
    wanted: &[u32],
    f: impl FnMut(usize, &[u8]) -> Result<(), Error>,
) -> Result<usize, Error> {
    LineCursor::open(src)?.pick(src, max, wanted, f)
}

/// A shard read up to some line, from which [`LineCursor::pick`] goes on: the spans stage reads
/// a long shard a run of records at a time without starting over.
pub struct LineCursor {
    reader: Box<dyn BufRead + Send>,
    /// Lines read so far.
    line: u32,
    buf: Vec<u8>,
}

impl LineCursor {
    pub fn open(src: &Source) -> Result<LineCursor, Error> {
        Ok(LineCursor {
            reader: open(src).map_err(|e| Error::io(&src.path, e))?,
            line: 0,
            buf: Vec::new(),
        })
    }

    /// Lines read so far: `pick` can be asked for lines after this one only.
    pub fn lines_read(&self) -> u32 {
        self.line
    }

    /// [`pick_lines`] from where the cursor is (`wanted` must all be after it).
    pub fn pick(
        &mut self,
        src: &Source,
        max: u64,
        wanted: &[u32],
        mut f: impl FnMut(usize, &[u8]) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        let mut found = 0;
        while found < wanted.len() {
            self.buf.clear();
            let want = self.line + 1 == wanted[found];
            // A line not wanted is read with a limit of 0 bytes: consumed, never copied.
            match read_line(&mut self.reader, &mut self.buf, if want { max } else { 0 }) {
                Ok(Line::End) => break,
                Ok(Line::Read) if want => {
                    f(found, &self.buf)?;
                    found += 1;
                }
                Ok(Line::TooLong(_)) if want => break,
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::Input {
                        path: src.path.clone(),
                        message: format!("line {}: {}", self.line + 1, read_failure(src, &e)),
                    })
                }
            }
            self.line += 1;
        }
        Ok(found)
    }
}

/// A text document as read: its text, and the map back to its bytes when they were not UTF-8.
#[derive(Debug)]
pub struct Text<'b> {
    pub text: Cow<'b, str>,
    pub lossy: Option<Lossy>,
    /// Length of the file's (decompressed) bytes.
    pub bytes: usize,
}

/// Reads the whole text file `src` (decompressed, at most `max` bytes) into `buf`, replacing its
/// contents, and returns its text, or the reason it cannot be scanned. The buffer can be reused
/// from one file to the next, so reading many small files allocates almost nothing. `len` is
/// the file's length when the caller has it already ([`file_len`]).
pub fn read_text<'b>(
    src: &Source,
    max: u64,
    len: Option<u64>,
    buf: &'b mut Vec<u8>,
) -> Result<Text<'b>, String> {
    read_bytes(src, max, len, buf)?;
    let bytes = buf.len();
    let (text, lossy) = decode(buf)?;
    Ok(Text { text, lossy, bytes })
}

/// The length of file `src` on disk, if it can be asked (a `stat`, without opening it).
pub fn file_len(src: &Source) -> Option<u64> {
    std::fs::metadata(&src.path).ok().map(|m| m.len())
}

/// Reads the whole file `src` (decompressed, at most `max` bytes) into `buf`, or says why it
/// cannot be read. `len` is its length on disk when the caller has it already: it is not asked
/// again. It only sizes the buffer and skips a file too large at once; what is read is bounded
/// by `max` whatever it says.
pub fn read_bytes(
    src: &Source,
    max: u64,
    len: Option<u64>,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    buf.clear();
    let too_big = |n: String| format!("{n} bytes, larger than --max-doc-bytes ({max})");
    let file = std::fs::File::open(&src.path).map_err(|e| format!("cannot open: {e}"))?;
    if src.compression() == Compression::None {
        if let Some(len) = len.or_else(|| file.metadata().ok().map(|m| m.len())) {
            if len > max {
                return Err(too_big(len.to_string()));
            }
            buf.reserve(len as usize);
        }
        // Through `take`: `File::read_to_end` would ask the size again (a `statx` and an
        // `lseek` per file, twice per document in a scan).
        file.take(max.saturating_add(1))
            .read_to_end(buf)
            .map_err(|e| read_failure(src, &e))?;
    } else {
        let reader = open(src).map_err(|e| read_failure(src, &e))?;
        reader
            .take(max.saturating_add(1))
            .read_to_end(buf)
            .map_err(|e| read_failure(src, &e))?;
    }
    if buf.len() as u64 > max {
        return Err(too_big(format!("decompresses to more than {max}")));
    }
    Ok(())
}

/// The text and id of one JSON line.
pub fn parse_record(line: &[u8], fields: &Fields) -> Result<(String, Option<String>), String> {
    let value: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| match std::str::from_utf8(line) {
            Err(bad) => format!(
                "not valid UTF-8 (first bad byte at column {})",
                bad.valid_up_to() + 1
            ),
            Ok(_) => format!("not a JSON record: {e}"),
        })?;
    let text = match lookup(&value, &fields.text) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(format!(
                "field '{}' is not a string but {}",
                fields.text,
                json_kind(other)
            ))
        }
        None => return Err(format!("no field '{}'", fields.text)),
    };
    let id = match lookup(&value, &fields.id) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok((text, id))
}

/// The value at a dotted path (`meta.id`) of a JSON object.
pub fn lookup<'a>(value: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// Mutable access to the value at a dotted path.
pub fn lookup_mut<'a>(
    value: &'a mut serde_json::Value,
    path: &str,
) -> Option<&'a mut serde_json::Value> {
    path.split('.').try_fold(value, |v, key| v.get_mut(key))
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
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
        assert_eq!(src("a.txt.gz").compression(), Compression::Gzip);
    }

    #[test]
    fn pick_lines_gives_the_wanted_lines_and_stops_at_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(&path, "one\ntwo\n\nfour is long\nfive\nsix").unwrap();
        let s = Source {
            name: "s.jsonl".into(),
            path,
        };
        let pick = |max: u64, wanted: &[u32]| {
            let mut got = Vec::new();
            let n = pick_lines(&s, max, wanted, |i, line| {
                got.push((i, String::from_utf8_lossy(line).into_owned()));
                Ok(())
            })
            .unwrap();
            (n, got)
        };
        let (n, got) = pick(100, &[2, 5, 6]);
        assert_eq!(n, 3);
        assert_eq!(
            got,
            [(0, "two\n".into()), (1, "five\n".into()), (2, "six".into())]
        );
        // A wanted line over the limit, or past the end, ends the picking there.
        assert_eq!(pick(8, &[1, 4, 5]), (1, vec![(0, "one\n".into())]));
        assert_eq!(pick(100, &[6, 7]).0, 1);
        assert_eq!(pick(100, &[]).0, 0);
        // A cursor goes on from where it stopped.
        let mut cursor = LineCursor::open(&s).unwrap();
        let mut got = Vec::new();
        for wanted in [&[1u32, 2][..], &[4], &[6]] {
            let n = cursor
                .pick(&s, 100, wanted, |_, line| {
                    got.push(String::from_utf8_lossy(line).into_owned());
                    Ok(())
                })
                .unwrap();
            assert_eq!(n, wanted.len());
            assert_eq!(cursor.lines_read(), *wanted.last().unwrap());
        }
        assert_eq!(got, ["one\n", "two\n", "four is long\n", "six"]);
    }

    #[test]
    fn records_with_dotted_fields() {
        let f = Fields {
            text: "body.text".into(),
            id: "meta.id".into(),
        };
        let (t, id) =
            parse_record(r#"{"meta":{"id":7},"body":{"text":"hé"}}"#.as_bytes(), &f).unwrap();
        assert_eq!((t.as_str(), id.as_deref()), ("hé", Some("7")));
        assert!(parse_record(br#"{"body":{"text":3}}"#, &f)
            .unwrap_err()
            .contains("not a string"));
        assert!(parse_record(br#"{"x":1}"#, &f)
            .unwrap_err()
            .contains("no field"));
        assert!(parse_record(b"{oops", &f)
            .unwrap_err()
            .contains("not a JSON"));
    }
}
