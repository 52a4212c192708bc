//! Report stage: a [`ScanResult`] in, the report (CSV or JSONL) and a one-line summary out.
//!
//! CSV columns, in order: `doc,start,end,kind,keep_doc,keep_start,keep_end,similarity,score`,
//! then `cluster,id,keep_id,reason,line_start,line_end,preview` (ids of JSONL records, for joins;
//! `score` is the furniture classifier's probability on its `boilerplate` rows). Offsets are half-open UTF-8 byte
//! offsets into the original text (the file, or the decoded text value of a JSONL record), or
//! code-point offsets with [`Offsets::Chars`]; cells that do not apply are empty. Rows are in
//! corpus order (source name, then record line), then by start.
//!
//! JSONL: one attribute record per flagged document, `{"id", "doc", "spans": [[start, end, kind,
//! score], ...]}`, in the style of Dolma attribute files (score: the furniture probability, else
//! the similarity, else 1).

use crate::model::Kind;
use crate::model::Span;
use crate::model::{Document, Reason};
use crate::pipeline::ScanResult;
use crate::span_text::SpanText;
use crate::Error;
use std::io::Write;

/// The unit of the offsets in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offsets {
    /// UTF-8 byte offsets (Rust, C, `bytes` slicing).
    Bytes,
    /// Code-point offsets (Python `str` slicing).
    Chars,
}

/// The report's columns.
pub const HEADER: [&str; 16] = [
    "doc",
    "start",
    "end",
    "kind",
    "keep_doc",
    "keep_start",
    "keep_end",
    "similarity",
    "score",
    "cluster",
    "id",
    "keep_id",
    "reason",
    "line_start",
    "line_end",
    "preview",
];

/// A text cell as written to a CSV file: a cell that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, as OWASP lists for CSV
/// injection) gets a leading `'`, and so does one that starts with `'` itself, so that
/// [`uncell`] gives back every text exactly.
pub fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// The text of a CSV cell written by [`cell`].
pub fn uncell(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// The four offsets of a span (start, end, keep_start, keep_end) in the unit asked for.
fn offsets(s: &Span, t: &SpanText, unit: Offsets) -> [usize; 4] {
    match unit {
        Offsets::Bytes => {
            let (ks, ke) = s.keep.map_or((0, 0), |k| (k.start, k.end));
            [s.start, s.end, ks, ke]
        }
        Offsets::Chars => t.chars,
    }
}

/// Writes CSV report rows as spans arrive (see [`crate::pipeline::scan_streaming`]).
pub struct CsvRows<W: Write> {
    w: csv::Writer<W>,
    unit: Offsets,
    header_written: bool,
}

impl<W: Write> CsvRows<W> {
    /// The header is written with the first rows (or by `finish`), so that a run that fails
    /// before finding anything prints nothing.
    pub fn new(out: W, unit: Offsets) -> Result<Self, Error> {
        let w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        Ok(CsvRows {
            w,
            unit,
            header_written: false,
        })
    }

    fn header(&mut self) -> Result<(), Error> {
        if !self.header_written {
            self.w.write_record(HEADER)?;
            self.header_written = true;
        }
        Ok(())
    }

    /// Writes the rows of `spans` (with their `texts`), which refer to `documents`.
    pub fn write(
        &mut self,
        documents: &[Document],
        spans: &[Span],
        texts: &[SpanText],
    ) -> Result<(), Error> {
        self.header()?;
        let name = |d: u32| documents[d as usize].name.as_str();
        // Fields are written as bytes (numbers with `itoa`, the score without the float
        // formatter): serde's per-field dispatch and `format!` were a tenth of a scan's work on a
        // corpus with a row per furniture span.
        let mut nums: [itoa::Buffer; 7] = std::array::from_fn(|_| itoa::Buffer::new());
        let (mut similarity, mut score, mut reason) = (String::new(), String::new(), String::new());
        for (span, text) in spans.iter().zip(texts) {
            let [start, end, keep_start, keep_end] = offsets(span, text, self.unit);
            similarity.clear();
            if let Some(s) = span.similarity {
                use std::fmt::Write as _;
                let _ = write!(similarity, "{s:.4}");
            }
            score.clear();
            if let Some(s) = span.reason.score() {
                crate::decimal::push_fixed(&mut score, s, 3);
            }
            reason.clear();
            write_reason(&span.reason, &mut reason, text.keep_lines);
            let [n_start, n_end, n_keep_start, n_keep_end, n_cluster, n_line_start, n_line_end] =
                &mut nums;
            let (keep_start, keep_end) = match span.keep {
                Some(_) => (n_keep_start.format(keep_start), n_keep_end.format(keep_end)),
                None => ("", ""),
            };
            self.w.write_record([
                &*cell(name(span.doc)),
                n_start.format(start),
                n_end.format(end),
                span.kind.as_str(),
                &*cell(span.keep.map_or("", |k| name(k.doc))),
                keep_start,
                keep_end,
                &similarity,
                &score,
                span.cluster.map_or("", |c| n_cluster.format(c)),
                &*cell(documents[span.doc as usize].id.as_deref().unwrap_or("")),
                &*cell(
                    span.keep
                        .and_then(|k| documents[k.doc as usize].id.as_deref())
                        .unwrap_or(""),
                ),
                &*cell(&reason),
                n_line_start.format(text.lines[0]),
                n_line_end.format(text.lines[1]),
                &*cell(&text.preview),
            ])?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), Error> {
        self.header()?;
        self.w.flush().map_err(|e| Error::Report(e.into()))
    }
}

/// Appends the text of the `reason` column to `out`; `keep_lines` are the first and last line
/// of the kept range (used by [`Reason::Repeats`]).
pub fn write_reason(reason: &Reason, out: &mut String, keep_lines: [u32; 2]) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = match *reason {
        Reason::InDocuments { docs, .. } => write!(out, "in {docs} documents"),
        Reason::RepeatedInDocument(n) => {
            write!(out, "short line repeated {n} times in this document")
        }
        Reason::Furniture {
            score,
            signals,
            tail,
        } => {
            out.push_str("furniture ");
            crate::decimal::push_fixed(out, score, 2);
            out.push_str(if tail { " (end of line): " } else { ": " });
            out.push_str(crate::furniture::signal::describe(signals));
            Ok(())
        }
        Reason::Repeats => match keep_lines {
            [first, last] if first == last => write!(out, "repeats line {first}"),
            [first, last] => write!(out, "repeats lines {first}-{last}"),
        },
        Reason::SharedShingles(s) => write!(
            out,
            "{:.0}% of its shingles shared with the kept copy",
            s * 100.0
        ),
        Reason::SameWords => {
            out.push_str("same words as the kept copy after normalisation");
            Ok(())
        }
    };
}

/// Writes the CSV report of a scan that kept its spans ([`crate::pipeline::scan`]).
pub fn write_csv<W: Write>(out: W, result: &ScanResult, unit: Offsets) -> Result<(), Error> {
    let mut rows = CsvRows::new(out, unit)?;
    rows.write(&result.documents, &result.spans, &result.texts)?;
    rows.finish()
}

/// Writes the near-duplicate graph: one `doc_a,doc_b,similarity,id_a,id_b` row per pair of
/// documents the detector linked (identical, or verified at or above the threshold), sorted.
/// Clusters are its connected components.
pub fn write_pairs<W: Write>(out: W, result: &ScanResult) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["doc_a", "doc_b", "similarity", "id_a", "id_b"])?;
    for e in &result.edges {
        let (a, b) = (
            &result.documents[e.a as usize],
            &result.documents[e.b as usize],
        );
        w.write_record([
            &*cell(&a.name),
            &*cell(&b.name),
            &format!("{:.4}", e.similarity),
            &*cell(a.id.as_deref().unwrap_or("")),
            &*cell(b.id.as_deref().unwrap_or("")),
        ])?;
    }
    w.flush().map_err(|e| Error::Report(e.into()))?;
    Ok(())
}

/// Writes one JSON attribute record per flagged document, as spans arrive.
pub struct JsonlRows<W: Write> {
    out: W,
    unit: Offsets,
}

impl<W: Write> JsonlRows<W> {
    pub fn new(out: W, unit: Offsets) -> Self {
        JsonlRows { out, unit }
    }

    /// Writes the records of `spans` (whole documents: a document's spans arrive together).
    pub fn write(
        &mut self,
        documents: &[Document],
        spans: &[Span],
        texts: &[SpanText],
    ) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Report(e.into());
        let mut i = 0;
        while i < spans.len() {
            let doc = spans[i].doc;
            let mut out = Vec::new();
            while i < spans.len() && spans[i].doc == doc {
                let s = &spans[i];
                let [start, end, _, _] = offsets(s, &texts[i], self.unit);
                out.push(serde_json::json!([
                    start,
                    end,
                    s.kind.as_str(),
                    s.reason
                        .score()
                        .map(f64::from)
                        .or(s.similarity)
                        .unwrap_or(1.0)
                ]));
                i += 1;
            }
            let d = &documents[doc as usize];
            let record = serde_json::json!({ "id": d.id, "doc": d.name, "spans": out });
            serde_json::to_writer(&mut self.out, &record).map_err(|e| io(e.into()))?;
            self.out.write_all(b"\n").map_err(io)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), Error> {
        self.out.flush().map_err(|e| Error::Report(e.into()))
    }
}

/// Writes the JSONL report of a scan that kept its spans ([`crate::pipeline::scan`]).
pub fn write_jsonl<W: Write>(out: W, result: &ScanResult, unit: Offsets) -> Result<(), Error> {
    let mut rows = JsonlRows::new(out, unit);
    rows.write(&result.documents, &result.spans, &result.texts)?;
    rows.finish()
}

/// Rows and bytes per kind.
pub fn totals(result: &ScanResult) -> Vec<(Kind, usize, u64)> {
    Kind::ALL
        .iter()
        .zip(result.totals.per_kind)
        .map(|(&k, (rows, bytes))| (k, rows, bytes))
        .collect()
}

/// The one-line summary printed on stderr.
pub fn summary(result: &ScanResult) -> String {
    let per_kind: Vec<String> = totals(result)
        .into_iter()
        .map(|(k, rows, bytes)| format!("{} {rows} ({bytes} B)", k.as_str()))
        .collect();
    format!(
        "dedup: {} documents ({} bytes), {} skipped, {} warnings, {} rows: {}",
        result.documents.len(),
        result.bytes_read,
        result.skipped.len(),
        result.notices.len(),
        result.totals.rows,
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

/// The statistics of a run, for `--stats FILE` (JSON) and the end-of-run summary.
pub fn stats_json(result: &ScanResult, wall_seconds: f64) -> serde_json::Value {
    use std::collections::BTreeMap;
    let per_kind: serde_json::Map<String, serde_json::Value> = totals(result)
        .into_iter()
        .map(|(k, rows, bytes)| {
            (
                k.as_str().to_string(),
                serde_json::json!({"rows": rows, "bytes": bytes}),
            )
        })
        .collect();
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for c in &result.clusters {
        *sizes.entry(c.members.len() + 1).or_default() += 1;
    }
    // The most widespread cross-document boilerplate units.
    let top = &result.totals.top_boilerplate;
    let skipped: Vec<serde_json::Value> = result
        .skipped
        .iter()
        .map(|s| serde_json::json!({"path": s.path.display().to_string(), "reason": s.reason, "bytes": s.bytes}))
        .collect();
    serde_json::json!({
        "documents": result.documents.len(),
        "bytes": result.bytes_read,
        "sources": result.sources.len(),
        "skipped": skipped.len(),
        "skipped_bytes": result.skipped.iter().map(|s| s.bytes).sum::<u64>(),
        "skipped_inputs": skipped,
        "warnings": result.notices.iter().map(|n| serde_json::json!({"path": n.path.display().to_string(), "message": n.message})).collect::<Vec<_>>(),
        "rows": result.totals.rows,
        "per_kind": per_kind,
        "clusters": result.clusters.len(),
        "cluster_sizes": sizes.into_iter().map(|(size, n)| serde_json::json!({"size": size, "clusters": n})).collect::<Vec<_>>(),
        "lsh": {"bands": result.lsh.bands, "rows": result.lsh.rows,
                "candidate_pairs": result.near_dup.candidate_pairs, "verified_pairs": result.near_dup.verified_pairs},
        "top_boilerplate": top.iter().map(|(_, docs, text)| serde_json::json!({"text": text, "documents": docs})).collect::<Vec<_>>(),
        "wall_seconds": wall_seconds,
        "stage_seconds": {"fingerprint": result.stage_seconds.fingerprint,
                          "near_duplicates": result.stage_seconds.near_duplicates,
                          "boilerplate": result.stage_seconds.boilerplate,
                          "spans": result.stage_seconds.spans},
        "mb_per_second": if wall_seconds > 0.0 { result.bytes_read as f64 / 1e6 / wall_seconds } else { 0.0 },
    })
}
