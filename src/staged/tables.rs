//! Parquet tables of the staged pipeline: record batches in, files out, and back.
//!
//! Each table is a folder of Parquet files (zstd-compressed; `paras` and `docs` snappy, see
//! [`KEYED`] and [`WIDE`]), one file per writer: `sign` writes `shard-<id>.parquet` into `bands/`, `paras/`, `docs/` and
//! `shards/`; `cluster` writes `dup_docs/shard_id=<id>/part-0.parquet` (Hive-style partitions,
//! as Spark's `partitionBy` writes them) and `boilerplate/part-0.parquet`. Every integer column is signed, because Spark
//! has no unsigned types: 64-bit hashes are stored bit for bit as `i64`.

use crate::Error;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection, RowSelectionPolicy,
};
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::PageIndexPolicy;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
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

/// How a table's file is cut into row groups and pages.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Rows per row group: a reader holds about one row group of the columns it reads.
    pub row_group: usize,
    /// Target bytes per data page, and whether pages carry statistics (the page index's column
    /// index; the offset index, where each page starts, is always written).
    pub page_bytes: usize,
    pub page_statistics: bool,
    /// zstd packs narrow columns well; the small pages of wide tables use snappy, whose
    /// decoder needs no per-page context (zstd allocates one for every page it decodes, which
    /// took half the time of reading 3-row pages), and sketch values hardly compress anyway.
    pub zstd: bool,
    /// Columns stored as deltas (DELTA_BINARY_PACKED, no dictionary): a sorted key column.
    pub delta: &'static [&'static str],
}

/// Narrow rows (bands, paras, the outputs): Parquet's default pages.
pub const NARROW: Layout = Layout {
    row_group: 1 << 20,
    page_bytes: 1 << 20,
    page_statistics: true,
    zstd: true,
    delta: &[],
};
/// Narrow rows sorted by a key (`paras`): row groups of 16k rows, whose min/max statistics say
/// which range of keys each holds, so a reader of one range skips the others; the sorted keys
/// stored as deltas, and snappy rather than zstd (each of the many column chunks read would
/// allocate a zstd context).
pub const KEYED: Layout = Layout {
    row_group: 16 << 10,
    zstd: false,
    delta: &["para_hash"],
    ..NARROW
};
/// Wide rows (`docs`, about 2.6 KB of sketch a row): small row groups, so a reader holds little,
/// and pages of a few rows, so `cluster` decodes only the pages that hold the sketches it needs
/// (a [`RowSelection`] over the offset index); no per-page statistics, which nobody filters on.
pub const WIDE: Layout = Layout {
    row_group: 8 << 10,
    page_bytes: 4 << 10,
    page_statistics: false,
    zstd: false,
    delta: &[],
};

/// Writes `columns` (name, array) as one Parquet file at `path`, replacing any file there, cut
/// as `layout` says.
pub fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, layout: Layout) -> Result<(), Error> {
    let batch = RecordBatch::try_from_iter(columns).map_err(|e| parquet_error(path, e))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // Written beside its final name and renamed, so a failed run leaves no half file.
    let tmp = path.with_extension("parquet.tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut props = WriterProperties::builder()
        .set_compression(if layout.zstd {
            Compression::ZSTD(ZstdLevel::try_new(3).expect("valid level"))
        } else {
            Compression::SNAPPY
        })
        .set_max_row_group_size(layout.row_group)
        .set_data_page_size_limit(layout.page_bytes)
        .set_statistics_enabled(if layout.page_statistics {
            EnabledStatistics::Page
        } else {
            EnabledStatistics::Chunk
        });
    for &column in layout.delta {
        let column = ColumnPath::from(column);
        props = props
            .set_column_dictionary_enabled(column.clone(), false)
            .set_column_encoding(column, Encoding::DELTA_BINARY_PACKED);
    }
    let props = props.build();
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

/// Which rows of a file a reader returns.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    All,
    /// These row groups (ascending).
    Groups(&'a [usize]),
    /// These rows (ascending row numbers within the file). With an offset index in the file (as
    /// [`write()`] makes), pages that hold none of them are neither read nor decoded.
    Selected(&'a [u32]),
}

/// Calls `f` with every record batch of the Parquet file at `path`, reading only `columns`.
pub fn for_each_batch(
    path: &Path,
    columns: &[&str],
    f: impl FnMut(&Batch) -> Result<(), Error>,
) -> Result<(), Error> {
    for_each_batch_of(path, columns, Rows::All, f)
}

/// Calls `f` with the record batches of `rows` of the Parquet file at `path`, reading only
/// `columns`.
pub fn for_each_batch_of(
    path: &Path,
    columns: &[&str],
    rows: Rows,
    mut f: impl FnMut(&Batch) -> Result<(), Error>,
) -> Result<(), Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let options = match rows {
        Rows::Selected(_) => {
            ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional)
        }
        _ => ArrowReaderOptions::new(),
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)
        .map_err(|e| parquet_error(path, e))?;
    let mask = projection(&builder, columns, path)?;
    let mut builder = builder.with_projection(mask).with_batch_size(READ_BATCH);
    let groups = builder.metadata().num_row_groups();
    let total = builder.metadata().file_metadata().num_rows() as usize;
    match rows {
        Rows::All => {}
        Rows::Groups(wanted) => {
            if let Some(&g) = wanted.iter().find(|&&g| g >= groups) {
                return Err(parquet_error(path, format!("row group {g} of {groups}")));
            }
            builder = builder.with_row_groups(wanted.to_vec());
        }
        Rows::Selected(wanted) => {
            if let Some(&last) = wanted.last().filter(|&&r| r as usize >= total) {
                return Err(parquet_error(path, format!("row {last} of {total}")));
            }
            let ranges = wanted.iter().map(|&r| r as usize..r as usize + 1);
            builder = builder
                .with_row_selection(RowSelection::from_consecutive_ranges(ranges, total))
                // Skip by selectors: the default policy turns a selection of short runs (single
                // rows here) into a boolean mask over every row, which decodes every page.
                .with_row_selection_policy(RowSelectionPolicy::Selectors);
        }
    }
    let reader = builder.build().map_err(|e| parquet_error(path, e))?;
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(path, e))?;
        f(&Batch { batch, path })?;
    }
    Ok(())
}

/// Per row group of the Parquet file at `path`: the smallest and largest value of its `i64`
/// column `column`, from the footer's statistics (`None` where there are none).
pub fn row_group_ranges(path: &Path, column: &str) -> Result<Vec<Option<(i64, i64)>>, Error> {
    use parquet::file::statistics::Statistics;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_error(path, e))?;
    let metadata = builder.metadata();
    let schema = metadata.file_metadata().schema_descr();
    let Some(c) = (0..schema.num_columns()).find(|&c| schema.column(c).path().string() == column)
    else {
        return Err(parquet_error(path, format!("no column '{column}'")));
    };
    Ok(metadata
        .row_groups()
        .iter()
        .map(|g| match g.column(c).statistics() {
            Some(Statistics::Int64(v)) => Some((*v.min_opt()?, *v.max_opt()?)),
            _ => None,
        })
        .collect())
}

/// The projection of `columns` (by name) in the file `builder` opened.
fn projection<T>(
    builder: &parquet::arrow::arrow_reader::ArrowReaderBuilder<T>,
    columns: &[&str],
    path: &Path,
) -> Result<ProjectionMask, Error> {
    let mut roots = Vec::new();
    for name in columns {
        match builder.schema().index_of(name) {
            Ok(i) => roots.push(i),
            Err(_) => return Err(parquet_error(path, format!("no column '{name}'"))),
        }
    }
    Ok(ProjectionMask::roots(builder.parquet_schema(), roots))
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::builder::{Int32Builder, ListBuilder};
    use arrow_array::Int64Array;
    use std::sync::Arc;

    #[test]
    fn selected_rows_come_back_and_wide_pages_hold_few_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docs.parquet");
        let n = 3000;
        let mut sketch = ListBuilder::new(Int32Builder::new());
        for r in 0..n {
            sketch.values().extend((0..650).map(|v| Some(r * 1000 + v)));
            sketch.append(true);
        }
        let ids = Int64Array::from_iter_values((0..n).map(i64::from));
        let columns = vec![
            ("doc_id", Arc::new(ids) as ArrayRef),
            ("sketch", Arc::new(sketch.finish())),
        ];
        write(&path, columns, WIDE).unwrap();

        // The sketch column is cut into pages of a few rows, each listed in the offset index.
        let file = std::fs::File::open(&path).unwrap();
        let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Required);
        let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).unwrap();
        let offsets = builder.metadata().offset_index().expect("offset index");
        let pages: usize = offsets.iter().map(|g| g[1].page_locations().len()).sum();
        assert!(pages >= n as usize / 8, "{pages} pages for {n} rows");

        let wanted = [0u32, 1, 777, 2048, 2999];
        let mut got = Vec::new();
        for_each_batch_of(&path, &["doc_id", "sketch"], Rows::Selected(&wanted), |b| {
            let (ids, sketch) = (b.i64("doc_id")?, b.list("sketch")?);
            for i in 0..b.len() {
                got.push((ids.value(i), list_values(sketch, i).unwrap()));
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(got.len(), wanted.len());
        for ((id, values), &row) in got.iter().zip(&wanted) {
            assert_eq!(*id, i64::from(row));
            assert_eq!(values.len(), 650);
            assert_eq!(values[0], row * 1000);
        }
        // A row past the end is an error naming the file, not a panic.
        let past = for_each_batch_of(&path, &["doc_id"], Rows::Selected(&[n as u32]), |_| Ok(()));
        assert!(past.unwrap_err().to_string().contains("docs.parquet"));
    }
}
