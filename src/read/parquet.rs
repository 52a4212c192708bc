//! Parquet files (read stage): a `.parquet` file in, one document per row out: the string of
//! the `--text-field` column and the `--id-field` column (a string, or an integer kept as a
//! number), a record batch at a time. Only those two columns are decoded, and only one batch
//! is held, never the whole file. A row's "line" is its 1-based row number in the file, so a
//! document is named `<file>:<row>` like a JSONL record.
//!
//! Text columns may be `string`, `large_string`, `string_view` or dictionary-encoded strings; a
//! top-level column or a field of a struct column (`meta.text`). A file that is not Parquet or
//! has no such column is skipped whole (row 0) with the reason; a row whose text is null, or
//! larger than `--max-doc-bytes`, is skipped alone. [`pick_rows`] reads given rows again.

use super::{Item, ReadOptions, Record, Source};
use crate::Error;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection, RowSelectionPolicy,
};
use parquet::arrow::ProjectionMask;
use parquet::file::metadata::PageIndexPolicy;
use std::path::Path;

/// Rows per record batch: a few MB of text at web-page sizes.
const BATCH_ROWS: usize = 1024;

thread_local! {
    /// Set while this thread runs the Parquet reader inside [`guarded`].
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (a call into the Parquet reader) and turns a panic into an error: the reader asserts
/// on some damaged files instead of returning an error. The panic message is not printed (a
/// process-wide hook, installed once, stays silent for guarded calls and hands every other
/// panic to the default hook).
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                default(info);
            }
        }));
    });
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(false));
    result.map_err(|e| {
        let why = e
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("damaged Parquet data (the reader failed: {why})")
    })
}

/// The next record batch of `reader`, with its errors and the reader's panics ([`guarded`]) as
/// the reason; `None` at the end.
pub fn next_batch(
    reader: &mut parquet::arrow::arrow_reader::ParquetRecordBatchReader,
) -> Result<Option<RecordBatch>, String> {
    match guarded(|| reader.next())? {
        None => Ok(None),
        Some(Ok(batch)) => Ok(Some(batch)),
        Some(Err(e)) => Err(format!("Parquet: {e}")),
    }
}

/// Streams the rows of `src` to `f` as [`Item`]s, in order.
pub fn read_rows(
    src: &Source,
    options: &ReadOptions,
    mut f: impl FnMut(Item) -> Result<(), Error>,
) -> Result<(), Error> {
    let skip_file = |reason: String| Item::Skip {
        line: 0,
        reason,
        bytes: 0,
    };
    let columns = match guarded(|| open(&src.path, options, None)).and_then(|c| c) {
        Ok(c) => c,
        Err(reason) => return f(skip_file(reason)),
    };
    let Columns { mut reader, find } = columns;
    let mut row = 0u32;
    loop {
        let batch = match next_batch(&mut reader) {
            Ok(None) => break,
            Ok(Some(b)) => b,
            Err(reason) => {
                return f(Item::Skip {
                    line: row + 1,
                    reason: format!("{reason}; the rest of the file is not read"),
                    bytes: 0,
                })
            }
        };
        let (text, id, lang) = match find.columns(&batch) {
            Ok(c) => c,
            Err(reason) => return f(skip_file(reason)),
        };
        let strings = match Strings::of(&text) {
            Ok(s) => s,
            Err(reason) => return f(skip_file(reason)),
        };
        let langs = lang.as_ref().and_then(|l| Strings::of(l).ok());
        for i in 0..batch.num_rows() {
            row += 1;
            let item = match strings.get(i) {
                None => Item::Skip {
                    line: row,
                    reason: format!("column '{}' is null", options.fields.text),
                    bytes: 0,
                },
                Some(t) if t.len() as u64 > options.max_doc_bytes => Item::Skip {
                    line: row,
                    reason: format!(
                        "text of {} bytes is larger than --max-doc-bytes ({})",
                        t.len(),
                        options.max_doc_bytes
                    ),
                    bytes: t.len() as u64,
                },
                Some(t) => {
                    let (id, id_number) = id.as_ref().map_or((None, false), |c| id_at(c, i));
                    Item::Doc(Record {
                        line: row,
                        id,
                        id_number,
                        text: t.to_string(),
                        lang: langs.as_ref().and_then(|l| l.get(i)).map(String::from),
                        lossy: None,
                    })
                }
            };
            f(item)?;
        }
    }
    Ok(())
}

/// Calls `f(k, text)` for the rows `rows[k]` (1-based, sorted) of `src`'s text column, decoding
/// only the pages that hold them where the file has a page index. Rows it does not find (the
/// file changed) are not called.
pub fn pick_rows(
    src: &Source,
    options: &ReadOptions,
    rows: &[u32],
    mut f: impl FnMut(usize, &str) -> Result<(), Error>,
) -> Result<(), Error> {
    let bad = |message: String| Error::Input {
        path: src.path.clone(),
        message,
    };
    let columns = guarded(|| open(&src.path, options, Some(rows)))
        .and_then(|c| c)
        .map_err(bad)?;
    let Columns { mut reader, find } = columns;
    let mut found = 0;
    while let Some(batch) = next_batch(&mut reader).map_err(bad)? {
        let (text, _, _) = find.columns(&batch).map_err(bad)?;
        let strings = Strings::of(&text).map_err(bad)?;
        for i in 0..batch.num_rows() {
            if let Some(t) = strings.get(i) {
                f(found, t)?;
            }
            found += 1;
        }
    }
    Ok(())
}

/// An open file's reader of the text (and id) columns, and where they are in its batches.
struct Columns {
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    find: Find,
}

/// The paths of the text, id and language columns in the projected batches.
struct Find {
    text: Vec<String>,
    id: Option<Vec<String>>,
    lang: Option<Vec<String>>,
    text_name: String,
}

/// A batch's text column, and its id and language columns where the file has them.
type Found = (ArrayRef, Option<ArrayRef>, Option<ArrayRef>);

impl Find {
    fn columns(&self, batch: &RecordBatch) -> Result<Found, String> {
        let text = column_at(batch, &self.text)
            .ok_or_else(|| format!("no column '{}'", self.text_name))?;
        let id = self.id.as_ref().and_then(|p| column_at(batch, p));
        let lang = self.lang.as_ref().and_then(|p| column_at(batch, p));
        Ok((text, id, lang))
    }
}

fn column_at(batch: &RecordBatch, path: &[String]) -> Option<ArrayRef> {
    let mut array: ArrayRef = batch.column_by_name(&path[0])?.clone();
    for name in &path[1..] {
        let s: &StructArray = array.as_struct_opt()?;
        array = s.column_by_name(name)?.clone();
    }
    Some(array)
}

/// Opens `path`, projected on the text and id columns (`rows`, 1-based and sorted: only those).
fn open(path: &Path, options: &ReadOptions, rows: Option<&[u32]>) -> Result<Columns, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let reader_options = match rows {
        Some(_) => ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional),
        None => ArrowReaderOptions::new(),
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, reader_options)
        .map_err(|e| format!("not a Parquet file: {e}"))?;
    let split = |p: &str| p.split('.').map(String::from).collect::<Vec<_>>();
    let (text, id) = (split(&options.fields.text), split(&options.fields.id));
    let schema = builder.schema().clone();
    let root_of = |path: &[String]| schema.index_of(&path[0]).ok();
    let Some(text_root) = root_of(&text) else {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        return Err(format!(
            "no column '{}' (columns: {}); choose one with --text-field",
            options.fields.text,
            names.join(", ")
        ));
    };
    let mut roots = vec![text_root];
    let id_root = root_of(&id);
    roots.extend(id_root);
    // The language only on the first read (the re-reads want the text alone).
    let lang = options
        .fields
        .lang
        .as_deref()
        .filter(|_| rows.is_none())
        .map(split);
    let lang_root = lang.as_deref().and_then(root_of);
    roots.extend(lang_root);
    roots.sort_unstable();
    roots.dedup();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let mut builder = builder.with_projection(mask).with_batch_size(BATCH_ROWS);
    if let Some(rows) = rows {
        let total = builder.metadata().file_metadata().num_rows() as usize;
        let ranges = rows
            .iter()
            .map(|&r| r as usize - 1)
            .filter(|&r| r < total)
            .map(|r| r..r + 1);
        builder = builder
            .with_row_selection(RowSelection::from_consecutive_ranges(ranges, total))
            .with_row_selection_policy(RowSelectionPolicy::Selectors);
    }
    let reader = builder.build().map_err(|e| format!("Parquet: {e}"))?;
    Ok(Columns {
        reader,
        find: Find {
            text,
            id: id_root.map(|_| id),
            lang: lang_root.and(lang),
            text_name: options.fields.text.clone(),
        },
    })
}

/// A string column of any of the string layouts, read row by row.
pub enum Strings<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    /// Dictionary-encoded: the keys (as indices) and the values.
    Dict(Vec<Option<usize>>, Box<Strings<'a>>),
}

impl<'a> Strings<'a> {
    pub fn of(array: &'a ArrayRef) -> Result<Self, String> {
        Self::of_dyn(array.as_ref())
    }

    fn of_dyn(array: &'a dyn Array) -> Result<Self, String> {
        Ok(match array.data_type() {
            DataType::Utf8 => Strings::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Strings::Large(array.as_string::<i64>()),
            DataType::Utf8View => Strings::View(array.as_string_view()),
            DataType::Dictionary(_, _) => {
                let dict = array.as_any_dictionary();
                let keys = dict.normalized_keys();
                let nulls = dict.keys().logical_nulls();
                let keys = keys
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| nulls.as_ref().is_none_or(|n| n.is_valid(i)).then_some(k))
                    .collect();
                Strings::Dict(keys, Box::new(Self::of_dyn(dict.values().as_ref())?))
            }
            other => return Err(format!("the text column holds {other}, not strings")),
        })
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Dict(keys, values) => values.get((*keys.get(i)?)?),
        }
    }
}

/// The id of row `i`: a string, or a number (integer or floating point: then a number in typed
/// reports, as a JSON number id is). Other types give no id, as in JSONL.
fn id_at(column: &ArrayRef, i: usize) -> (Option<String>, bool) {
    if column.is_null(i) {
        return (None, false);
    }
    macro_rules! int {
        ($t:ty) => {
            (Some(column.as_primitive::<$t>().value(i).to_string()), true)
        };
    }
    match column.data_type() {
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float32 => int!(Float32Type),
        DataType::Float64 => int!(Float64Type),
        _ => match Strings::of(column) {
            Ok(s) => (s.get(i).map(String::from), false),
            Err(_) => (None, false),
        },
    }
}
