//! Where a report goes: stdout, or a file written beside its name and renamed into place when
//! the run succeeds, so that a failed run never leaves a partial report under that name. Rows
//! are written as they are found.

use super::{
    write_spans, CsvWriter, Format, JsonlWriter, Offsets, ParquetWriter, RowWriter, SpanText,
};
use crate::model::{Document, Span};
use crate::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The report being written.
pub struct ReportOut {
    rows: Box<dyn RowWriter + Send>,
    unit: Offsets,
    spool: Option<(tempfile::NamedTempFile, PathBuf)>,
    /// Whether the writer was given the documents.
    told: bool,
}

impl ReportOut {
    /// A report in `format` with offsets in `unit`, to `path` (stdout when `None`).
    pub fn open(path: Option<&Path>, format: Format, unit: Offsets) -> Result<Self, Error> {
        let (out, spool): (Box<dyn Write + Send>, _) = match path {
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, e))?;
                let file = tmp.reopen().map_err(|e| Error::io(path, e))?;
                (Box::new(file), Some((tmp, path.to_path_buf())))
            }
            None => (Box::new(std::io::stdout()), None),
        };
        let out = std::io::BufWriter::with_capacity(1 << 16, out);
        let rows: Box<dyn RowWriter + Send> = match format {
            Format::Csv => Box::new(CsvWriter::new(out)),
            Format::Jsonl => Box::new(JsonlWriter::new(out)),
            Format::Parquet => Box::new(ParquetWriter::new(out)),
        };
        Ok(ReportOut {
            rows,
            unit,
            spool,
            told: false,
        })
    }

    /// Writes the rows of `spans` (with their `texts`), which refer to `documents`.
    pub fn write(
        &mut self,
        documents: &[Document],
        spans: &[Span],
        texts: &[SpanText],
    ) -> Result<(), Error> {
        if !self.told {
            self.rows.documents(documents);
            self.told = true;
        }
        write_spans(&mut *self.rows, documents, spans, texts, self.unit)
    }

    /// Ends the report: flushes it, and moves a report file into place.
    pub fn finish(mut self) -> Result<(), Error> {
        self.rows.finish()?;
        drop(self.rows);
        if let Some((tmp, path)) = self.spool {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::Permissions::from_mode(0o644);
                std::fs::set_permissions(tmp.path(), mode).map_err(|e| Error::io(&path, e))?;
            }
            tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        }
        Ok(())
    }
}
