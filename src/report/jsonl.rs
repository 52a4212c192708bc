//! The JSONL report: [`Row`]s in, one attribute record per flagged document out,
//! `{"id", "doc", "spans": [[start, end, kind, score], ...]}` (score: the furniture probability,
//! else the similarity, else 1). A document's rows arrive together, in order. The id keeps its
//! JSON type: a number in the corpus is a number here.

use super::{Row, RowWriter};
use crate::Error;
use std::io::Write;

/// Writes one JSON record per flagged document, as its rows arrive.
pub struct JsonlWriter<W: Write> {
    out: W,
    /// The document being gathered: its id, name and spans.
    pending: Option<(serde_json::Value, String, Vec<serde_json::Value>)>,
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

/// A record's id as JSON: a number when the corpus had a number there, else a string (or null).
pub fn typed_id(id: Option<&str>, number: bool) -> serde_json::Value {
    match id {
        None => serde_json::Value::Null,
        Some(id) if number => id
            .parse::<serde_json::Value>()
            .ok()
            .filter(serde_json::Value::is_number)
            .unwrap_or_else(|| id.into()),
        Some(id) => id.into(),
    }
}

impl<W: Write> RowWriter for JsonlWriter<W> {
    fn write(&mut self, row: &Row) -> Result<(), Error> {
        if self.pending.as_ref().is_some_and(|p| p.1 != row.doc) {
            self.flush_record()?;
        }
        let pending = self.pending.get_or_insert_with(|| {
            (
                typed_id(row.id.as_deref(), row.id_number),
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
