//! Applying a report to a Parquet file: the file and its rows' cuts in, the same file cleaned
//! out. The output has the input's schema (its metadata included) and compression; only the text
//! column changes, in the rows the report flags, and the rows flagged whole are dropped (kept
//! unchanged with `--keep-flagged`: a Parquet file gains no column). Every other column, nested
//! ones included, is copied as it was. The file is read and written a record batch at a time.

use super::{cut, spans_for, Applier};
use crate::read::parquet::{guarded, Strings};
use crate::read::Source;
use crate::Error;
use arrow_array::{ArrayRef, BooleanArray, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
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
    let file = std::fs::File::open(&src.path).map_err(|e| Error::io(&src.path, e))?;
    let builder = guarded(|| ParquetRecordBatchReaderBuilder::try_new(file))
        .map_err(&bad)?
        .map_err(|e| bad(format!("the report names it but it is not Parquet: {e}")))?;
    let schema = builder.schema().clone();
    let Ok(column) = schema.index_of(&o.fields.text) else {
        return Err(bad(format!(
            "the report names it but it has no top-level column '{}'",
            o.fields.text
        )));
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
        let batch = match guarded(|| reader.next()) {
            Ok(None) => break,
            Ok(Some(Ok(batch))) => batch,
            Ok(Some(Err(e))) => {
                damage = Some(format!("Parquet: {e}"));
                break;
            }
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
        let plain: ArrayRef = Arc::new(StringArray::from(new_texts));
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
