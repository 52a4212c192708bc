//! Reading the report `apply` is given: a CSV report (its text cells as written by
//! [`crate::report::cell`]), a JSONL one (one record per flagged document, without previews), a
//! Parquet one, or
//! a folder of Dolma attributes (`attributes/NAME`, one file per documents file, code-point
//! offsets) in, its rows by document out.

use crate::model::Kind;
use crate::read::{Format, Source};
use crate::report::{read_csv, Offsets};
use crate::Error;
use std::collections::HashMap;
use std::path::Path;

/// One row of the report, as `apply` needs it.
#[derive(Debug, Clone)]
pub struct Cut {
    pub doc: String,
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub keep_doc: Option<String>,
    /// The text expected at the span (CSV reports), as the report wrote it.
    pub preview: Option<String>,
    /// Where the row is in the report (a CSV record number, or a JSONL line), for errors.
    pub row: usize,
    /// The top-level id of the record the row is for, when the report says it (Dolma
    /// attributes): checked against the record.
    pub id: Option<serde_json::Value>,
}

impl Cut {
    /// Whether the row drops its whole document.
    pub fn whole(&self) -> bool {
        self.kind.is_whole_document()
    }
}

/// A report's rows, by document.
pub type RowsByDoc = HashMap<String, Vec<Cut>>;

/// The report's rows by document, and the unit of their offsets when the report fixes it (Dolma
/// attributes count code points). `sources` are the corpus's, where a Dolma layout's attribute
/// files are found.
pub fn read_report(path: &Path, sources: &[Source]) -> Result<(RowsByDoc, Option<Offsets>), Error> {
    if path.is_dir() {
        return Ok((read_dolma(path, sources)?, Some(Offsets::Chars)));
    }
    Ok((read_file_report(path)?, None))
}

fn read_file_report(path: &Path) -> Result<HashMap<String, Vec<Cut>>, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let head = std::io::BufRead::fill_buf(&mut reader).map_err(|e| Error::io(path, e))?;
    if head.starts_with(b"PAR1") {
        return group(read_parquet_report(path)?);
    }
    let jsonl = head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let rows = if jsonl {
        read_jsonl_report(path, reader)?
    } else {
        read_csv_report(path, reader)?
    };
    group(rows)
}

fn group(rows: Vec<Cut>) -> Result<RowsByDoc, Error> {
    let mut by_doc: HashMap<String, Vec<Cut>> = HashMap::new();
    for row in rows {
        by_doc.entry(row.doc.clone()).or_default().push(row);
    }
    Ok(by_doc)
}

/// A Parquet report (`--format parquet`): its rows with their previews, numbered from 1.
fn read_parquet_report(path: &Path) -> Result<Vec<Cut>, Error> {
    Ok(crate::report::read_parquet(path)?
        .into_iter()
        .enumerate()
        .map(|(i, (doc, start, end, kind, keep_doc, preview))| Cut {
            doc,
            start,
            end,
            kind,
            keep_doc,
            preview,
            row: i + 1,
            id: None,
        })
        .collect())
}

fn read_csv_report(path: &Path, reader: impl std::io::Read) -> Result<Vec<Cut>, Error> {
    read_csv(reader)
        .enumerate()
        .map(|(i, row)| {
            let (at, row) = row.map_err(|e| Error::Input {
                path: path.into(),
                message: format!("row {}: {e}", i + 2),
            })?;
            Ok(Cut {
                doc: row.doc.into_owned(),
                start: row.start,
                end: row.end,
                kind: row.kind,
                keep_doc: row.keep_doc.map(|k| k.into_owned()),
                preview: Some(row.preview.into_owned()),
                row: at,
                id: None,
            })
        })
        .collect()
}

/// One record of a JSONL report.
#[derive(serde::Deserialize)]
struct JsonlRecord {
    doc: String,
    spans: Vec<(usize, usize, Kind, serde_json::Value)>,
}

fn read_jsonl_report(path: &Path, reader: impl std::io::BufRead) -> Result<Vec<Cut>, Error> {
    let mut rows = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: JsonlRecord = serde_json::from_str(&line).map_err(|e| Error::Input {
            path: path.into(),
            message: format!("line {}: not a report record: {e}", i + 1),
        })?;
        for (start, end, kind, _) in record.spans {
            rows.push(Cut {
                doc: record.doc.clone(),
                start,
                end,
                kind,
                keep_doc: None,
                preview: None,
                row: i + 1,
                id: None,
            });
        }
    }
    Ok(rows)
}

/// The attribute file of each JSONL source, under `dir` (`attributes/NAME`) at the source's
/// path below its `documents` folder; its line N holds the spans of the source's record N, as
/// `NAME__<kind>` lists of `[start, end, score]`.
fn read_dolma(dir: &Path, sources: &[Source]) -> Result<HashMap<String, Vec<Cut>>, Error> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Usage(format!("{}: not an attribute folder", dir.display())))?;
    let prefix = format!("{name}__");
    let mut by_doc: HashMap<String, Vec<Cut>> = HashMap::new();
    // Keys of another attribute name: a folder renamed after the scan matches nothing.
    let mut other_name: Option<String> = None;
    for src in sources.iter().filter(|s| s.format() == Format::Jsonl) {
        let (_, rel) = crate::report::split_at_documents(&src.path)?;
        let attributes = Source {
            name: src.name.clone(),
            path: dir.join(rel),
        };
        if !attributes.path.is_file() {
            return Err(Error::Input {
                path: attributes.path,
                message: format!("no attributes for {}", src.path.display()),
            });
        }
        let damaged = crate::read::for_each_line(&attributes, |line, bytes| {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(());
            }
            let bad = |message: String| Error::Input {
                path: attributes.path.clone(),
                message: format!("line {line}: {message}"),
            };
            let record: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
            let Some(map) = record.get("attributes").and_then(|a| a.as_object()) else {
                return Err(bad("no 'attributes' object".into()));
            };
            let doc = format!("{}:{line}", src.name);
            let mut cuts = Vec::new();
            for (key, spans) in map {
                let Some(kind) = key.strip_prefix(&prefix) else {
                    if other_name.is_none() {
                        other_name = key.split_once("__").map(|(n, _)| n.to_string());
                    }
                    continue;
                };
                let kind: Kind = serde_json::from_value(kind.into())
                    .map_err(|_| bad(format!("'{key}' is not an attribute dedup writes")))?;
                let spans: Vec<(usize, usize, f64)> = serde_json::from_value(spans.clone())
                    .map_err(|e| bad(format!("'{key}': not a list of [start, end, score]: {e}")))?;
                cuts.extend(spans.into_iter().map(|(start, end, _)| Cut {
                    doc: doc.clone(),
                    start,
                    end,
                    kind,
                    keep_doc: None,
                    preview: None,
                    row: line as usize,
                    id: record.get("id").filter(|v| !v.is_null()).cloned(),
                }));
            }
            if !cuts.is_empty() {
                cuts.sort_by_key(|c| (c.start, c.end));
                by_doc.insert(doc, cuts);
            }
            Ok(())
        })?;
        if let Some(skip) = damaged {
            return Err(Error::Input {
                path: attributes.path,
                message: format!("line {}: {}", skip.line, skip.reason),
            });
        }
    }
    if let (true, Some(other)) = (by_doc.is_empty(), other_name) {
        return Err(Error::Input {
            path: dir.into(),
            message: format!(
                "its attributes are named '{other}__…', not '{name}__…': give the folder of the attribute name the scan wrote"
            ),
        });
    }
    Ok(by_doc)
}
