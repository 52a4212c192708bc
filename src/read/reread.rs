//! Reading documents again (for the near-duplicate verification and the report's previews):
//! the corpus's sources and documents in, the texts of the wanted documents out, handed to a
//! function as they are read, sources in parallel. A document that is no longer there, or no
//! longer the same length, is an error: the corpus changed during the scan.

use super::{parse_record, with_read_buffer, Format, LineCursor, Lossy, ReadOptions, Source};
use crate::model::Document;
use crate::Error;
use rayon::prelude::*;
use std::sync::Mutex;

/// Calls `f(doc, text, lossy)` for each of `docs` (sorted), reading every source they come from
/// once, sources in parallel; results in the order of `docs`. `lossy` maps a text decoded from
/// invalid UTF-8 back to its bytes. A document that is no longer there, or no longer the same
/// length, is an error: the corpus changed during the scan.
pub fn with_texts<T: Send>(
    sources: &[Source],
    documents: &[Document],
    read_options: &ReadOptions,
    docs: &[u32],
    f: impl Fn(u32, &str, Option<&Lossy>) -> T + Sync,
) -> Result<Vec<(u32, T)>, Error> {
    with_texts_resuming(sources, documents, read_options, docs, None, f)
}

/// Where [`with_texts_resuming`] takes up a shard: the cursor a previous call kept (used when it
/// is on the shard being read and before its first wanted line), and which shard's cursor to
/// keep for the next call.
#[derive(Clone, Copy)]
pub struct Resume<'a> {
    pub cursor: &'a Mutex<Option<(u32, LineCursor)>>,
    pub continues: Option<u32>,
}

/// [`with_texts`], reading a shard on from a cursor kept by the previous call when `resume` has
/// one for it.
pub fn with_texts_resuming<T: Send>(
    sources: &[Source],
    documents: &[Document],
    read_options: &ReadOptions,
    docs: &[u32],
    resume: Option<Resume>,
    f: impl Fn(u32, &str, Option<&Lossy>) -> T + Sync,
) -> Result<Vec<(u32, T)>, Error> {
    let groups: Vec<&[u32]> = docs
        .chunk_by(|a, b| documents[*a as usize].source == documents[*b as usize].source)
        .collect();
    // One source per task: sources differ in size, and rayon's default pieces leave a core
    // idle at the end while the other finishes its last piece.
    let results: Vec<Result<Vec<(u32, T)>, Error>> = groups
        .par_iter()
        .with_max_len(1)
        .map(|group| {
            let src = &sources[documents[group[0] as usize].source as usize];
            if src.format() == Format::Text {
                // One document, read into this worker's buffer (no copy).
                let d = group[0];
                let doc = &documents[d as usize];
                return with_read_buffer(usize::MAX, |buf| {
                    // Its length as first read: not asked again (a change is caught below).
                    let len = Some(doc.len as u64);
                    match super::read_text(src, read_options.max_doc_bytes, len, buf) {
                        Ok(t) if t.bytes == doc.len => {
                            Ok(vec![(d, f(d, &t.text, t.lossy.as_ref()))])
                        }
                        _ => Err(changed(src, doc)),
                    }
                });
            }
            if src.format() == Format::Parquet {
                return pick_parquet(src, documents, read_options, group, &f);
            }
            // A shard: its wanted lines are picked out by number (the others are not parsed),
            // then parsed and handed to `f` in parallel, a batch at a time. Parsing every record
            // on the thread that reads the shard left the other cores idle.
            let source = documents[group[0] as usize].source;
            let lines: Vec<u32> = group.iter().map(|&d| documents[d as usize].line).collect();
            // Taken only by its own shard: other shards of the run read in parallel with it.
            let kept = resume.and_then(|r| {
                let mut slot = r.cursor.lock().ok()?;
                let ours =
                    matches!(&*slot, Some((s, c)) if *s == source && c.lines_read() < lines[0]);
                ours.then(|| slot.take()).flatten()
            });
            let mut cursor = match kept {
                Some((_, cursor)) => cursor,
                None => LineCursor::open(src)?,
            };
            let mut out = Vec::with_capacity(group.len());
            let mut batch: Vec<(u32, Vec<u8>)> = Vec::new();
            let mut held = 0;
            let max = read_options.max_doc_bytes;
            let found = cursor.pick(src, max, &lines, |i, line| {
                batch.push((group[i], line.to_vec()));
                held += line.len();
                if held >= PICK_BATCH_BYTES {
                    out.extend(parse_records(src, documents, read_options, &mut batch, &f)?);
                    held = 0;
                }
                Ok(())
            })?;
            out.extend(parse_records(src, documents, read_options, &mut batch, &f)?);
            if let Some(r) = resume.filter(|r| r.continues == Some(source)) {
                if let Ok(mut slot) = r.cursor.lock() {
                    *slot = Some((source, cursor));
                }
            }
            match group.get(found) {
                Some(&d) => Err(changed(src, &documents[d as usize])),
                None => Ok(out),
            }
        })
        .collect();
    let mut all = Vec::with_capacity(docs.len());
    for r in results {
        all.extend(r?);
    }
    Ok(all)
}

/// The wanted rows of a Parquet file, read from the pages that hold them; `f` is called on them
/// in parallel, a batch at a time.
fn pick_parquet<T: Send>(
    src: &Source,
    documents: &[Document],
    read_options: &ReadOptions,
    group: &[u32],
    f: &(impl Fn(u32, &str, Option<&Lossy>) -> T + Sync),
) -> Result<Vec<(u32, T)>, Error> {
    let rows: Vec<u32> = group.iter().map(|&d| documents[d as usize].line).collect();
    let mut out = Vec::with_capacity(group.len());
    let mut batch: Vec<(u32, String)> = Vec::new();
    let mut held = 0;
    let mut found = vec![false; group.len()];
    let call = |batch: &mut Vec<(u32, String)>| {
        std::mem::take(batch)
            .into_par_iter()
            .with_max_len(1)
            .map(|(d, text)| {
                let doc = &documents[d as usize];
                match text.len() == doc.len {
                    true => Ok((d, f(d, &text, None))),
                    false => Err(changed(src, doc)),
                }
            })
            .collect::<Result<Vec<_>, Error>>()
    };
    super::parquet::pick_rows(src, read_options, &rows, |k, text| {
        found[k] = true;
        batch.push((group[k], text.to_string()));
        held += text.len();
        if held >= PICK_BATCH_BYTES {
            out.extend(call(&mut batch)?);
            held = 0;
        }
        Ok(())
    })?;
    out.extend(call(&mut batch)?);
    match found.iter().position(|&f| !f) {
        Some(k) => Err(changed(src, &documents[group[k] as usize])),
        None => Ok(out),
    }
}

/// Raw JSONL lines held at once by [`with_texts`] before they are parsed.
const PICK_BATCH_BYTES: usize = 32 << 20;

/// Parses the `(document, line)`s of `batch` (emptied) in parallel and calls `f` on each text.
fn parse_records<T: Send>(
    src: &Source,
    documents: &[Document],
    read_options: &ReadOptions,
    batch: &mut Vec<(u32, Vec<u8>)>,
    f: &(impl Fn(u32, &str, Option<&Lossy>) -> T + Sync),
) -> Result<Vec<(u32, T)>, Error> {
    std::mem::take(batch)
        .into_par_iter()
        .with_max_len(1)
        .map(|(d, line)| {
            let doc = &documents[d as usize];
            match parse_record(&line, &read_options.fields) {
                Ok(r) if r.text.len() == doc.len => Ok((d, f(d, &r.text, None))),
                _ => Err(changed(src, doc)),
            }
        })
        .collect()
}

fn changed(src: &Source, doc: &Document) -> Error {
    Error::Input {
        path: src.path.clone(),
        message: format!("{} changed during the scan", doc.name),
    }
}
