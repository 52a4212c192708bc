//! JSONL shards: a shard's (decompressed) bytes in, its lines and their records out. The scan
//! splits a shard into lines on the thread that reads it ([`read_lines`]) and parses them on the
//! workers ([`parse_line`]); a second read picks records by line number ([`LineCursor`]); `apply`
//! walks every line ([`for_each_line`]). A damaged stream ends the lines where it breaks.

use super::{open, read_failure, Fields, ReadOptions, Record, Source};
use crate::Error;
use std::io::BufRead;

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

/// [`super::read_items`] for a JSONL shard without the parsing: every line that is not blank, with its
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
        Ok(record) => Ok(Record { line, ..record }),
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

/// The text, id (and whether it is a JSON number: its text is then the number as written) and
/// language of one JSON line, as a [`Record`] of line 0.
pub fn parse_record(line: &[u8], fields: &Fields) -> Result<Record, String> {
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
    let (id, id_number) = match lookup(&value, &fields.id) {
        Some(serde_json::Value::String(s)) => (Some(s.clone()), false),
        Some(serde_json::Value::Number(n)) => (Some(n.to_string()), true),
        _ => (None, false),
    };
    let lang = fields
        .lang
        .as_deref()
        .and_then(|f| lookup(&value, f))
        .and_then(|v| v.as_str())
        .map(String::from);
    Ok(Record {
        line: 0,
        id,
        id_number,
        text,
        lang,
        lossy: None,
    })
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
            lang: Some("meta.lang".into()),
        };
        let r = parse_record(
            r#"{"meta":{"id":7,"lang":"fr"},"body":{"text":"hé"}}"#.as_bytes(),
            &f,
        )
        .unwrap();
        assert_eq!(
            (
                r.text.as_str(),
                r.id.as_deref(),
                r.id_number,
                r.lang.as_deref()
            ),
            ("hé", Some("7"), true, Some("fr"))
        );
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
