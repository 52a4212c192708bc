//! `dedup cluster`, stage 2 of the staged pipeline (the only global one): the tables `sign` wrote
//! in, `dup_docs` (one row per document that is a non-kept member of a near-duplicate cluster,
//! partitioned by shard) and `boilerplate` (the corpus-wide document count of every paragraph
//! and template key counted in enough documents) out.
//!
//! The steps are `scan`'s, on the tables instead of in memory: band buckets give candidate pairs
//! ([`crate::lsh::pairs_of_records`]), the `docs` sketches verify them, union-find makes the
//! clusters and keeps the smallest doc_id ([`crate::detect::near_dup::clusters`]), and the
//! `(para_hash, doc_id)` rows are counted once per cluster.

use super::{expect_params, split_doc_id, tables};
use crate::detect::near_dup::{self, Cluster};
use crate::pipeline::{count_from, representatives};
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
    let docs = read_docs(&dir.join("docs"))?;
    lap("docs");
    let n = docs.ids.len();

    // Candidate pairs from the band buckets.
    let bands_dir = dir.join("bands");
    // Read in parallel, a file per task, each into its own slice of one vector.
    let files = tables::files(&bands_dir)?;
    let rows: Vec<usize> = files
        .iter()
        .map(|f| tables::file_rows(f).map(|n| n as usize))
        .collect::<Result<_, _>>()?;
    let mut records: Vec<(u32, u64, u32)> = vec![(0, 0, 0); rows.iter().sum()];
    let mut slices = Vec::with_capacity(files.len());
    let mut rest = records.as_mut_slice();
    for &n in &rows {
        let (head, tail) = rest.split_at_mut(n);
        slices.push(head);
        rest = tail;
    }
    files.par_iter().zip(slices).try_for_each(|(path, slice)| {
        let mut at = 0;
        tables::for_each_batch(path, &["doc_id", "band", "band_hash"], |b| {
            let (doc, band, hash) = (b.i64("doc_id")?, b.i32("band")?, b.i64("band_hash")?);
            for i in 0..b.len() {
                let d = docs.index(doc.value(i), b.path)?;
                slice[at] = (band.value(i) as u32, hash.value(i) as u64, d);
                at += 1;
            }
            Ok(())
        })
    })?;
    let band_rows = records.len();
    let candidates = crate::lsh::pairs_of_records(records);
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
                tables::for_each_selected(path, &["doc_id", "sketch"], &rows, |b| {
                    let (ids, sketch) = (b.i64("doc_id")?, b.list("sketch")?);
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
    let paras_dir = dir.join("paras");
    let para_rows = tables::row_count(&paras_dir)?;
    let counts = count_keys(&paras_dir, &docs, &representative, count_from(o))?;
    let boilerplate_keys = counts.len();
    lap("paras");
    let out = dir.join("boilerplate");
    remove_dir(&out)?;
    let (keys, n_docs): (Vec<i64>, Vec<i64>) = counts
        .into_iter()
        .map(|(k, c)| (k as i64, c as i64))
        .unzip();
    tables::write(
        &out.join("part-0.parquet"),
        vec![
            ("para_hash", Arc::new(Int64Array::from(keys)) as ArrayRef),
            ("n_docs", Arc::new(Int64Array::from(n_docs))),
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
        let columns = ["doc_id", "content_key", "len", "chars"];
        tables::for_each_batch(path, &columns, |b| {
            let (id, key, len, chars) = (
                b.i64("doc_id")?,
                b.i64("content_key")?,
                b.i64("len")?,
                b.i64("chars")?,
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
    let out = dir.join("dup_docs");
    remove_dir(&out)?;
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    // Names and ids of the kept copies, read from `docs`.
    let kept: FxHashSet<u32> = clusters.iter().map(|c| c.kept).collect();
    let mut names: FxHashMap<u32, (String, Option<String>)> = FxHashMap::default();
    tables::for_each_batch_in(&dir.join("docs"), &["doc_id", "name", "id"], |b| {
        let (ids, name, id) = (b.i64("doc_id")?, b.str("name")?, b.str("id")?);
        for i in 0..b.len() {
            let d = docs.index(ids.value(i), b.path)?;
            if kept.contains(&d) {
                let doc_id = (!arrow_array::Array::is_null(id, i)).then(|| id.value(i).to_string());
                names.insert(d, (name.value(i).to_string(), doc_id));
            }
        }
        Ok(())
    })?;
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
                    "doc_id",
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.ids[r.1 as usize]),
                    )) as ArrayRef,
                ),
                (
                    "cluster",
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| r.2.id as i64),
                    )),
                ),
                (
                    "kept_doc_id",
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.ids[r.2.kept as usize]),
                    )),
                ),
                (
                    "kept_name",
                    Arc::new(StringArray::from_iter_values(
                        run.iter().map(|r| kept_of(r).0.as_str()),
                    )),
                ),
                (
                    "kept_id",
                    Arc::new(StringArray::from_iter(
                        run.iter().map(|r| kept_of(r).1.as_deref()),
                    )),
                ),
                (
                    "kept_len",
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.lens[r.2.kept as usize] as i64),
                    )),
                ),
                (
                    "kept_chars",
                    Arc::new(Int64Array::from_iter_values(
                        run.iter().map(|r| docs.chars[r.2.kept as usize] as i64),
                    )),
                ),
                (
                    "similarity",
                    Arc::new(Float64Array::from_iter_values(
                        run.iter().map(|r| r.3.similarity),
                    )),
                ),
                (
                    "exact",
                    Arc::new(BooleanArray::from_iter(run.iter().map(|r| Some(r.3.exact)))),
                ),
            ],
            tables::NARROW,
        )?;
    }
    Ok(())
}

/// Most bits of the prefilter's two bitsets (2^30 bits: 128 MB each); fewer for small tables
/// (about 8 bits a row, so that a singleton shares a slot with another key about once in 8).
const MAX_FILTER_BITS: u32 = 30;

/// Document counts (one vote per cluster) of the keys of `paras` in at least `min_docs`
/// documents, sorted by key.
///
/// Most paragraph keys occur in one document only, so a first pass over the keys marks, in two
/// bitsets indexed by the key's top bits (about 8 bits a row, at most 2^30), the slots seen once and those seen again. Only keys whose
/// slot was seen again (every key in two documents or more, plus the unlucky singletons that share
/// its slot) are collected as `(key, representative)` pairs in the second pass, then counted
/// exactly by sorting. The files are read in parallel in both passes.
fn count_keys(
    paras: &Path,
    docs: &Docs,
    representative: &[u32],
    min_docs: usize,
) -> Result<Vec<(u64, u32)>, Error> {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let files = tables::files(paras)?;
    let rows = tables::row_count(paras)?;
    let filter_bits = (rows.max(1) * 8)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(12, MAX_FILTER_BITS);
    let words = 1usize << (filter_bits - 6);
    let seen: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
    let again: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
    let slot = |key: u64| {
        let bit = (key >> (64 - filter_bits)) as usize;
        (bit >> 6, 1u64 << (bit & 63))
    };
    files.par_iter().try_for_each(|path| {
        tables::for_each_batch(path, &["para_hash"], |b| {
            let keys = b.i64("para_hash")?.values();
            for (i, &key) in keys.iter().enumerate() {
                if let Some(&ahead) = keys.get(i + PREFETCH_AHEAD) {
                    prefetch(&seen[slot(ahead as u64).0]);
                }
                let (w, m) = slot(key as u64);
                if seen[w].fetch_or(m, Relaxed) & m != 0 {
                    again[w].fetch_or(m, Relaxed);
                }
            }
            Ok(())
        })
    })?;
    drop(seen);
    // Per file: the pairs of keys seen again, sorted and deduplicated. They are merged below
    // rather than concatenated, so memory holds them once.
    let per_file: Vec<Result<Vec<(u64, u32)>, Error>> = files
        .par_iter()
        .map(|path| {
            let mut pairs: Vec<(u64, u32)> = Vec::new();
            tables::for_each_batch(path, &["para_hash", "doc_id"], |b| {
                let (hash, doc) = (b.i64("para_hash")?, b.i64("doc_id")?);
                for i in 0..b.len() {
                    if let Some(&ahead) = hash.values().get(i + PREFETCH_AHEAD) {
                        prefetch(&again[slot(ahead as u64).0]);
                    }
                    let key = hash.value(i) as u64;
                    let (w, m) = slot(key);
                    if again[w].load(Relaxed) & m != 0 {
                        let d = docs.index(doc.value(i), b.path)?;
                        pairs.push((key, representative[d as usize]));
                    }
                }
                Ok(())
            })?;
            pairs.sort_unstable();
            pairs.dedup();
            pairs.shrink_to_fit();
            Ok(pairs)
        })
        .collect();
    drop(again);
    let per_file: Vec<Vec<(u64, u32)>> = per_file.into_iter().collect::<Result<_, _>>()?;
    Ok(count_merged(&per_file, min_docs))
}

/// The pair a run is at, the run, and the position in it.
type Cursor = ((u64, u32), usize, usize);

/// How many keys ahead the bit sets' words are prefetched: the sets are far larger than the
/// caches, so each key costs a memory round trip unless several are in flight.
const PREFETCH_AHEAD: usize = 16;

/// Asks the CPU to bring `word`'s cache line in (a hint: no effect on any result).
#[inline(always)]
fn prefetch(word: &std::sync::atomic::AtomicU64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of every x86_64 target, and a prefetch never faults (the address
        // is a live reference anyway); it only moves a cache line.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>((word as *const std::sync::atomic::AtomicU64).cast())
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = word;
}

/// Counts, over sorted and deduplicated runs of `(key, voter)` pairs, the distinct voters of
/// each key (a k-way merge), keeping the keys with at least `min_docs`.
fn count_merged(runs: &[Vec<(u64, u32)>], min_docs: usize) -> Vec<(u64, u32)> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<Reverse<Cursor>> = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .map(|(i, r)| Reverse((r[0], i, 0)))
        .collect();
    let mut counts = Vec::new();
    let mut last: Option<(u64, u32)> = None;
    let mut current: Option<(u64, u32)> = None; // (key, distinct voters so far)
    while let Some(Reverse((pair, run, at))) = heap.pop() {
        if let Some(&next) = runs[run].get(at + 1) {
            heap.push(Reverse((next, run, at + 1)));
        }
        if last == Some(pair) {
            continue;
        }
        last = Some(pair);
        match &mut current {
            Some((key, n)) if *key == pair.0 => *n += 1,
            _ => {
                if let Some((key, n)) = current.take() {
                    if n as usize >= min_docs.max(1) {
                        counts.push((key, n));
                    }
                }
                current = Some((pair.0, 1));
            }
        }
    }
    if let Some((key, n)) = current {
        if n as usize >= min_docs.max(1) {
            counts.push((key, n));
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_runs_count_distinct_voters() {
        let runs = vec![
            vec![(1, 0), (1, 2), (5, 1)],
            vec![(1, 2), (3, 4), (5, 1), (5, 7)],
            vec![],
            vec![(1, 9), (3, 4)],
        ];
        assert_eq!(count_merged(&runs, 1), vec![(1, 3), (3, 1), (5, 2)]);
        assert_eq!(count_merged(&runs, 2), vec![(1, 3), (5, 2)]);
    }
}
