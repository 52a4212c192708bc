//! Applying a report to a Parquet file: the file and its rows' cuts in, the same file cleaned
//! out. The output has the input's schema (its metadata included) and compression; only the text
//! column changes, in the rows the report flags, and the rows flagged whole are dropped (kept
//! unchanged with `--keep-flagged`: a Parquet file gains no column). Every other column, nested
//! ones included, is copied as it was. The file is read and written a record batch at a time.

use super::{cut, spans_for, Applier};
use crate::read::parquet::{guarded, next_batch, Strings};
use crate::read::Source;
use crate::Error;
use arrow_array::{ArrayRef, BooleanArray, LargeStringArray, RecordBatch};
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// Rows per batch read and written.
const BATCH_ROWS: usize = 1024;

pub fn apply(applier: &mut Applier, src: &Source, target: &Path) -> Result<(), Error> {
    let o = applier.options;
    let bad = |message: String| Error::Input {
        path: src.path.clone(),
        message,
    };
    let open = |options: ArrowReaderOptions| {
        let file = std::fs::File::open(&src.path).map_err(|e| Error::io(&src.path, e))?;
        guarded(|| ParquetRecordBatchReaderBuilder::try_new_with_options(file, options))
            .map_err(&bad)?
            .map_err(|e| bad(format!("the report names it but it is not Parquet: {e}")))
    };
    let mut builder = open(ArrowReaderOptions::new())?;
    // INT96 timestamps (Spark's default) are read as nanoseconds, which overflow outside
    // 1677-2262, and have no writer: read them as microseconds, written as int64 timestamps.
    if let Some(hint) = int96_as_micros(&builder) {
        builder = open(ArrowReaderOptions::new().with_schema(hint))?;
    }
    let schema = builder.schema().clone();
    let Ok(column) = schema.index_of(&o.fields.text) else {
        return Err(bad(if o.fields.text.contains('.') {
            format!(
                "apply rewrites the text of a top-level Parquet column only, not the nested '{}'",
                o.fields.text
            )
        } else {
            format!(
                "the report names it but it has no column '{}'",
                o.fields.text
            )
        }));
    };
    // The input's compression (of its first column chunk) for the whole output.
    let compression = builder
        .metadata()
        .row_groups()
        .first()
        .filter(|g| g.num_columns() > 0)
        .map(|g| g.column(0).compression());
    let mut props = WriterProperties::builder();
    if let Some(c) = compression {
        props = props.set_compression(c);
    }
    let reader = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| bad(format!("Parquet: {e}")))?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let out = std::fs::File::create(target).map_err(|e| Error::io(target, e))?;
    let werr = |e: parquet::errors::ParquetError| Error::Input {
        path: target.to_path_buf(),
        message: format!("writing Parquet: {e}"),
    };
    let mut writer =
        ArrowWriter::try_new(out, schema.clone(), Some(props.build())).map_err(werr)?;
    let mut row = 0u32;
    let mut reader = reader;
    // Damage is applied as the scan read it: the rows before it are written, the rest is a
    // warning.
    let mut damage = None;
    loop {
        let batch = match next_batch(&mut reader) {
            Ok(None) => break,
            Ok(Some(batch)) => batch,
            Err(reason) => {
                damage = Some(reason);
                break;
            }
        };
        let first = row;
        row += batch.num_rows() as u32;
        applier.stats.documents += batch.num_rows();
        let flagged: Vec<(usize, Vec<super::Cut>)> = (0..batch.num_rows())
            .filter_map(|i| {
                let name = format!("{}:{}", src.name, first + i as u32 + 1);
                applier.rows.remove(&name).map(|rows| (i, rows))
            })
            .collect();
        if flagged.is_empty() {
            writer.write(&batch).map_err(werr)?;
            continue;
        }
        let texts = batch.column(column);
        let strings = Strings::of(texts).map_err(bad)?;
        let mut new_texts: Vec<Option<String>> = (0..batch.num_rows())
            .map(|i| strings.get(i).map(String::from))
            .collect();
        let mut keep = vec![true; batch.num_rows()];
        for (i, rows) in flagged {
            let line = first + i as u32 + 1;
            let Some(text) = strings.get(i) else {
                return Err(bad(format!(
                    "row {line}: the report flags it but its text is null"
                )));
            };
            match spans_for(src, text, None, &rows, o.offsets)? {
                None if !o.keep_flagged => {
                    applier.stats.documents_dropped += 1;
                    keep[i] = false;
                }
                None => {}
                Some(spans) => {
                    applier.count_cut(&spans);
                    new_texts[i] = Some(cut(text, &spans));
                }
            }
        }
        // 64-bit offsets, so that a batch of more than 2 GiB of text builds; the cast to the
        // column's own type says so if it cannot hold it.
        let plain: ArrayRef = Arc::new(LargeStringArray::from(new_texts));
        let column_array = arrow_cast::cast(&plain, texts.data_type())
            .map_err(|e| bad(format!("Parquet: {e}")))?;
        let mut columns = batch.columns().to_vec();
        columns[column] = column_array;
        let batch = RecordBatch::try_new(batch.schema(), columns)
            .map_err(|e| bad(format!("Parquet: {e}")))?;
        let batch = arrow_select::filter::filter_record_batch(&batch, &BooleanArray::from(keep))
            .map_err(|e| bad(format!("Parquet: {e}")))?;
        if batch.num_rows() > 0 {
            writer.write(&batch).map_err(werr)?;
        }
    }
    writer.close().map_err(werr)?;
    if let Some(reason) = damage {
        applier.stats.skipped.push(crate::read::Skipped {
            path: src.path.clone(),
            reason: format!(
                "row {}: {reason}; the rest of the file is not read",
                row + 1
            ),
            bytes: 0,
            line: row + 1,
        });
    }
    Ok(())
}

/// The file's Arrow schema with its top-level INT96 columns as microsecond timestamps, when it
/// has any.
fn int96_as_micros(
    builder: &ParquetRecordBatchReaderBuilder<std::fs::File>,
) -> Option<arrow_schema::SchemaRef> {
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    let parquet = builder.parquet_schema();
    let int96: Vec<String> = parquet
        .columns()
        .iter()
        .filter(|c| c.physical_type() == parquet::basic::Type::INT96 && c.path().parts().len() == 1)
        .map(|c| c.name().to_string())
        .collect();
    if int96.is_empty() {
        return None;
    }
    let schema = builder.schema();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Timestamp(_, tz) if int96.contains(f.name()) => f
                .as_ref()
                .clone()
                .with_data_type(DataType::Timestamp(TimeUnit::Microsecond, tz.clone())),
            _ => f.as_ref().clone(),
        })
        .collect();
    Some(Arc::new(Schema::new_with_metadata(
        fields,
        schema.metadata().clone(),
    )))
}
