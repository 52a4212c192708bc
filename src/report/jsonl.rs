//! The JSONL report: [`Row`]s in, one attribute record per flagged document out,
//! `{"id", "doc", "spans": [[start, end, kind, score], ...]}` (score: the furniture probability,
//! else the similarity, else 1). A document's rows arrive together, in order.

use super::{Row, RowWriter};
use crate::Error;
use std::io::Write;

/// Writes one JSON record per flagged document, as its rows arrive.
pub struct JsonlWriter<W: Write> {
    out: W,
    /// The document being gathered: its id, name and spans.
    pending: Option<(Option<String>, String, Vec<serde_json::Value>)>,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter { out, pending: None }
    }

    fn flush_record(&mut self) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Report(e.into());
        if let Some((id, doc, spans)) = self.pending.take() {
            let record = serde_json::json!({ "id": id, "doc": doc, "spans": spans });
            serde_json::to_writer(&mut self.out, &record).map_err(|e| io(e.into()))?;
            self.out.write_all(b"\n").map_err(io)?;
        }
        Ok(())
    }
}

impl<W: Write> RowWriter for JsonlWriter<W> {
    fn write(&mut self, row: &Row) -> Result<(), Error> {
        if self.pending.as_ref().is_some_and(|p| p.1 != row.doc) {
            self.flush_record()?;
        }
        let pending = self.pending.get_or_insert_with(|| {
            (
                row.id.as_deref().map(String::from),
                row.doc.to_string(),
                Vec::new(),
            )
        });
        let score = row.score.map(f64::from).or(row.similarity).unwrap_or(1.0);
        pending.2.push(serde_json::json!([
            row.start,
            row.end,
            row.kind.as_str(),
            score
        ]));
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.flush_record()?;
        self.out.flush().map_err(|e| Error::Report(e.into()))
    }
}
