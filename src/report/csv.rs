//! The CSV report: [`Row`]s in, one CSV line per row out ([`CsvWriter`]), and back
//! ([`read_csv`]). Text cells go through [`cell`] (formula characters neutralised) and come back
//! through [`uncell`].

use super::{cell, decimal, uncell, Row, RowWriter, COLUMNS};
use crate::Error;
use std::io::Write;

/// Writes CSV report rows as they arrive. The header is written with the first row (or by
/// `finish`), so that a run that fails before finding anything prints nothing.
pub struct CsvWriter<W: Write> {
    w: csv::Writer<W>,
    header_written: bool,
    /// Buffers reused from row to row.
    nums: [itoa::Buffer; 7],
    similarity: String,
    score: String,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        let w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        CsvWriter {
            w,
            header_written: false,
            nums: std::array::from_fn(|_| itoa::Buffer::new()),
            similarity: String::new(),
            score: String::new(),
        }
    }

    fn header(&mut self) -> Result<(), Error> {
        if !self.header_written {
            self.w.write_record(COLUMNS)?;
            self.header_written = true;
        }
        Ok(())
    }
}

impl<W: Write> RowWriter for CsvWriter<W> {
    fn write(&mut self, row: &Row) -> Result<(), Error> {
        self.header()?;
        // Fields are written as bytes (numbers with `itoa`, the score without the float
        // formatter): a report can have a row per furniture span, and serde's per-field dispatch
        // and `format!` cost more than the rest of writing it.
        self.similarity.clear();
        if let Some(s) = row.similarity {
            use std::fmt::Write as _;
            let _ = write!(self.similarity, "{s:.4}");
        }
        self.score.clear();
        if let Some(s) = row.score {
            decimal::push_fixed(&mut self.score, s, 3);
        }
        let [start, end, keep_start, keep_end, cluster, line_start, line_end] = &mut self.nums;
        let keep_start = match row.keep_start {
            Some(v) => keep_start.format(v),
            None => "",
        };
        let keep_end = match row.keep_end {
            Some(v) => keep_end.format(v),
            None => "",
        };
        self.w.write_record([
            &*cell(&row.doc),
            start.format(row.start),
            end.format(row.end),
            row.kind.as_str(),
            &*cell(row.keep_doc.as_deref().unwrap_or("")),
            keep_start,
            keep_end,
            &self.similarity,
            &self.score,
            row.cluster.map_or("", |c| cluster.format(c)),
            &*cell(row.id.as_deref().unwrap_or("")),
            &*cell(row.keep_id.as_deref().unwrap_or("")),
            &*cell(&row.reason),
            line_start.format(row.line_start),
            line_end.format(row.line_end),
            &*cell(&row.preview),
        ])?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.header()?;
        self.w.flush().map_err(|e| Error::Report(e.into()))
    }
}

/// The rows of a CSV report, with their text cells as they were before [`cell`], and the
/// 1-based record number of each (the header is record 1).
pub fn read_csv(
    reader: impl std::io::Read,
) -> impl Iterator<Item = Result<(usize, Row<'static>), csv::Error>> {
    let reader = csv::Reader::from_reader(reader);
    reader
        .into_deserialize::<Row<'static>>()
        .enumerate()
        .map(|(i, row)| {
            let mut row = row?;
            let undo = |c: &mut std::borrow::Cow<'static, str>| {
                if c.starts_with('\'') {
                    *c = uncell(c).to_string().into();
                }
            };
            undo(&mut row.doc);
            row.keep_doc.as_mut().map(undo);
            row.id.as_mut().map(undo);
            row.keep_id.as_mut().map(undo);
            undo(&mut row.reason);
            undo(&mut row.preview);
            Ok((i + 2, row))
        })
}
