//! Report stage: a [`ScanResult`] in, the CSV report and a one-line summary out.
//!
//! Columns, in order: `doc,start,end,kind,keep_doc,keep_start,keep_end,similarity,cluster`, then
//! `reason,line_start,line_end,preview` for a reader. Offsets are half-open UTF-8 byte offsets
//! into the original file; cells that do not apply are empty. Rows are sorted by document name,
//! then start.

use crate::detect::Kind;
use crate::pipeline::ScanResult;
use crate::Error;
use serde::Serialize;
use std::io::Write;

/// The report's columns.
pub const HEADER: [&str; 13] = [
    "doc",
    "start",
    "end",
    "kind",
    "keep_doc",
    "keep_start",
    "keep_end",
    "similarity",
    "cluster",
    "reason",
    "line_start",
    "line_end",
    "preview",
];

#[derive(Serialize)]
struct Row<'a> {
    doc: &'a str,
    start: usize,
    end: usize,
    kind: &'static str,
    keep_doc: Option<&'a str>,
    keep_start: Option<usize>,
    keep_end: Option<usize>,
    similarity: Option<String>,
    cluster: Option<u32>,
    reason: &'a str,
    line_start: u32,
    line_end: u32,
    preview: &'a str,
}

/// Writes the CSV report.
pub fn write_csv<W: Write>(out: W, result: &ScanResult) -> Result<(), Error> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    w.write_record(HEADER)?;
    for (span, preview) in result.spans.iter().zip(&result.previews) {
        let name = |d: u32| result.documents[d as usize].name.as_str();
        w.serialize(Row {
            doc: name(span.doc),
            start: span.start,
            end: span.end,
            kind: span.kind.as_str(),
            keep_doc: span.keep.map(|k| name(k.doc)),
            keep_start: span.keep.map(|k| k.start),
            keep_end: span.keep.map(|k| k.end),
            similarity: span.similarity.map(|s| format!("{s:.4}")),
            cluster: span.cluster,
            reason: &span.reason,
            line_start: span.first_line,
            line_end: span.last_line,
            preview,
        })?;
    }
    w.flush().map_err(|e| Error::Report(e.into()))?;
    Ok(())
}

/// Rows and bytes per kind.
pub fn totals(result: &ScanResult) -> Vec<(Kind, usize, u64)> {
    Kind::ALL
        .iter()
        .map(|&k| {
            let spans = result.spans.iter().filter(|s| s.kind == k);
            let (rows, bytes) =
                spans.fold((0, 0u64), |(r, b), s| (r + 1, b + (s.end - s.start) as u64));
            (k, rows, bytes)
        })
        .collect()
}

/// The one-line summary printed on stderr.
pub fn summary(result: &ScanResult) -> String {
    let per_kind: Vec<String> = totals(result)
        .into_iter()
        .map(|(k, rows, bytes)| format!("{} {rows} ({bytes} B)", k.as_str()))
        .collect();
    format!(
        "dedup: {} documents ({} bytes), {} skipped, {} rows: {}",
        result.documents.len(),
        result.bytes_read,
        result.skipped.len(),
        result.spans.len(),
        per_kind.join(", ")
    )
}

/// The LSH parameters and their S-curve, for `--explain`.
pub fn explain(result: &ScanResult, threshold: f64) -> String {
    let p = result.lsh;
    let mut s = format!(
        "LSH: {} bands × {} rows (threshold {threshold}); candidate pairs {}, verified {}, clusters {}\n\
         similarity  P(candidate)\n",
        p.bands,
        p.rows,
        result.near_dup.candidate_pairs,
        result.near_dup.verified_pairs,
        result.clusters.len()
    );
    for (sim, prob) in p.s_curve() {
        s.push_str(&format!("{sim:>10.2}  {prob:.4}\n"));
    }
    s
}
