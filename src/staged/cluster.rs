//! `dedup cluster`, stage 2 of the staged pipeline (the only global one): the tables `sign` wrote
//! in, `dup_docs` (one row per document that is a non-kept member of a near-duplicate cluster,
//! partitioned by shard) and `boilerplate` (the corpus-wide document count of every paragraph
//! and template key counted in enough documents) out.
//!
//! The steps are `scan`'s, on the tables instead of in memory: band buckets give candidate pairs
//! ([`crate::detect::lsh::pairs_of_records`]), the `docs` sketches verify them, union-find makes the
//! clusters and keeps the smallest doc_id ([`crate::detect::near_dup::clusters`]), and the
//! `(para_hash, doc_id)` rows are counted once per cluster.

use super::key_counts::count_keys;
use super::schema;
use super::tables::{self, Rows};
use super::{expect_params, split_doc_id};
use crate::detect::lsh::{band_record, BandRecord};
use crate::detect::near_dup::{self, Cluster};
use crate::pipeline::representatives;
use crate::{Error, Options};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Documents with their verification sketches.
type Sketches = Vec<(u32, Vec<u32>)>;

/// What the global step found, for the summary.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ClusterStats {
    pub documents: usize,
    pub band_rows: usize,
    pub candidate_pairs: usize,
    pub verified_pairs: usize,
    pub clusters: usize,
    pub duplicates: usize,
    pub para_rows: u64,
    pub boilerplate_keys: usize,
    /// Wall seconds of each step, in order.
    pub seconds: Vec<(&'static str, f64)>,
}

/// The documents of the tables, sorted by doc_id (index = position in corpus order).
struct Docs {
    ids: Vec<i64>,
    content_keys: Vec<Option<u64>>,
    lens: Vec<usize>,
    chars: Vec<usize>,
    /// Index of the first document of each shard (documents of a shard are contiguous).
    shard_start: FxHashMap<u32, u32>,
    /// The files of `docs/`, and where each document's row is: (file, row in that file).
    files: Vec<PathBuf>,
    rows: Vec<(u32, u32)>,
}

impl Docs {
    /// The index of `doc_id`, or an error naming the table that referred to an unknown one.
    fn index(&self, id: i64, table: &Path) -> Result<u32, Error> {
        let (shard, record) = split_doc_id(id);
        match self.shard_start.get(&shard) {
            Some(&first) if self.ids.get((first + record) as usize) == Some(&id) => {
                Ok(first + record)
            }
            _ => Err(Error::Input {
                path: table.to_path_buf(),
                message: format!("doc_id {id} is not in the docs table"),
            }),
        }
    }
}

/// Runs the global step on the tables in `dir` and writes its two tables there.
pub fn cluster(dir: &Path, o: &Options) -> Result<ClusterStats, Error> {
    expect_params(dir, o)?;
    let pool = crate::pipeline::thread_pool(o)?;
    pool.install(|| cluster_in_pool(dir, o))
}

fn cluster_in_pool(dir: &Path, o: &Options) -> Result<ClusterStats, Error> {
    let mut seconds = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        seconds.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let docs = read_docs(&dir.join(schema::DOCS.dir))?;
    lap("docs");
    let n = docs.ids.len();

    // Candidate pairs from the band buckets.
    let bands_dir = dir.join(schema::BANDS.dir);
    // Read in parallel, a file per task, each into its own slice of one vector.
    let files = tables::files(&bands_dir)?;
    let rows: Vec<usize> = files
        .iter()
        .map(|f| tables::file_rows(f).map(|n| n as usize))
        .collect::<Result<_, _>>()?;
    let mut records: Vec<BandRecord> = vec![(0, 0); rows.iter().sum()];
    let mut slices = Vec::with_capacity(files.len());
    let mut rest = records.as_mut_slice();
    for &n in &rows {
        let (head, tail) = rest.split_at_mut(n);
        slices.push(head);
        rest = tail;
    }
    files.par_iter().zip(slices).try_for_each(|(path, slice)| {
        let mut at = 0;
        tables::for_each_batch(
            path,
            &[schema::DOC_ID, schema::BAND, schema::BAND_HASH],
            |b| {
                let (doc, band, hash) = (
                    b.i64(schema::DOC_ID)?,
                    b.i32(schema::BAND)?,
                    b.i64(schema::BAND_HASH)?,
                );
                for i in 0..b.len() {
                    let d = docs.index(doc.value(i), b.path)?;
                    slice[at] = band_record(band.value(i) as u32, hash.value(i) as u64, d);
                    at += 1;
                }
                Ok(())
            },
        )
    })?;
    let band_rows = records.len();
    let candidates = crate::detect::lsh::pairs_of_records(records);
    lap("buckets");

    // Verification on the sketches of the documents asked for, read from `docs`.
    let sketches = |wanted: &[u32]| -> Result<Vec<(u32, Vec<u32>)>, Error> {
        // Per file, the rows wanted (ascending): only the pages holding them are decoded.
        let mut per_file: Vec<Vec<(u32, u32)>> = vec![Vec::new(); docs.files.len()];
        for &d in wanted {
            let (file, row) = docs.rows[d as usize];
            per_file[file as usize].push((row, d));
        }
        let read: Vec<Result<Sketches, Error>> = per_file
            .into_par_iter()
            .enumerate()
            .filter(|(_, want)| !want.is_empty())
            .map(|(file, mut want)| {
                want.sort_unstable();
                let path = &docs.files[file];
                let rows: Vec<u32> = want.iter().map(|&(row, _)| row).collect();
                let mut out = Vec::with_capacity(want.len());
                let columns = [schema::DOC_ID, schema::SKETCH];
                tables::for_each_batch_of(path, &columns, Rows::Selected(&rows), |b| {
                    let (ids, sketch) = (b.i64(schema::DOC_ID)?, b.list(schema::SKETCH)?);
                    for i in 0..b.len() {
                        let d = want.get(out.len()).map(|&(_, d)| d);
                        if d.map(|d| docs.ids[d as usize]) != Some(ids.value(i)) {
                            return Err(Error::Input {
                                path: b.path.to_path_buf(),
                                message: "a row of docs/ changed while cluster read it".into(),
                            });
                        }
                        let values =
                            tables::list_values(sketch, i).ok_or_else(|| Error::Input {
                                path: b.path.to_path_buf(),
                                message: "column 'sketch' is not a list of int32".into(),
                            })?;
                        out.push((d.unwrap_or_default(), values));
                    }
                    Ok(())
                })?;
                Ok(out)
            })
            .collect();
        let mut out = Vec::with_capacity(wanted.len());
        for file in read {
            out.extend(file?);
        }
        out.sort_unstable_by_key(|&(d, _)| d);
        Ok(out)
    };
    let (clusters, _edges, stats) =
        near_dup::clusters(&docs.content_keys, &candidates, o.threshold, sketches)?;

    lap("verify+components");
    write_dup_docs(dir, &docs, &clusters)?;
    lap("dup_docs");

    // Paragraph and template keys, one vote per cluster.
    let duplicates = crate::pipeline::duplicates_of(&clusters, &docs.lens);
    let representative = representatives(&duplicates);
    let paras_dir = dir.join(schema::PARAS.dir);
    let para_rows = tables::row_count(&paras_dir)?;
    let counts = count_keys(
        &paras_dir,
        |id| docs.index(id, &paras_dir),
        &representative,
        o.spans.min_docs.count,
    )?;
    let boilerplate_keys = counts.len();
    lap("paras");
    let out = dir.join(schema::BOILERPLATE.dir);
    remove_dir(&out)?;
    let (keys, n_docs): (Vec<i64>, Vec<i64>) = counts
        .into_iter()
        .map(|(k, c)| (k as i64, c as i64))
        .unzip();
    tables::write(
        &out.join("part-0.parquet"),
        vec![
            (
                schema::PARA_HASH,
                Arc::new(Int64Array::from(keys)) as ArrayRef,
            ),
            (schema::N_DOCS, Arc::new(Int64Array::from(n_docs))),
        ],
        tables::NARROW,
    )?;

    Ok(ClusterStats {
        documents: n,
        band_rows,
        candidate_pairs: stats.candidate_pairs,
        verified_pairs: stats.verified_pairs,
        clusters: clusters.len(),
        duplicates: clusters.iter().map(|c| c.members.len()).sum(),
        para_rows,
        boilerplate_keys,
        seconds,
    })
}

fn read_docs(dir: &Path) -> Result<Docs, Error> {
    type Row = (i64, Option<u64>, usize, usize, (u32, u32));
    let mut rows: Vec<Row> = Vec::new();
    let files = tables::files(dir)?;
    for (file, path) in files.iter().enumerate() {
        let mut row = 0u32;
        let columns = [
            schema::DOC_ID,
            schema::CONTENT_KEY,
            schema::LEN,
            schema::CHARS,
        ];
        tables::for_each_batch(path, &columns, |b| {
            let (id, key, len, chars) = (
                b.i64(schema::DOC_ID)?,
                b.i64(schema::CONTENT_KEY)?,
                b.i64(schema::LEN)?,
                b.i64(schema::CHARS)?,
            );
            for i in 0..b.len() {
                let key = (!arrow_array::Array::is_null(key, i)).then(|| key.value(i) as u64);
                rows.push((
                    id.value(i),
                    key,
                    len.value(i) as usize,
                    chars.value(i) as usize,
                    (file as u32, row),
                ));
                row += 1;
            }
            Ok(())
        })?;
    }
    rows.par_sort_unstable_by_key(|r| r.0);
    if rows.len() > u32::MAX as usize {
        return Err(Error::Input {
            path: dir.to_path_buf(),
            message: "more than 2^32 documents: more than one machine's global step".into(),
        });
    }
    let mut shard_start = FxHashMap::default();
    for (i, r) in rows.iter().enumerate() {
        let (shard, record) = split_doc_id(r.0);
        let first = *shard_start.entry(shard).or_insert(i as u32);
        if i as u32 - first != record {
            return Err(Error::Input {
                path: dir.to_path_buf(),
                message: format!(
                    "doc_id {} out of place: the documents of shard {shard} must be numbered 0, 1, … (was a shard id given to two shards?)",
                    r.0
                ),
            });
        }
    }
    Ok(Docs {
        ids: rows.iter().map(|r| r.0).collect(),
        content_keys: rows.iter().map(|r| r.1).collect(),
        lens: rows.iter().map(|r| r.2).collect(),
        chars: rows.iter().map(|r| r.3).collect(),
        shard_start,
        files,
        rows: rows.iter().map(|r| r.4).collect(),
    })
}

fn remove_dir(dir: &Path) -> Result<(), Error> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(dir, e)),
        _ => Ok(()),
    }
}

/// Writes `dup_docs/shard_id=<shard>/part-0.parquet`, one row per non-kept cluster member.
fn write_dup_docs(dir: &Path, docs: &Docs, clusters: &[Cluster]) -> Result<(), Error> {
    let out = dir.join(schema::DUP_DOCS.dir);
    remove_dir(&out)?;
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    // Names and ids of the kept copies, read from `docs`.
    let kept: FxHashSet<u32> = clusters.iter().map(|c| c.kept).collect();
    let mut names: FxHashMap<u32, (String, Option<String>)> = FxHashMap::default();
    tables::for_each_batch_in(
        &dir.join(schema::DOCS.dir),
        &[schema::DOC_ID, schema::NAME, schema::ID],
        |b| {
            let (ids, name, id) = (
                b.i64(schema::DOC_ID)?,
                b.str(schema::NAME)?,
                b.str(schema::ID)?,
            );
            for i in 0..b.len() {
                let d = docs.index(ids.value(i), b.path)?;
                if kept.contains(&d) {
                    let doc_id =
                        (!arrow_array::Array::is_null(id, i)).then(|| id.value(i).to_string());
                    names.insert(d, (name.value(i).to_string(), doc_id));
                }
            }
            Ok(())
        },
    )?;
    // Rows grouped by the member's shard.
    let mut rows: Vec<(u32, u32, &Cluster, near_dup::Member)> = clusters
        .iter()
        .flat_map(|c| c.members.iter().map(move |&m| (c, m)))
        .map(|(c, m)| (split_doc_id(docs.ids[m.doc as usize]).0, m.doc, c, m))
        .collect();
    rows.sort_unstable_by_key(|r| (r.0, r.1));
    for run in rows.chunk_by(|a, b| a.0 == b.0) {
        let shard = run[0].0;
        let kept_of = |r: &(u32, u32, &Cluster, near_dup::Member)| &names[&r.2.kept];
        tables::write(
            &out.join(format!("shard_id={shard}")).join("part-0.parquet"),
            vec![
                (
                    schema::DOC_ID,
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.ids[r.1 as usize]),
                    )) as ArrayRef,
                ),
                (
                    schema::CLUSTER,
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| r.2.id as i64),
                    )),
                ),
                (
                    schema::KEPT_DOC_ID,
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.ids[r.2.kept as usize]),
                    )),
                ),
                (
                    schema::KEPT_NAME,
                    Arc::new(StringArray::from_iter_values(
                        run.iter().map(|r| kept_of(r).0.as_str()),
                    )),
                ),
                (
                    schema::KEPT_ID,
                    Arc::new(StringArray::from_iter(
                        run.iter().map(|r| kept_of(r).1.as_deref()),
                    )),
                ),
                (
                    schema::KEPT_LEN,
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.lens[r.2.kept as usize] as i64),
                    )),
                ),
                (
                    schema::KEPT_CHARS,
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.chars[r.2.kept as usize] as i64),
                    )),
                ),
                (
                    schema::SIMILARITY,
                    Arc::new(Float64Array::from_iter_values(
                        run.iter().map(|r| r.3.similarity),
                    )),
                ),
                (
                    schema::EXACT,
                    Arc::new(BooleanArray::from_iter(run.iter().map(|r| Some(r.3.exact)))),
                ),
            ],
            tables::NARROW,
        )?;
    }
    Ok(())
}
