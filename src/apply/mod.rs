//! Apply: a report and the corpus it was made from in, the cleaned corpus out.
//!
//! Every source is written under the output folder with the same relative path and format: a text
//! file stays a text file, a JSONL shard stays a JSONL shard with the same compression. A source
//! the report does not name is copied byte for byte, whatever it holds (a binary file, a damaged
//! stream, records the scan skipped): nothing the report did not flag is lost. Reported spans are
//! cut out of the text (the file's bytes — invalid UTF-8 included, as the report's offsets are
//! into the original bytes — or the record's text field; every other field is left as it was, and
//! lines without spans are copied byte for byte). Documents flagged whole
//! (`near_duplicate`, `exact_duplicate`) are dropped, or kept unchanged with `keep_flagged` (a
//! JSONL record then gains a `dedup_duplicate_of` field naming the kept copy).
//!
//! Before anything is written the report must fit the corpus: every row's document exists, its
//! spans are in bounds, on character boundaries, sorted and disjoint, whole-document rows cover
//! the whole document, and each span's text matches the row's preview. Otherwise the error names
//! the row. Nothing is written outside the output folder, and the output folder may not be, be
//! inside, or contain an input.

mod out_dir;
mod parquet;
mod report_rows;

use crate::read::{self, Fields, Format, Lossy, Skipped, Source};
use crate::report::compressed::Encoder;
use crate::report::Offsets;
use crate::Error;
use out_dir::{check_out_dir, safe_relative, Staging};
use report_rows::{read_report, Cut};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Settings of `dedup apply`.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub report: PathBuf,
    pub out: PathBuf,
    pub keep_flagged: bool,
    pub offsets: Offsets,
    pub fields: Fields,
}

/// What `apply` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyStats {
    /// Documents of the sources the report names (checked, cut or dropped).
    pub documents: usize,
    /// Sources the report does not name, copied unchanged.
    pub files_copied: usize,
    /// Sources that could not be copied (unreadable), with the reason.
    pub skipped: Vec<Skipped>,
    pub spans_cut: usize,
    pub bytes_removed: u64,
    pub documents_dropped: usize,
}

/// Runs `apply` on the corpus named by `inputs`. The output is written into a staging folder
/// beside `--out` and moved into place only when every source has been written, so a failure
/// (a row that does not fit its document, an unreadable file) leaves `--out` as it was.
pub fn apply(inputs: &[PathBuf], o: &ApplyOptions) -> Result<ApplyStats, Error> {
    if inputs.iter().any(|p| p.as_os_str() == read::STDIN) {
        return Err(Error::Usage(
            "apply reads files, not standard input: save the input first".into(),
        ));
    }
    let found = read::discover(inputs)?;
    let (rows, offsets) = read_report(&o.report, &found.sources)?;
    let o = &ApplyOptions {
        offsets: offsets.unwrap_or(o.offsets),
        ..o.clone()
    };
    check_documents_exist(&found.sources, &rows, &o.report)?;
    check_out_dir(inputs, &o.out)?;
    let staging = Staging::new(&o.out)?;

    // Shards the report names (a record is `<shard>:<line>`), found once rather than per shard.
    let named_shards: std::collections::HashSet<String> = rows
        .keys()
        .filter_map(|doc| doc.rsplit_once(':').map(|(shard, _)| shard.to_string()))
        .collect();
    let mut applier = Applier {
        rows,
        options: o,
        stats: ApplyStats::default(),
    };
    for src in &found.sources {
        let target = staging
            .dir()
            .join(safe_relative(&src.name).ok_or_else(|| Error::Input {
                path: src.path.clone(),
                message: format!(
                    "name '{}' cannot be placed inside the output folder",
                    src.name
                ),
            })?);
        let named = match src.format() {
            Format::Text => applier.rows.contains_key(&src.name),
            Format::Jsonl | Format::Parquet => named_shards.contains(&src.name),
        };
        if !named {
            applier.copy(src, &target);
            continue;
        }
        match src.format() {
            Format::Text => applier.text(src, &target)?,
            Format::Jsonl => applier.jsonl(src, &target)?,
            Format::Parquet => parquet::apply(&mut applier, src, &target)?,
        }
    }
    // Rows left over name records past the end of their shard (or past its damage).
    if let Some(row) = applier.rows.values().flatten().min_by_key(|r| r.row) {
        return Err(Error::Input {
            path: o.report.clone(),
            message: format!(
                "row {}: document '{}' is not in the corpus given",
                row.row, row.doc
            ),
        });
    }
    staging.finish(&o.out)?;
    Ok(applier.stats)
}

/// Refuses, before anything is written, a row whose document is neither a file of the corpus
/// nor a line of one of its shards.
fn check_documents_exist(
    sources: &[Source],
    rows: &HashMap<String, Vec<Cut>>,
    report: &Path,
) -> Result<(), Error> {
    let known: std::collections::HashMap<&str, Format> = sources
        .iter()
        .map(|s| (s.name.as_str(), s.format()))
        .collect();
    let fits = |doc: &str| match known.get(doc) {
        Some(Format::Text) => true,
        _ => doc.rsplit_once(':').is_some_and(|(name, line)| {
            matches!(known.get(name), Some(Format::Jsonl | Format::Parquet))
                && line.parse::<u32>().is_ok_and(|l| l > 0)
        }),
    };
    match rows
        .values()
        .flatten()
        .filter(|r| !fits(&r.doc))
        .min_by_key(|r| r.row)
    {
        Some(r) => Err(Error::Input {
            path: report.into(),
            message: format!(
                "row {}: document '{}' is not in the corpus given",
                r.row, r.doc
            ),
        }),
        None => Ok(()),
    }
}

/// Checks a document's rows against its text and returns its byte spans (`None` when the
/// document is flagged whole) or the error naming the row.
fn spans_for(
    src: &Source,
    text: &str,
    lossy: Option<&Lossy>,
    rows: &[Cut],
    offsets: Offsets,
) -> Result<Option<Vec<(usize, usize)>>, Error> {
    let bad = |r: &Cut, msg: String| Error::Input {
        path: src.path.clone(),
        message: format!(
            "report row {} ({}): {msg}; was the report made from this corpus with these options?",
            r.row, r.doc
        ),
    };
    let to_byte = |r: &Cut, c: usize| -> Result<usize, Error> {
        match offsets {
            // Byte offsets are into the original bytes; they are checked on the decoded text.
            Offsets::Bytes => match lossy {
                None => Ok(c),
                Some(l) => l.to_decoded(c).ok_or_else(|| {
                    bad(r, format!("offset {c} is inside an invalid UTF-8 sequence"))
                }),
            },
            Offsets::Chars => text
                .char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(text.len()))
                .nth(c)
                .ok_or_else(|| {
                    bad(
                        r,
                        format!(
                            "offset {c} is past the end ({} characters)",
                            text.chars().count()
                        ),
                    )
                }),
        }
    };
    let mut spans = Vec::with_capacity(rows.len());
    let mut prev_end = 0;
    for r in rows {
        let (start, end) = (to_byte(r, r.start)?, to_byte(r, r.end)?);
        if start > end || end > text.len() {
            return Err(bad(
                r,
                format!(
                    "span {}..{} is outside the document ({} bytes)",
                    r.start,
                    r.end,
                    text.len()
                ),
            ));
        }
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err(bad(
                r,
                format!("span {}..{} splits a character", r.start, r.end),
            ));
        }
        if r.whole() {
            if start != 0 || end != text.len() || rows.len() != 1 {
                return Err(bad(
                    r,
                    "a whole-document row does not cover the whole document".into(),
                ));
            }
            return Ok(None);
        }
        if start < prev_end {
            return Err(bad(r, "spans overlap or are not sorted".into()));
        }
        if let Some(p) = &r.preview {
            if !crate::report::preview_fits(p, &text[start..end]) {
                return Err(bad(
                    r,
                    format!("the text at {}..{} is not '{p}'", r.start, r.end),
                ));
            }
        }
        spans.push((start, end));
        prev_end = end;
    }
    Ok(Some(spans))
}

fn cut(text: &str, spans: &[(usize, usize)]) -> String {
    let bytes = cut_bytes(text.as_bytes(), spans);
    // Spans are on character boundaries (checked by `spans_for`), so what is left is UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn cut_bytes(bytes: &[u8], spans: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for &(s, e) in spans {
        out.extend_from_slice(&bytes[at..s]);
        at = e;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

fn create(
    target: &Path,
    src: &Source,
) -> Result<Encoder<std::io::BufWriter<std::fs::File>>, Error> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let file = std::fs::File::create(target).map_err(|e| Error::io(target, e))?;
    Encoder::new(std::io::BufWriter::new(file), src.compression()).map_err(|e| Error::io(target, e))
}

/// The rows not yet applied, the settings, and the running totals.
struct Applier<'a> {
    rows: HashMap<String, Vec<Cut>>,
    options: &'a ApplyOptions,
    stats: ApplyStats,
}

impl Applier<'_> {
    /// Counts the spans of a document as cut.
    fn count_cut(&mut self, spans: &[(usize, usize)]) {
        self.stats.spans_cut += spans.len();
        self.stats.bytes_removed += spans.iter().map(|(s, e)| (e - s) as u64).sum::<u64>();
    }

    /// Copies a source the report does not name, byte for byte.
    fn copy(&mut self, src: &Source, target: &Path) {
        let copied = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::copy(&src.path, target));
        match copied {
            Ok(_) => self.stats.files_copied += 1,
            Err(e) => self.stats.skipped.push(Skipped {
                path: src.path.clone(),
                reason: format!("not copied: {e}"),
                bytes: 0,
                line: 0,
            }),
        }
    }

    /// Cuts the spans out of one text file, or drops it when it is flagged whole.
    fn text(&mut self, src: &Source, target: &Path) -> Result<(), Error> {
        let o = self.options;
        let mut raw = Vec::new();
        read::read_bytes(src, u64::MAX, None, &mut raw).map_err(|reason| Error::Input {
            path: src.path.clone(),
            message: format!("the report names it but {reason}"),
        })?;
        let (text, lossy) = read::decode(&raw).map_err(|reason| Error::Input {
            path: src.path.clone(),
            message: format!("the report names it but it is a {reason}"),
        })?;
        self.stats.documents += 1;
        let doc_rows = self.rows.remove(&src.name).unwrap_or_default();
        let cleaned = match spans_for(src, &text, lossy.as_ref(), &doc_rows, o.offsets)? {
            None if !o.keep_flagged => {
                self.stats.documents_dropped += 1;
                return Ok(());
            }
            None => raw.clone(),
            Some(spans) => {
                let to_original = |d: usize| lossy.as_ref().map_or(d, |l| l.to_original(d));
                let original: Vec<(usize, usize)> = spans
                    .iter()
                    .map(|&(s, e)| (to_original(s), to_original(e)))
                    .collect();
                self.count_cut(&original);
                cut_bytes(&raw, &original)
            }
        };
        let mut w = create(target, src)?;
        w.write_all(&cleaned)
            .and_then(|_| w.finish())
            .map_err(|e| Error::io(target, e))
    }

    /// Rewrites one JSONL shard: lines without rows are copied byte for byte; flagged records
    /// get their text field cut, or are dropped when flagged whole.
    fn jsonl(&mut self, src: &Source, target: &Path) -> Result<(), Error> {
        let o = self.options;
        let mut w = create(target, src)?;
        let werr = |e: std::io::Error| Error::io(target, e);
        let damage = read::for_each_line(src, |line, buf| {
            let Some(doc_rows) = self.rows.remove(&format!("{}:{line}", src.name)) else {
                if !buf.iter().all(u8::is_ascii_whitespace) {
                    self.stats.documents += 1;
                }
                return w.write_all(buf).map_err(werr);
            };
            self.stats.documents += 1;
            let refuse = |what: String| Error::Input {
                path: src.path.clone(),
                message: format!("line {line}: the report flags it but {what}"),
            };
            let mut value: serde_json::Value = serde_json::from_slice(buf)
                .map_err(|e| refuse(format!("it is not a JSON record: {e}")))?;
            // A report that names the record's id (Dolma attributes) must name this record's.
            if let Some(want) = doc_rows.iter().find_map(|r| r.id.as_ref()) {
                let got = value.get("id").unwrap_or(&serde_json::Value::Null);
                if got != want {
                    return Err(refuse(format!(
                        "its id is {got}, and the report's line {line} is for id {want}"
                    )));
                }
            }
            let text = match read::lookup(&value, &o.fields.text) {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => return Err(refuse(format!("it has no text field '{}'", o.fields.text))),
            };
            match spans_for(src, &text, None, &doc_rows, o.offsets)? {
                None if !o.keep_flagged => {
                    self.stats.documents_dropped += 1;
                    return Ok(());
                }
                None => {
                    // A JSONL report does not name the kept copy: the field is then null.
                    let kept = doc_rows[0]
                        .keep_doc
                        .clone()
                        .map_or(serde_json::Value::Null, serde_json::Value::String);
                    if let Some(obj) = value.as_object_mut() {
                        obj.insert("dedup_duplicate_of".into(), kept);
                    }
                }
                Some(spans) => {
                    self.count_cut(&spans);
                    if let Some(slot) = read::lookup_mut(&mut value, &o.fields.text) {
                        *slot = serde_json::Value::String(cut(&text, &spans));
                    }
                }
            }
            serde_json::to_writer(&mut w, &value).map_err(|e| werr(e.into()))?;
            w.write_all(b"\n").map_err(werr)
        })?;
        // A damaged stream: the records before the damage are written, as the scan read them,
        // and the rest is accounted for as the scan did.
        if let Some(skip) = damage {
            self.stats.skipped.push(Skipped {
                path: src.path.clone(),
                reason: format!("line {}: {}", skip.line, skip.reason),
                bytes: skip.bytes,
                line: skip.line,
            });
        }
        w.finish().map_err(werr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_removes_exactly_the_spans() {
        assert_eq!(cut("héllo wörld", &[(0, 1), (7, 10)]), "éllo rld");
    }
}
