//! Parquet tables of the staged pipeline: record batches in, files out, and back.
//!
//! Each table is a folder of Parquet files (zstd-compressed), one file per writer: `sign` writes
//! `shard-<id>.parquet` into `bands/`, `paras/`, `docs/` and `shards/`; `cluster` writes
//! `dup_docs/shard_id=<id>/part-0.parquet` (Hive-style partitions, as Spark's `partitionBy`
//! writes them) and `boilerplate/part-0.parquet`. Every integer column is signed, because Spark
//! has no unsigned types: 64-bit hashes are stored bit for bit as `i64`.

use crate::Error;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};

/// Rows per record batch read back: small enough that a batch of sketches (about 2.6 KB a row)
/// stays a few tens of MB per reading thread.
const READ_BATCH: usize = 8 * 1024;

fn parquet_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        message: format!("Parquet: {e}"),
    }
}

/// Rows per row group: a reader holds about one row group of the columns it reads, so tables
/// with wide rows (the sketches of `docs`) get smaller groups.
pub const ROW_GROUP: usize = 1 << 20;
pub const WIDE_ROW_GROUP: usize = 8 << 10;

/// Writes `columns` (name, array) as one Parquet file at `path`, replacing any file there, in
/// row groups of `row_group` rows.
pub fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, row_group: usize) -> Result<(), Error> {
    let batch = RecordBatch::try_from_iter(columns).map_err(|e| parquet_error(path, e))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // Written beside its final name and renamed, so a failed run leaves no half file.
    let tmp = path.with_extension("parquet.tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
        ))
        .set_max_row_group_size(row_group)
        .build();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props))
        .map_err(|e| parquet_error(path, e))?;
    writer.write(&batch).map_err(|e| parquet_error(path, e))?;
    writer.close().map_err(|e| parquet_error(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// The Parquet files of a table folder (recursively, partitions included), sorted by path.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    if !dir.is_dir() {
        return Err(Error::Input {
            path: dir.to_path_buf(),
            message: "no such table folder (did `dedup sign` / `dedup cluster` run?)".into(),
        });
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Input {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.ends_with(".parquet") && !name.starts_with('.') {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// Calls `f` with every record batch of the Parquet file at `path`, reading only `columns`.
pub fn for_each_batch(
    path: &Path,
    columns: &[&str],
    mut f: impl FnMut(&Batch) -> Result<(), Error>,
) -> Result<(), Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_error(path, e))?;
    let mut roots = Vec::new();
    for name in columns {
        match builder.schema().index_of(name) {
            Ok(i) => roots.push(i),
            Err(_) => return Err(parquet_error(path, format!("no column '{name}'"))),
        }
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(READ_BATCH)
        .build()
        .map_err(|e| parquet_error(path, e))?;
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(path, e))?;
        f(&Batch { batch, path })?;
    }
    Ok(())
}

/// Calls `f` with every record batch of every file of the table folder `dir`.
pub fn for_each_batch_in(
    dir: &Path,
    columns: &[&str],
    mut f: impl FnMut(&Batch) -> Result<(), Error>,
) -> Result<(), Error> {
    for path in files(dir)? {
        for_each_batch(&path, columns, &mut f)?;
    }
    Ok(())
}

/// Rows of the Parquet file at `path`, from its footer.
pub fn file_rows(path: &Path) -> Result<u64, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_error(path, e))?;
    Ok(builder.metadata().file_metadata().num_rows() as u64)
}

/// Rows in the table folder `dir`, from the files' footers.
pub fn row_count(dir: &Path) -> Result<u64, Error> {
    files(dir)?.iter().map(|p| file_rows(p)).sum()
}

/// A record batch read from `path`, with typed access to its columns by name.
pub struct Batch<'a> {
    pub batch: RecordBatch,
    pub path: &'a Path,
}

impl Batch<'_> {
    pub fn len(&self) -> usize {
        self.batch.num_rows()
    }

    pub fn is_empty(&self) -> bool {
        self.batch.num_rows() == 0
    }

    fn column(&self, name: &str) -> Result<&ArrayRef, Error> {
        self.batch
            .column_by_name(name)
            .ok_or_else(|| parquet_error(self.path, format!("no column '{name}'")))
    }

    fn typed<'b, T: 'b>(
        &'b self,
        name: &str,
        cast: impl FnOnce(&'b ArrayRef) -> Option<T>,
    ) -> Result<T, Error> {
        let column = self.column(name)?;
        let data_type = column.data_type().clone();
        cast(column).ok_or_else(|| {
            parquet_error(self.path, format!("column '{name}' has type {data_type}"))
        })
    }

    pub fn i64(&self, name: &str) -> Result<&arrow_array::Int64Array, Error> {
        self.typed(name, |c| c.as_primitive_opt::<Int64Type>())
    }

    pub fn i32(&self, name: &str) -> Result<&arrow_array::Int32Array, Error> {
        self.typed(name, |c| c.as_primitive_opt::<Int32Type>())
    }

    pub fn f64(&self, name: &str) -> Result<&arrow_array::Float64Array, Error> {
        self.typed(name, |c| c.as_primitive_opt::<Float64Type>())
    }

    pub fn bool(&self, name: &str) -> Result<&arrow_array::BooleanArray, Error> {
        self.typed(name, |c| c.as_boolean_opt())
    }

    pub fn str(&self, name: &str) -> Result<&arrow_array::StringArray, Error> {
        self.typed(name, |c| c.as_string_opt::<i32>())
    }

    pub fn list(&self, name: &str) -> Result<&arrow_array::ListArray, Error> {
        self.typed(name, |c| c.as_list_opt::<i32>())
    }
}

/// The `i32` values of `list` at row `i` (a sketch), or `None` when they are not `i32`.
pub fn list_values(list: &arrow_array::ListArray, i: usize) -> Option<Vec<u32>> {
    if list.is_null(i) {
        return Some(Vec::new());
    }
    let values = list.value(i);
    let values = values.as_primitive_opt::<Int32Type>()?;
    Some(values.values().iter().map(|&v| v as u32).collect())
}
