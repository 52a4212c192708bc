//! `dedup sign`, stage 1 of the staged pipeline: shards in, the `bands`, `paras`, `docs` and
//! `shards` Parquet tables of each shard out (see [`super`]). Runs per shard, with no
//! communication: the same reading, segmentation and fingerprinting as `scan`.

use super::schema;
use super::{doc_id, record_params, shard_file, tables};
use crate::detect::boilerplate::vote_keys;
use crate::pipeline::{fingerprint_corpus, Corpus, Progress};
use crate::read::{Notice, Skipped};
use crate::{Error, Options};
use arrow_array::builder::{Int32Builder, ListBuilder};
use arrow_array::{ArrayRef, Int32Array, Int64Array, StringArray};
use rayon::slice::ParallelSliceMut;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What signing gave, for the summary and the exit status.
#[derive(Debug, Default)]
pub struct SignStats {
    pub shards: usize,
    pub documents: usize,
    pub bytes: u64,
    pub band_rows: usize,
    pub para_rows: usize,
    pub skipped: Vec<Skipped>,
    pub notices: Vec<Notice>,
}

/// Signs each of `shards` (a JSONL shard, a text file, or a folder of them) as shard
/// `first_id`, `first_id + 1`, … and writes its tables under `out`.
pub fn sign(
    shards: &[PathBuf],
    first_id: u32,
    out: &Path,
    o: &Options,
    progress: Progress,
) -> Result<SignStats, Error> {
    // The documents table keeps every document's code points, whatever report follows.
    let o = &Options {
        doc: crate::doc::DocConfig {
            sketches: true,
            ..o.doc
        },
        code_points: true,
        ..o.clone()
    };
    record_params(out, o)?;
    let pool = crate::pipeline::thread_pool(o)?;
    let mut stats = SignStats::default();
    for (k, shard) in in_corpus_order(shards).into_iter().enumerate() {
        let id = first_id
            .checked_add(k as u32)
            .filter(|&id| id <= i32::MAX as u32)
            .ok_or_else(|| Error::Usage("--shard-id must stay below 2^31".into()))?;
        check_id_free(out, id, shard)?;
        let corpus =
            pool.install(|| fingerprint_corpus(std::slice::from_ref(shard), o, progress))?;
        if corpus.documents.len() > u32::MAX as usize {
            return Err(Error::Input {
                path: shard.clone(),
                message: "more than 2^32 documents in one shard: split it".into(),
            });
        }
        let (bands, paras) = pool.install(|| write_shard(out, id, shard, &corpus))?;
        stats.shards += 1;
        stats.documents += corpus.documents.len();
        stats.bytes += corpus.bytes_read;
        stats.band_rows += bands;
        stats.para_rows += paras;
        stats.skipped.extend(corpus.skipped);
        stats.notices.extend(corpus.notices);
    }
    Ok(stats)
}

/// The shards in the order `scan` gives their documents ([`crate::read::input_key`]): shard ids
/// are handed out in this order, so the staged report equals `scan`'s.
pub fn in_corpus_order(shards: &[PathBuf]) -> Vec<&PathBuf> {
    let mut order: Vec<&PathBuf> = shards.iter().collect();
    order.sort_by_cached_key(|p| crate::read::input_key(p));
    order
}

/// Writes the four tables of one shard; returns the numbers of band and para rows.
fn write_shard(
    out: &Path,
    id: u32,
    shard: &Path,
    corpus: &Corpus,
) -> Result<(usize, usize), Error> {
    let ids: Vec<i64> = (0..corpus.documents.len() as u32)
        .map(|i| doc_id(id, i))
        .collect();
    let prints = &corpus.prints;

    // bands: one row per band of every document with words.
    let (mut b_doc, mut b_band, mut b_hash) = (Vec::new(), Vec::new(), Vec::new());
    for (p, &d) in prints.iter().zip(&ids) {
        for (band, &key) in p.bands.iter().flat_map(|b| b.iter()).enumerate() {
            b_doc.push(d);
            b_band.push(band as i32);
            b_hash.push(key as i64);
        }
    }
    let band_rows = b_doc.len();
    tables::write(
        &shard_file(out, schema::BANDS.dir, id),
        vec![
            (
                schema::DOC_ID,
                Arc::new(Int64Array::from(b_doc)) as ArrayRef,
            ),
            (schema::BAND, Arc::new(Int32Array::from(b_band))),
            (schema::BAND_HASH, Arc::new(Int64Array::from(b_hash))),
        ],
        tables::NARROW,
    )?;

    // paras: every distinct key a document votes for, the file sorted by key (as stored, i64) so
    // that each row group covers a narrow range of keys (see `cluster::count_keys`).
    let mut rows: Vec<(i64, i64)> = Vec::new();
    let mut keys = Vec::new();
    for (p, &d) in prints.iter().zip(&ids) {
        keys.clear();
        keys.extend(vote_keys(p));
        keys.sort_unstable();
        keys.dedup();
        rows.extend(keys.iter().map(|&k| (k as i64, d)));
    }
    rows.par_sort_unstable();
    let (p_hash, p_doc): (Vec<i64>, Vec<i64>) = rows.into_iter().unzip();
    let para_rows = p_hash.len();
    tables::write(
        &shard_file(out, schema::PARAS.dir, id),
        vec![
            (
                schema::PARA_HASH,
                Arc::new(Int64Array::from(p_hash)) as ArrayRef,
            ),
            (schema::DOC_ID, Arc::new(Int64Array::from(p_doc))),
        ],
        tables::KEYED,
    )?;

    // docs: one row per document.
    let docs = &corpus.documents;
    let mut sketch = ListBuilder::new(Int32Builder::new());
    for p in prints {
        if let Some(s) = &p.sketch {
            sketch.values().extend(s.iter().map(|&v| Some(v as i32)));
        }
        sketch.append(true);
    }
    tables::write(
        &shard_file(out, schema::DOCS.dir, id),
        vec![
            (
                schema::DOC_ID,
                Arc::new(Int64Array::from(ids.clone())) as ArrayRef,
            ),
            (
                schema::LINE,
                Arc::new(Int64Array::from_iter_values(
                    docs.iter().map(|d| d.line as i64),
                )),
            ),
            (
                schema::NAME,
                Arc::new(StringArray::from_iter_values(docs.iter().map(|d| &d.name))),
            ),
            (
                schema::ID,
                Arc::new(StringArray::from_iter(docs.iter().map(|d| d.id.as_deref()))),
            ),
            (
                schema::LEN,
                Arc::new(Int64Array::from_iter_values(
                    docs.iter().map(|d| d.len as i64),
                )),
            ),
            (
                schema::CHARS,
                Arc::new(Int64Array::from_iter_values(
                    docs.iter().map(|d| d.chars as i64),
                )),
            ),
            (
                schema::CONTENT_KEY,
                Arc::new(Int64Array::from_iter(
                    prints.iter().map(|p| p.content_key.map(|k| k as i64)),
                )),
            ),
            (schema::SKETCH, Arc::new(sketch.finish())),
        ],
        tables::WIDE,
    )?;

    // shards: this shard's row.
    tables::write(
        &shard_file(out, schema::SHARDS.dir, id),
        vec![
            (
                schema::SHARD_ID,
                Arc::new(Int32Array::from(vec![id as i32])) as ArrayRef,
            ),
            (
                schema::SHARD,
                Arc::new(StringArray::from(vec![shard_key(shard)])),
            ),
            (
                schema::DOCUMENTS,
                Arc::new(Int64Array::from(vec![docs.len() as i64])),
            ),
            (
                schema::BYTES,
                Arc::new(Int64Array::from(vec![corpus.bytes_read as i64])),
            ),
            (
                schema::SKIPPED,
                Arc::new(Int64Array::from(vec![corpus.skipped.len() as i64])),
            ),
        ],
        tables::NARROW,
    )?;
    Ok((band_rows, para_rows))
}

/// Refuses to give shard id `id` to `shard` when another shard was signed under it in `out`
/// (which would silently replace that shard's tables).
fn check_id_free(out: &Path, id: u32, shard: &Path) -> Result<(), Error> {
    let path = shard_file(out, schema::SHARDS.dir, id);
    if !path.exists() {
        return Ok(());
    }
    let mut other = None;
    tables::for_each_batch(&path, &[schema::SHARD], |b| {
        let key = b.str(schema::SHARD)?;
        if !b.is_empty() {
            other = Some(key.value(0).to_string());
        }
        Ok(())
    })?;
    match other {
        Some(other) if other != shard_key(shard) => Err(Error::Input {
            path: shard.to_path_buf(),
            message: format!("shard id {id} is already signed in {} as {other}: give each shard its own --shard-id", out.display()),
        }),
        _ => Ok(()),
    }
}

/// How a shard is named in the `shards` table, and looked up by `spans`: its path as given,
/// without trailing slashes.
pub fn shard_key(path: &Path) -> String {
    let s = path.to_string_lossy();
    let trimmed = s.trim_end_matches('/');
    if trimmed.is_empty() { "/" } else { trimmed }.to_string()
}
