//! Reading the report `apply` is given: a CSV report (its text cells as written by
//! [`crate::report::cell`]) or a JSONL one (one record per flagged document, without previews)
//! in, its rows by document out.

use crate::model::Kind;
use crate::report::read_csv;
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
}

impl Cut {
    /// Whether the row drops its whole document.
    pub fn whole(&self) -> bool {
        self.kind.is_whole_document()
    }
}

/// The report's rows by document.
pub fn read_report(path: &Path) -> Result<HashMap<String, Vec<Cut>>, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let head = std::io::BufRead::fill_buf(&mut reader).map_err(|e| Error::io(path, e))?;
    let jsonl = head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let rows = if jsonl {
        read_jsonl_report(path, reader)?
    } else {
        read_csv_report(path, reader)?
    };
    let mut by_doc: HashMap<String, Vec<Cut>> = HashMap::new();
    for row in rows {
        by_doc.entry(row.doc.clone()).or_default().push(row);
    }
    Ok(by_doc)
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
            });
        }
    }
    Ok(rows)
}
