//! Report stage: spans (with their texts, [`locate`]) in, report rows out.
//!
//! A [`Row`] is one line of the report, whatever its format: the same type is written by the
//! [`RowWriter`]s (CSV, JSONL), read back by `apply` ([`read_csv`]) and by the tests. The CSV
//! columns are [`COLUMNS`], in order; offsets are half-open, in the [`Offsets`] unit asked for;
//! cells that do not apply are empty. Rows are in corpus order, then by start.

pub mod compressed;
mod csv;
pub mod decimal;
mod dolma;
mod jsonl;
pub mod locate;
mod output;
mod parquet;

pub use csv::{read_csv, CsvWriter};
pub use dolma::{attributes_path, check_sources, split_at_documents, DolmaOut};
pub use jsonl::JsonlWriter;
pub use locate::{preview, preview_fits, SpanText};
pub use output::ReportOut;
pub use parquet::{read_parquet, ParquetRow, ParquetWriter};

use crate::model::{Document, Kind, Reason, Span};
use crate::Error;
use std::borrow::Cow;

/// The unit of the offsets in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offsets {
    /// UTF-8 byte offsets (Rust, C, `bytes` slicing).
    Bytes,
    /// Code-point offsets (Python `str` slicing).
    Chars,
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One row per span ([`COLUMNS`]).
    Csv,
    /// One attribute record per flagged document, `{"id", "doc", "spans": [[start, end, kind,
    /// score], ...]}` (score: the furniture probability, else the similarity, else 1).
    Jsonl,
    /// The rows as a Parquet file with typed columns ([`ParquetWriter`]).
    Parquet,
}

/// The report's columns, in order: [`Row`]'s fields.
pub const COLUMNS: [&str; 16] = [
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

/// One row of the report: a span to cut, why, and which copy is kept.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Row<'a> {
    /// The document.
    pub doc: Cow<'a, str>,
    /// The half-open range to remove.
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// The copy that is kept (none for `boilerplate`).
    pub keep_doc: Option<Cow<'a, str>>,
    pub keep_start: Option<usize>,
    pub keep_end: Option<usize>,
    /// 1 for exact repeats; the trigram Jaccard of a near repeat inside a document; the shingle
    /// Jaccard with the kept copy for a whole document.
    pub similarity: Option<f64>,
    /// The furniture classifier's probability, on the `boilerplate` rows it decided.
    pub score: Option<f32>,
    /// The near-duplicate cluster, for whole-document rows.
    pub cluster: Option<u32>,
    /// The id fields of a JSONL record and of its kept copy.
    pub id: Option<Cow<'a, str>>,
    pub keep_id: Option<Cow<'a, str>>,
    /// Whether `id` is a JSON number (the typed formats write it as one; CSV has no types).
    #[serde(skip)]
    pub id_number: bool,
    /// Why, in words.
    pub reason: Cow<'a, str>,
    /// 1-based lines of the span.
    pub line_start: u32,
    pub line_end: u32,
    /// The first 60 characters of the span ([`preview`]).
    pub preview: Cow<'a, str>,
}

/// Writes report rows, one at a time, in corpus order.
pub trait RowWriter {
    /// The corpus's documents, given before the first row (a typed format chooses the type of
    /// its id columns from them).
    fn documents(&mut self, _documents: &[Document]) {}
    fn write(&mut self, row: &Row) -> Result<(), Error>;
    /// Writes what is pending (the header of a report without rows, the last record) and
    /// flushes.
    fn finish(&mut self) -> Result<(), Error>;
}

/// Calls `f` with the row of each of `spans` (with their `texts`), which refer to `documents`.
pub fn for_each_row(
    documents: &[Document],
    spans: &[Span],
    texts: &[SpanText],
    unit: Offsets,
    mut f: impl FnMut(&Row) -> Result<(), Error>,
) -> Result<(), Error> {
    // The reason is rendered into one buffer as each row is written: a document can have
    // millions of rows, and their reasons are not held as strings.
    let mut reason = String::new();
    for (span, text) in spans.iter().zip(texts) {
        reason.clear();
        write_reason(&span.reason, &mut reason, text.lines, text.keep_lines);
        let [start, end, keep_start, keep_end] = match unit {
            Offsets::Bytes => {
                let (ks, ke) = span.keep.map_or((0, 0), |k| (k.start, k.end));
                [span.start, span.end, ks, ke]
            }
            Offsets::Chars => text.chars,
        };
        let doc = &documents[span.doc as usize];
        let kept = span.keep.map(|k| &documents[k.doc as usize]);
        let row = Row {
            doc: Cow::Borrowed(&doc.name),
            start,
            end,
            kind: span.kind,
            keep_doc: kept.map(|k| Cow::Borrowed(k.name.as_str())),
            keep_start: span.keep.map(|_| keep_start),
            keep_end: span.keep.map(|_| keep_end),
            similarity: span.similarity,
            score: span.reason.score(),
            cluster: span.cluster,
            id: doc.id.as_deref().map(Cow::Borrowed),
            keep_id: kept.and_then(|k| k.id.as_deref()).map(Cow::Borrowed),
            id_number: doc.id_number,
            reason: Cow::Borrowed(&reason),
            line_start: text.lines[0],
            line_end: text.lines[1],
            preview: Cow::Borrowed(&text.preview),
        };
        f(&row)?;
    }
    Ok(())
}

/// Writes the rows of `spans` to `w`.
pub fn write_spans(
    w: &mut dyn RowWriter,
    documents: &[Document],
    spans: &[Span],
    texts: &[SpanText],
    unit: Offsets,
) -> Result<(), Error> {
    for_each_row(documents, spans, texts, unit, |row| w.write(row))
}

/// A text cell as written to a CSV file: a cell that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, as OWASP lists for CSV
/// injection) gets a leading `'`, and so does one that starts with `'` itself, so that
/// [`uncell`] gives back every text exactly.
pub fn cell(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// The text of a CSV cell written by [`cell`].
pub fn uncell(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// Appends the text of the `reason` column to `out`; `lines` are the first and last line of the
/// span (used by [`Reason::Run`]), `keep_lines` those of the kept range (used by
/// [`Reason::Repeats`]).
pub fn write_reason(reason: &Reason, out: &mut String, lines: [u32; 2], keep_lines: [u32; 2]) {
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
            page,
        } => {
            out.push_str("furniture ");
            decimal::push_fixed(out, score, 2);
            out.push_str(if tail { " (end of line): " } else { ": " });
            out.push_str(crate::furniture::signal::describe(signals));
            out.push_str(crate::furniture::page::describe(page));
            Ok(())
        }
        Reason::Run(r) => {
            let _ = write!(out, "lines {}-{}: ", lines[0], lines[1]);
            let mut parts = 0;
            let mut sep = |out: &mut String| {
                if parts > 0 {
                    out.push_str(", ");
                }
                parts += 1;
            };
            if r.furniture > 0 {
                sep(out);
                out.push_str("furniture ");
                decimal::push_fixed(out, r.min_score, 2);
                let _ = write!(out, " ({})", r.furniture);
            }
            if r.in_documents > 0 {
                sep(out);
                let _ = write!(out, "in {} documents ({})", r.min_docs, r.in_documents);
            }
            if r.repeated > 0 {
                sep(out);
                let _ = write!(
                    out,
                    "repeated {} times in this document ({})",
                    r.min_repeats, r.repeated
                );
            }
            if r.furniture > 0 {
                out.push_str(crate::furniture::page::describe(r.page));
            }
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

/// Writes a CSV report of `spans` (with their `texts`).
pub fn write_csv<W: std::io::Write>(
    out: W,
    documents: &[Document],
    spans: &[Span],
    texts: &[SpanText],
    unit: Offsets,
) -> Result<(), Error> {
    let mut w = CsvWriter::new(out);
    write_spans(&mut w, documents, spans, texts, unit)?;
    w.finish()
}

/// Writes a JSONL report of `spans` (with their `texts`).
pub fn write_jsonl<W: std::io::Write>(
    out: W,
    documents: &[Document],
    spans: &[Span],
    texts: &[SpanText],
    unit: Offsets,
) -> Result<(), Error> {
    let mut w = JsonlWriter::new(out);
    write_spans(&mut w, documents, spans, texts, unit)?;
    w.finish()
}
