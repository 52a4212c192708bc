//! `dedup spans`, stage 3 of the staged pipeline: a shard and the tables of `dedup cluster` in,
//! the shard's report rows out, the same rows `scan` writes for that shard's documents.
//!
//! The shard is read and fingerprinted again (the prints are not stored between stages: they are
//! cheaper to recompute than to ship), checked against its `docs` rows, and given the global
//! verdicts: its rows of `dup_docs` and the whole `boilerplate` table.

use super::schema;
use super::sign::shard_key;
use super::{expect_params, shard_file, split_doc_id, tables};
use crate::model::Document;
use crate::pipeline::{emit_spans, fingerprint_corpus, DuplicateOf, Progress, Sink, Totals};
use crate::read::{Notice, Skipped};
use crate::{Error, Options};
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

/// What writing the spans gave.
#[derive(Debug, Default)]
pub struct SpansStats {
    pub documents: usize,
    pub totals: Totals,
    pub skipped: Vec<Skipped>,
    pub notices: Vec<Notice>,
}

/// Writes to `sink` the report rows of each of `shards`, using the tables in `dir`. A shard is
/// found in the `shards` table by its path as given to `sign`, or is shard `first_id + k`.
pub fn spans(
    shards: &[PathBuf],
    first_id: Option<u32>,
    dir: &Path,
    o: &Options,
    progress: Progress,
    sink: Sink,
) -> Result<SpansStats, Error> {
    let o = &Options {
        doc: crate::doc::DocConfig {
            sketches: false,
            ..o.doc
        },
        ..o.clone()
    };
    expect_params(dir, o)?;
    let pool = crate::pipeline::thread_pool(o)?;

    let mut ids_by_key: FxHashMap<String, u32> = FxHashMap::default();
    tables::for_each_batch_in(
        &dir.join(schema::SHARDS.dir),
        &[schema::SHARD_ID, schema::SHARD],
        |b| {
            let (id, key) = (b.i32(schema::SHARD_ID)?, b.str(schema::SHARD)?);
            for i in 0..b.len() {
                ids_by_key.insert(key.value(i).to_string(), id.value(i) as u32);
            }
            Ok(())
        },
    )?;
    let mut frequent: FxHashMap<u64, u32> = FxHashMap::default();
    tables::for_each_batch_in(
        &dir.join(schema::BOILERPLATE.dir),
        &[schema::PARA_HASH, schema::N_DOCS],
        |b| {
            let (key, n) = (b.i64(schema::PARA_HASH)?, b.i64(schema::N_DOCS)?);
            for i in 0..b.len() {
                frequent.insert(key.value(i) as u64, n.value(i) as u32);
            }
            Ok(())
        },
    )?;

    let mut stats = SpansStats::default();
    for (k, shard) in super::sign::in_corpus_order(shards).into_iter().enumerate() {
        let id = match first_id {
            Some(first) => first + k as u32,
            None => *ids_by_key.get(&shard_key(shard)).ok_or_else(|| Error::Input {
                path: shard.clone(),
                message: format!(
                    "not in {}: give the shard's path as it was given to `dedup sign`, or --shard-id",
                    dir.join(schema::SHARDS.dir).display()
                ),
            })?,
        };
        let corpus =
            pool.install(|| fingerprint_corpus(std::slice::from_ref(shard), o, progress))?;
        check_docs(dir, id, shard, &corpus.documents)?;
        let mut documents = corpus.documents.clone();
        let duplicates = read_duplicates(dir, id, &mut documents)?;
        let totals =
            pool.install(|| emit_spans(&corpus, &documents, &duplicates, &frequent, o, sink))?;
        stats.documents += corpus.documents.len();
        stats.totals.rows += totals.rows;
        for (sum, t) in stats.totals.per_kind.iter_mut().zip(totals.per_kind) {
            sum.0 += t.0;
            sum.1 += t.1;
        }
        stats.skipped.extend(corpus.skipped);
        stats.notices.extend(corpus.notices);
    }
    Ok(stats)
}

/// Checks that the shard still holds the documents `sign` saw: same number, lines and lengths.
fn check_docs(dir: &Path, id: u32, shard: &Path, documents: &[Document]) -> Result<(), Error> {
    let path = shard_file(dir, schema::DOCS.dir, id);
    let mut seen = 0usize;
    let mut mismatch = None;
    tables::for_each_batch(&path, &[schema::LINE, schema::LEN], |b| {
        let (line, len) = (b.i64(schema::LINE)?, b.i64(schema::LEN)?);
        for i in 0..b.len() {
            let ok = documents
                .get(seen)
                .is_some_and(|d| d.line as i64 == line.value(i) && d.len as i64 == len.value(i));
            if !ok && mismatch.is_none() {
                mismatch = Some(seen);
            }
            seen += 1;
        }
        Ok(())
    })?;
    if seen != documents.len() || mismatch.is_some() {
        return Err(Error::Input {
            path: shard.to_path_buf(),
            message: format!(
                "is not the shard signed as shard {id} ({} documents now, {seen} signed; first difference at document {}): sign it again",
                documents.len(),
                mismatch.unwrap_or(seen.min(documents.len()))
            ),
        });
    }
    Ok(())
}

/// The verdicts of the shard's documents from `dup_docs`; kept copies in other shards are
/// appended to `documents` so that the report can name them.
fn read_duplicates(
    dir: &Path,
    id: u32,
    documents: &mut Vec<Document>,
) -> Result<Vec<Option<DuplicateOf>>, Error> {
    let local = documents.len();
    let mut out = vec![None; local];
    let partition = dir
        .join(schema::DUP_DOCS.dir)
        .join(format!("shard_id={id}"));
    if !partition.is_dir() {
        if !dir.join(schema::DUP_DOCS.dir).is_dir() {
            return Err(Error::Input {
                path: dir.join(schema::DUP_DOCS.dir),
                message: "no such table folder (did `dedup cluster` run?)".into(),
            });
        }
        return Ok(out);
    }
    let mut external: FxHashMap<i64, u32> = FxHashMap::default();
    let columns = [
        schema::DOC_ID,
        schema::CLUSTER,
        schema::KEPT_DOC_ID,
        schema::KEPT_NAME,
        schema::KEPT_ID,
        schema::KEPT_LEN,
        schema::KEPT_CHARS,
        schema::SIMILARITY,
        schema::EXACT,
    ];
    tables::for_each_batch_in(&partition, &columns, |b| {
        let (doc, cluster, kept) = (
            b.i64(schema::DOC_ID)?,
            b.i64(schema::CLUSTER)?,
            b.i64(schema::KEPT_DOC_ID)?,
        );
        let (name, kid, len, chars) = (
            b.str(schema::KEPT_NAME)?,
            b.str(schema::KEPT_ID)?,
            b.i64(schema::KEPT_LEN)?,
            b.i64(schema::KEPT_CHARS)?,
        );
        let (similarity, exact) = (b.f64(schema::SIMILARITY)?, b.bool(schema::EXACT)?);
        for i in 0..b.len() {
            let (shard, record) = split_doc_id(doc.value(i));
            if shard != id || record as usize >= local {
                return Err(Error::Input {
                    path: b.path.to_path_buf(),
                    message: format!("doc_id {} is not in shard {id}", doc.value(i)),
                });
            }
            let (kept_shard, kept_record) = split_doc_id(kept.value(i));
            let kept_index = if kept_shard == id {
                kept_record
            } else {
                *external.entry(kept.value(i)).or_insert_with(|| {
                    documents.push(Document {
                        name: name.value(i).to_string(),
                        id: (!arrow_array::Array::is_null(kid, i))
                            .then(|| kid.value(i).to_string()),
                        // The tables keep ids as text: a kept copy's id is not in typed reports.
                        id_number: false,
                        lang: 0,
                        source: u32::MAX,
                        line: 0,
                        len: len.value(i) as usize,
                        chars: chars.value(i) as usize,
                    });
                    (documents.len() - 1) as u32
                })
            };
            out[record as usize] = Some(DuplicateOf {
                cluster: cluster.value(i) as u32,
                kept: kept_index,
                kept_len: len.value(i) as usize,
                similarity: similarity.value(i),
                exact: exact.value(i),
            });
        }
        Ok(())
    })?;
    Ok(out)
}
