//! The Dolma attribute layout: the report's rows (with their code-point offsets) and the
//! corpus's documents in; per documents file, one attribute file out, which Dolma's mixer
//! (`dolma mix`) reads beside it.
//!
//! A documents file must lie under a folder named `documents`; its attributes go to the same
//! relative path under `attributes/NAME/` beside that folder, with the same compression. The
//! attribute file has one line per line of the documents file, in order, flagged or not:
//! `{"id": ..., "attributes": {"NAME__boilerplate": [[start, end, score], ...], ...}}`, with the
//! keys `NAME__repeated_paragraph`, `NAME__boilerplate` (the spans to cut, score = the
//! furniture probability or the similarity or 1), `NAME__near_duplicate` and
//! `NAME__exact_duplicate` (`[[0, length, similarity]]` on a document dropped whole). Offsets
//! are code points, as Dolma counts them. A line the scan skipped (not a record) gets an empty
//! `attributes` object (and its own `id` when it is JSON with one). The `id` is the record's
//! top-level `id`, which Dolma compares line by line. Each file is written beside its name and
//! renamed into place.

use super::compressed::Encoder;
use super::jsonl::typed_id;
use super::SpanText;
use crate::model::{Document, Kind, Span};
use crate::read::{Compression, Format, Skipped, Source};
use crate::Error;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The spans of the scan, gathered as they stream past, to be written per documents file.
pub struct DolmaOut {
    name: String,
    /// Per document (by index): (kind, start, end, score) in code points.
    spans: HashMap<u32, Vec<(Kind, usize, usize, f64)>>,
}

impl DolmaOut {
    /// Attributes named `name` (letters, digits, `_` and `-`, as Dolma's attribute names).
    pub fn new(name: &str) -> Result<Self, Error> {
        let ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(Error::Usage(format!(
                "--attributes '{name}': use letters, digits, '_' and '-'"
            )));
        }
        Ok(DolmaOut {
            name: name.to_string(),
            spans: HashMap::new(),
        })
    }

    /// Takes a run of the report's spans (with their texts, for the code-point offsets).
    pub fn add(&mut self, spans: &[Span], texts: &[SpanText]) {
        for (s, t) in spans.iter().zip(texts) {
            let score = s.reason.score().map(f64::from).or(s.similarity);
            self.spans.entry(s.doc).or_default().push((
                s.kind,
                t.chars[0],
                t.chars[1],
                score.unwrap_or(1.0),
            ));
        }
    }

    /// Writes the attribute file of every documents file of the scan; returns their paths.
    pub fn finish(
        self,
        sources: &[Source],
        documents: &[Document],
        skipped: &[Skipped],
    ) -> Result<Vec<PathBuf>, Error> {
        let mut by_source: Vec<Vec<u32>> = vec![Vec::new(); sources.len()];
        for (d, doc) in documents.iter().enumerate() {
            by_source[doc.source as usize].push(d as u32);
        }
        check_sources(sources, &self.name)?;
        let mut written = Vec::new();
        for (src, docs) in sources.iter().zip(&by_source) {
            let target = attributes_path(&src.path, &self.name)?;
            // Lines the scan passed over still get their line, so that the files stay aligned,
            // with the record's own id where the line is JSON with one (Dolma checks it).
            let skipped_lines: Vec<u32> = skipped
                .iter()
                .filter(|s| s.path == src.path && s.line > 0)
                .map(|s| s.line)
                .collect();
            let last_skip = skipped_lines.iter().copied().max().unwrap_or(0);
            let skipped_ids = ids_of_lines(src, &skipped_lines)?;
            self.write_file(
                &target,
                src.compression(),
                documents,
                docs,
                last_skip,
                &skipped_ids,
            )?;
            written.push(target);
        }
        Ok(written)
    }

    fn write_file(
        &self,
        target: &Path,
        compression: Compression,
        documents: &[Document],
        docs: &[u32],
        last_skip: u32,
        skipped_ids: &HashMap<u32, serde_json::Value>,
    ) -> Result<(), Error> {
        let dir = target.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(target, e))?;
        let io = |e| Error::io(target, e);
        let file = tmp.reopen().map_err(io)?;
        let mut out = Encoder::new(std::io::BufWriter::new(file), compression).map_err(io)?;
        let mut line = 0u32;
        let placeholder = |out: &mut Encoder<_>, line: u32| {
            let id = skipped_ids.get(&line).cloned().unwrap_or_default();
            let record = serde_json::json!({"id": id, "attributes": {}});
            serde_json::to_writer(&mut *out, &record)?;
            out.write_all(b"\n")
        };
        for &d in docs {
            let doc = &documents[d as usize];
            while line + 1 < doc.line {
                line += 1;
                placeholder(&mut out, line).map_err(io)?;
            }
            let record = serde_json::json!({
                "id": typed_id(doc.id.as_deref(), doc.id_number),
                "attributes": self.attributes(d),
            });
            serde_json::to_writer(&mut out, &record).map_err(|e| io(e.into()))?;
            out.write_all(b"\n").map_err(io)?;
            line = doc.line;
        }
        while line < last_skip {
            line += 1;
            placeholder(&mut out, line).map_err(io)?;
        }
        out.finish().map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::Permissions::from_mode(0o644);
            std::fs::set_permissions(tmp.path(), mode).map_err(io)?;
        }
        tmp.persist(target).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// The attributes of document `d`: one key per kind it has spans of.
    fn attributes(&self, d: u32) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        for &(kind, start, end, score) in self.spans.get(&d).map_or(&[][..], |v| v) {
            let key = format!("{}__{}", self.name, kind.as_str());
            if let serde_json::Value::Array(list) = map
                .entry(key)
                .or_insert_with(|| serde_json::Value::Array(Vec::new()))
            {
                list.push(serde_json::json!([start, end, score]));
            }
        }
        map
    }
}

/// The top-level `id` of the given lines of a documents file (those that are JSON with one).
fn ids_of_lines(src: &Source, lines: &[u32]) -> Result<HashMap<u32, serde_json::Value>, Error> {
    let mut ids = HashMap::new();
    if lines.is_empty() {
        return Ok(ids);
    }
    let wanted: std::collections::HashSet<u32> = lines.iter().copied().collect();
    crate::read::for_each_line(src, |line, bytes| {
        if wanted.contains(&line) {
            if let Ok(serde_json::Value::Object(mut record)) = serde_json::from_slice(bytes) {
                if let Some(id) = record.remove("id") {
                    ids.insert(line, id);
                }
            }
        }
        Ok(())
    })?;
    Ok(ids)
}

/// Where the attributes of the documents file at `path` go: `documents/` (its last such
/// component) replaced by `attributes/NAME/`.
pub fn attributes_path(path: &Path, name: &str) -> Result<PathBuf, Error> {
    let (root, rel) = split_at_documents(path)?;
    Ok(root.join("attributes").join(name).join(rel))
}

/// A documents file's path cut at its last `documents` folder: what is above it and the path
/// below it (where its attribute file sits below `attributes/NAME`).
pub fn split_at_documents(path: &Path) -> Result<(PathBuf, PathBuf), Error> {
    let parts: Vec<Component> = path.components().collect();
    let at = parts
        .iter()
        .rposition(|c| c.as_os_str() == "documents")
        .filter(|&i| i + 1 < parts.len())
        .ok_or_else(|| Error::Input {
            path: path.into(),
            message: "Dolma attributes need the documents under a folder named 'documents'".into(),
        })?;
    Ok((
        parts[..at].iter().collect(),
        parts[at + 1..].iter().collect(),
    ))
}

/// Whether every source can have Dolma attributes (a JSONL file under a `documents` folder):
/// checked before a scan, so that it is refused before it runs, not after.
pub fn check_sources(sources: &[Source], name: &str) -> Result<(), Error> {
    for src in sources {
        attributes_path(&src.path, name)?;
        if src.format() != Format::Jsonl {
            return Err(Error::Input {
                path: src.path.clone(),
                message: "Dolma attributes are for JSONL documents files".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_sit_beside_the_documents_folder() {
        let p = attributes_path(Path::new("/c/documents/cc/part-0.jsonl.gz"), "dd").unwrap();
        assert_eq!(p, Path::new("/c/attributes/dd/cc/part-0.jsonl.gz"));
        let p = attributes_path(Path::new("documents/documents/a.jsonl"), "x").unwrap();
        assert_eq!(p, Path::new("documents/attributes/x/a.jsonl"));
        assert!(attributes_path(Path::new("/c/docs/a.jsonl"), "x").is_err());
        assert!(attributes_path(Path::new("/c/documents"), "x").is_err());
    }

    #[test]
    fn names_are_checked() {
        assert!(DolmaOut::new("dedup_v1").is_ok());
        assert!(DolmaOut::new("a b").is_err());
        assert!(DolmaOut::new("").is_err());
    }
}
