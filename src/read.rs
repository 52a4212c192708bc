//! Read stage: the paths given on the command line in, the corpus's documents out.
//!
//! [`discover`] walks folders recursively, in sorted order, and takes files named directly. Each
//! file is one [`Source`]; its name (the report's `doc`) is its path relative to the folder it was
//! found in, with `/` separators, or the path as given for a file named directly. The corpus is
//! ordered by name, so the report does not depend on the order of the paths on the command line.
//! `-` is standard input, named `-` in the report: JSON lines when it starts with `{`, otherwise
//! one text document.
//! Symbolic links are followed, but a link that leads back into a folder being walked is reported
//! as a loop and skipped, as is a dangling link.
//!
//! A file is one document, or a JSONL shard (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`, `.json.gz`,
//! `.json.zst`) of one document per line; any file may be gzip- or zstd-compressed. [`read_items`]
//! streams a source's documents ([`Record`]s) and says which cannot be used and why, so every input
//! is accounted for.

use crate::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One document of the corpus, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The document's name in the report.
    pub name: String,
    /// Where to read it.
    pub path: PathBuf,
}

/// An input that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
    /// Bytes not scanned (0 when nothing was read, e.g. a path given twice or a link loop).
    pub bytes: u64,
}

/// The documents found, in name order, and the inputs passed over.
#[derive(Debug, Default)]
pub struct Discovery {
    pub sources: Vec<Source>,
    pub skipped: Vec<Skipped>,
    /// Standard input (`-`) spooled to a temporary file, which lives as long as this value:
    /// the scan reads documents again for verification and previews.
    pub stdin_spool: Option<tempfile::TempPath>,
}

/// The name of standard input in the report.
pub const STDIN: &str = "-";

/// Finds every document under `inputs`. Fails when an input does not exist or two different
/// files would get the same name.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovery, Error> {
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut found = Discovery::default();
    let mut add = |name: String, path: PathBuf, found: &mut Discovery| -> Result<(), Error> {
        match by_name.get(&name) {
            Some(existing) if same_file(existing, &path) => {
                found.skipped.push(Skipped { path, reason: format!("given twice (as {name})"), bytes: 0 });
                Ok(())
            }
            Some(existing) => Err(Error::Input {
                path,
                message: format!(
                    "has the same document name '{name}' as {}; scan them in separate runs or name the files directly",
                    existing.display()
                ),
            }),
            None => {
                by_name.insert(name, path);
                Ok(())
            }
        }
    };
    for input in inputs {
        if input.as_os_str() == STDIN {
            if found.stdin_spool.is_none() {
                let mut tmp =
                    tempfile::NamedTempFile::new().map_err(|e| Error::io("<stdin>", e))?;
                std::io::copy(&mut std::io::stdin().lock(), &mut tmp)
                    .map_err(|e| Error::io("<stdin>", e))?;
                let path = tmp.into_temp_path();
                add(STDIN.to_string(), path.to_path_buf(), &mut found)?;
                found.stdin_spool = Some(path);
            }
            continue;
        }
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        if !meta.is_dir() {
            add(slash_path(input), input.clone(), &mut found)?;
            continue;
        }
        let walk = walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by(|a, b| a.file_name().cmp(b.file_name()));
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map_or_else(|| input.clone(), Path::to_path_buf);
                    let reason = if e.loop_ancestor().is_some() {
                        "link loop, not followed".to_string()
                    } else {
                        e.io_error()
                            .map_or_else(|| e.to_string(), |io| io.to_string())
                    };
                    found.skipped.push(Skipped {
                        path,
                        reason,
                        bytes: 0,
                    });
                    continue;
                }
            };
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(input).unwrap_or(entry.path());
                add(slash_path(rel), entry.path().to_path_buf(), &mut found)?;
            }
        }
    }
    found.sources = by_name
        .into_iter()
        .map(|(name, path)| Source { name, path })
        .collect();
    Ok(found)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn slash_path(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let joined = parts.join("/");
    if p.has_root() && !joined.starts_with('/') {
        format!("/{}", joined.trim_start_matches('/'))
    } else {
        joined.replace("//", "/")
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
fn sniff(path: &Path) -> Format {
    use std::io::Read;
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
pub fn open(src: &Source) -> Result<Box<dyn std::io::BufRead + Send>, Error> {
    use std::io::BufReader;
    let file = std::fs::File::open(&src.path).map_err(|e| Error::io(&src.path, e))?;
    Ok(match src.compression() {
        Compression::None => Box::new(BufReader::with_capacity(1 << 16, file)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(file),
        )),
        Compression::Zstd => {
            let dec =
                zstd::stream::read::Decoder::new(file).map_err(|e| Error::io(&src.path, e))?;
            Box::new(BufReader::with_capacity(1 << 16, dec))
        }
    })
}

/// Streams the documents of `src` to `f`, in order. A shard is read one line at a time, never
/// whole. Records that cannot be used become [`Item::Skip`] with a reason; read and
/// decompression errors are errors naming the file (and line).
pub fn read_items(
    src: &Source,
    fields: &Fields,
    mut f: impl FnMut(Item) -> Result<(), Error>,
) -> Result<(), Error> {
    match src.format() {
        Format::Text => {
            let mut bytes = Vec::new();
            // Validated in place, then the buffer becomes the text (no copy).
            let checked = read_text(src, &mut bytes)?.map(|_| ());
            let len = bytes.len() as u64;
            f(
                match checked.and_then(|()| String::from_utf8(bytes).map_err(|e| e.to_string())) {
                    Ok(text) => Item::Doc(Record {
                        line: 0,
                        id: None,
                        text,
                    }),
                    Err(reason) => Item::Skip {
                        line: 0,
                        reason,
                        bytes: len,
                    },
                },
            )
        }
        Format::Jsonl => for_each_line(src, |line, buf| {
            if buf.iter().all(u8::is_ascii_whitespace) {
                return Ok(());
            }
            f(match parse_record(buf, fields) {
                Ok((text, id)) => Item::Doc(Record { line, id, text }),
                Err(reason) => Item::Skip {
                    line,
                    reason,
                    bytes: buf.len() as u64,
                },
            })
        }),
    }
}

/// Streams the lines of a (decompressed) source to `f` with their 1-based numbers, each with its
/// terminator, one at a time.
pub fn for_each_line(
    src: &Source,
    mut f: impl FnMut(u32, &[u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut reader = open(src)?;
    let mut buf = Vec::new();
    let mut line: u32 = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::Input {
                path: src.path.clone(),
                message: format!("line {}: {e}", line + 1),
            })?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        f(line, &buf)?;
    }
}

/// Reads the whole text file `src` (decompressed) into `buf`, replacing its contents, and
/// returns it as text, or the reason it cannot be scanned. The buffer can be reused from one
/// file to the next, so reading many small files allocates almost nothing.
pub fn read_text<'b>(src: &Source, buf: &'b mut Vec<u8>) -> Result<Result<&'b str, String>, Error> {
    use std::io::Read;
    buf.clear();
    let io = |e| Error::io(&src.path, e);
    if src.compression() == Compression::None {
        let mut file = std::fs::File::open(&src.path).map_err(io)?;
        if let Ok(meta) = file.metadata() {
            buf.reserve(meta.len() as usize);
        }
        file.read_to_end(buf).map_err(io)?;
    } else {
        open(src)?.read_to_end(buf).map_err(io)?;
    }
    Ok(check_text(buf))
}

/// Binary files (a NUL byte, as ripgrep decides) and invalid UTF-8 are refused with a reason.
fn check_text(bytes: &[u8]) -> Result<&str, String> {
    if let Some(pos) = memchr::memchr(0, bytes) {
        return Err(format!("binary file (NUL byte at offset {pos})"));
    }
    // simdutf8 validates at memory speed; std finds the position for the message.
    simdutf8::basic::from_utf8(bytes).map_err(|_| {
        let at = std::str::from_utf8(bytes)
            .err()
            .map_or(0, |e| e.valid_up_to());
        format!("not valid UTF-8 (first bad byte at offset {at})")
    })
}

/// The text and id of one JSON line.
fn parse_record(line: &[u8], fields: &Fields) -> Result<(String, Option<String>), String> {
    let value: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| format!("not a JSON record: {e}"))?;
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

    #[test]
    fn names_use_forward_slashes() {
        assert_eq!(slash_path(Path::new("./a/b.txt")), "a/b.txt");
        assert_eq!(slash_path(Path::new("/x/y")), "/x/y");
    }
}
