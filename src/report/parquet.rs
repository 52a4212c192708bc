//! The Parquet report: [`Row`]s in, a Parquet file of the report's columns with their types out
//! ([`ParquetWriter`]), and back ([`read_parquet`]). Offsets, lines and clusters are `int64`
//! (signed, as Spark has no unsigned types), `similarity` `double`, `score` `float`, the texts
//! `string`; a cell that does not apply is null. `id` and `keep_id` are `int64` when every id of
//! the corpus is an integer, else `string`. Rows are buffered and written a batch at a time.

use super::{Row, RowWriter, COLUMNS};
use crate::model::{Document, Kind};
use crate::Error;
use arrow_array::builder::{Float32Builder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

/// Rows per record batch written.
const BATCH_ROWS: usize = 64 * 1024;

/// Writes the report as Parquet.
pub struct ParquetWriter<W: Write + Send> {
    out: Option<W>,
    writer: Option<ArrowWriter<W>>,
    /// Whether ids are written as integers (decided from the corpus's documents).
    int_ids: bool,
    columns: Columns,
}

/// The column builders of the batch being gathered.
#[derive(Default)]
struct Columns {
    rows: usize,
    doc: StringBuilder,
    start: Int64Builder,
    end: Int64Builder,
    kind: StringBuilder,
    keep_doc: StringBuilder,
    keep_start: Int64Builder,
    keep_end: Int64Builder,
    similarity: Float64Builder,
    score: Float32Builder,
    cluster: Int64Builder,
    id: StringBuilder,
    keep_id: StringBuilder,
    id_int: Int64Builder,
    keep_id_int: Int64Builder,
    reason: StringBuilder,
    line_start: Int64Builder,
    line_end: Int64Builder,
    preview: StringBuilder,
}

impl<W: Write + Send> ParquetWriter<W> {
    pub fn new(out: W) -> Self {
        ParquetWriter {
            out: Some(out),
            writer: None,
            int_ids: false,
            columns: Columns::default(),
        }
    }

    fn schema(&self) -> SchemaRef {
        let id = if self.int_ids {
            DataType::Int64
        } else {
            DataType::Utf8
        };
        let types = [
            DataType::Utf8,
            DataType::Int64,
            DataType::Int64,
            DataType::Utf8,
            DataType::Utf8,
            DataType::Int64,
            DataType::Int64,
            DataType::Float64,
            DataType::Float32,
            DataType::Int64,
            id.clone(),
            id,
            DataType::Utf8,
            DataType::Int64,
            DataType::Int64,
            DataType::Utf8,
        ];
        let nullable = |name: &str| !matches!(name, "doc" | "start" | "end" | "kind");
        Arc::new(Schema::new(
            COLUMNS
                .iter()
                .zip(types)
                .map(|(name, t)| Field::new(*name, t, nullable(name)))
                .collect::<Vec<_>>(),
        ))
    }

    /// Writes the rows gathered so far as one batch.
    fn flush_batch(&mut self) -> Result<(), Error> {
        if self.writer.is_none() {
            let props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                .build();
            let out = self.out.take().expect("an output until the writer is made");
            self.writer =
                Some(ArrowWriter::try_new(out, self.schema(), Some(props)).map_err(report_error)?);
        }
        if self.columns.rows == 0 {
            return Ok(());
        }
        let c = &mut self.columns;
        let (id, keep_id): (ArrayRef, ArrayRef) = if self.int_ids {
            (
                Arc::new(c.id_int.finish()),
                Arc::new(c.keep_id_int.finish()),
            )
        } else {
            (Arc::new(c.id.finish()), Arc::new(c.keep_id.finish()))
        };
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(c.doc.finish()),
            Arc::new(c.start.finish()),
            Arc::new(c.end.finish()),
            Arc::new(c.kind.finish()),
            Arc::new(c.keep_doc.finish()),
            Arc::new(c.keep_start.finish()),
            Arc::new(c.keep_end.finish()),
            Arc::new(c.similarity.finish()),
            Arc::new(c.score.finish()),
            Arc::new(c.cluster.finish()),
            id,
            keep_id,
            Arc::new(c.reason.finish()),
            Arc::new(c.line_start.finish()),
            Arc::new(c.line_end.finish()),
            Arc::new(c.preview.finish()),
        ];
        c.rows = 0;
        let batch = RecordBatch::try_new(self.schema(), arrays).map_err(report_error)?;
        if let Some(w) = &mut self.writer {
            w.write(&batch).map_err(report_error)?;
        }
        Ok(())
    }
}

fn report_error(e: impl std::fmt::Display) -> Error {
    Error::Report(std::io::Error::other(format!("Parquet: {e}")).into())
}

impl<W: Write + Send> RowWriter for ParquetWriter<W> {
    fn documents(&mut self, documents: &[Document]) {
        if self.writer.is_none() && self.columns.rows == 0 {
            let mut ids = documents
                .iter()
                .filter_map(|d| d.id.as_ref().map(|i| (i, d)));
            self.int_ids = ids.clone().next().is_some()
                && ids.all(|(i, d)| d.id_number && i.parse::<i64>().is_ok());
        }
    }

    fn write(&mut self, row: &Row) -> Result<(), Error> {
        let c = &mut self.columns;
        let int = |v: usize| v as i64;
        c.doc.append_value(&row.doc);
        c.start.append_value(int(row.start));
        c.end.append_value(int(row.end));
        c.kind.append_value(row.kind.as_str());
        c.keep_doc.append_option(row.keep_doc.as_deref());
        c.keep_start.append_option(row.keep_start.map(int));
        c.keep_end.append_option(row.keep_end.map(int));
        c.similarity.append_option(row.similarity);
        c.score.append_option(row.score);
        c.cluster.append_option(row.cluster.map(i64::from));
        if self.int_ids {
            let parse = |v: &Option<Cow<str>>| v.as_deref().and_then(|s| s.parse::<i64>().ok());
            c.id_int.append_option(parse(&row.id));
            c.keep_id_int.append_option(parse(&row.keep_id));
        } else {
            c.id.append_option(row.id.as_deref());
            c.keep_id.append_option(row.keep_id.as_deref());
        }
        c.reason.append_value(&row.reason);
        c.line_start.append_value(i64::from(row.line_start));
        c.line_end.append_value(i64::from(row.line_end));
        c.preview.append_value(&row.preview);
        c.rows += 1;
        if c.rows >= BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.flush_batch()?;
        if let Some(w) = self.writer.take() {
            let mut out = w.into_inner().map_err(report_error)?;
            out.flush().map_err(|e| Error::Report(e.into()))?;
        }
        Ok(())
    }
}

/// What `apply` needs of a Parquet report's rows: (doc, start, end, kind, keep_doc, preview).
pub type ParquetRow = (String, usize, usize, Kind, Option<String>, Option<String>);

/// The rows of a Parquet report, in order.
pub fn read_parquet(path: &std::path::Path) -> Result<Vec<ParquetRow>, Error> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let bad = |message: String| Error::Input {
        path: path.into(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    use crate::read::parquet::guarded;
    let mut reader =
        guarded(|| ParquetRecordBatchReaderBuilder::try_new(file).and_then(|b| b.build()))
            .map_err(&bad)?
            .map_err(|e| bad(format!("Parquet: {e}")))?;
    let mut rows = Vec::new();
    while let Some(batch) = crate::read::parquet::next_batch(&mut reader).map_err(&bad)? {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .cloned()
                .ok_or_else(|| bad(format!("no column '{name}': not a dedup report")))
        };
        let (doc, start, end, kind, keep_doc, preview) = (
            column("doc")?,
            column("start")?,
            column("end")?,
            column("kind")?,
            column("keep_doc")?,
            column("preview")?,
        );
        // Another writer (Polars, DuckDB) may have rewritten it with other string and integer
        // layouts: read as `string` and `int64`.
        let texts = |a: &ArrayRef| {
            arrow_cast::cast(a, &DataType::Utf8)
                .ok()
                .and_then(|a| a.as_string_opt::<i32>().cloned())
        };
        let ints = |a: &ArrayRef| {
            let integer = a.data_type().is_integer();
            integer
                .then(|| arrow_cast::cast(a, &DataType::Int64).ok())
                .flatten()
                .and_then(|a| a.as_primitive_opt::<Int64Type>().cloned())
        };
        let (Some(doc), Some(start), Some(end), Some(kind), Some(keep_doc), Some(preview)) = (
            texts(&doc),
            ints(&start),
            ints(&end),
            texts(&kind),
            texts(&keep_doc),
            texts(&preview),
        ) else {
            return Err(bad("columns of other types: not a dedup report".into()));
        };
        for i in 0..batch.num_rows() {
            let kind: Kind = serde_json::from_value(kind.value(i).into()).map_err(|_| {
                bad(format!(
                    "row {}: unknown kind '{}'",
                    rows.len() + 1,
                    kind.value(i)
                ))
            })?;
            let offset = |v: i64| usize::try_from(v).map_err(|_| bad(format!("offset {v}")));
            rows.push((
                doc.value(i).to_string(),
                offset(start.value(i))?,
                offset(end.value(i))?,
                kind,
                keep_doc.is_valid(i).then(|| keep_doc.value(i).to_string()),
                preview.is_valid(i).then(|| preview.value(i).to_string()),
            ));
        }
    }
    Ok(rows)
}
