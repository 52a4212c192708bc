//! `dedup cluster`, stage 2 of the staged pipeline (the only global one): the tables `sign` wrote
//! in, `dup_docs` (one row per document that is a non-kept member of a near-duplicate cluster,
//! partitioned by shard) and `boilerplate` (the corpus-wide document count of every paragraph
//! and template key counted in enough documents) out.
//!
//! The steps are `scan`'s, on the tables instead of in memory: band buckets give candidate pairs
//! ([`crate::detect::lsh::pairs_of_records`]), the `docs` sketches verify them, union-find makes the
//! clusters and keeps the smallest doc_id ([`crate::detect::near_dup::clusters`]), and the
//! `(para_hash, doc_id)` rows are counted once per cluster.

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
        tables::for_each_batch(path, &["doc_id", "band", "band_hash"], |b| {
            let (doc, band, hash) = (b.i64("doc_id")?, b.i32("band")?, b.i64("band_hash")?);
            for i in 0..b.len() {
                let d = docs.index(doc.value(i), b.path)?;
                slice[at] = band_record(band.value(i) as u32, hash.value(i) as u64, d);
                at += 1;
            }
            Ok(())
        })
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
                let columns = ["doc_id", "sketch"];
                tables::for_each_batch_of(path, &columns, Rows::Selected(&rows), |b| {
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
    let counts = count_keys(&paras_dir, &docs, &representative, o.spans.min_docs.count)?;
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

/// The paragraph count is split into this many ranges of keys, counted in parallel, each in
/// memory: a range is read from the row groups of every `paras` file whose keys overlap it.
const KEY_RANGES: usize = 32; // a power of two (see `count_range`)

/// Document counts (one vote per cluster) of the keys of `paras` in at least `min_docs`
/// documents, sorted by key.
///
/// `sign` writes each `paras` file sorted by key in row groups of 16k rows, so the footer's
/// min/max of each row group tells which key range it holds. The key space is cut into
/// [`KEY_RANGES`] ranges; a range's rows are gathered from the row groups overlapping it (with the
/// representative of their document), then counted in memory: most keys occur in one document
/// only, so a bitset pass (about 8 bits a row, small enough for the caches) keeps only the rows
/// whose key's slot was seen twice, and those are sorted and counted exactly. Files that are not
/// sorted give the same counts, only slower (every row group overlaps every range).
fn count_keys(
    paras: &Path,
    docs: &Docs,
    representative: &[u32],
    min_docs: usize,
) -> Result<Vec<(u64, u32)>, Error> {
    let files = tables::files(paras)?;
    let groups: Vec<Vec<Option<(i64, i64)>>> = files
        .iter()
        .map(|f| tables::row_group_ranges(f, "para_hash"))
        .collect::<Result<_, _>>()?;
    // Documents in a near-duplicate cluster share their vote; every other document is its own.
    let mut in_cluster = vec![false; representative.len()];
    for (d, &r) in representative.iter().enumerate() {
        if r as usize != d {
            in_cluster[d] = true;
            in_cluster[r as usize] = true;
        }
    }
    let ranges = key_ranges(KEY_RANGES);
    // A range holds about its share of the rows (keys are hashes); a little more is reserved so
    // that the vector does not grow (and copy) near the end.
    let expected = tables::row_count(paras)? as usize / KEY_RANGES;
    let counted: Vec<Result<Vec<(u64, u32)>, Error>> = ranges
        .par_iter()
        // Each worker reuses its buffers from range to range (fresh ones cost page faults).
        .map_init(Buffers::default, |buffers, &(lo, hi)| {
            let rows = &mut buffers.rows;
            rows.clear();
            rows.reserve(expected + expected / 8);
            for (path, file_groups) in files.iter().zip(&groups) {
                let wanted: Vec<usize> = (0..file_groups.len())
                    .filter(|&g| file_groups[g].is_none_or(|(min, max)| min <= hi && max >= lo))
                    .collect();
                if wanted.is_empty() {
                    continue;
                }
                let columns = ["para_hash", "doc_id"];
                tables::for_each_batch_of(path, &columns, Rows::Groups(&wanted), |b| {
                    let (hash, doc) = (b.i64("para_hash")?, b.i64("doc_id")?);
                    let pairs = hash.values().iter().zip(doc.values().iter());
                    let inside = pairs.filter(|(key, _)| (lo..=hi).contains(*key));
                    rows.extend(inside.map(|(&key, &doc)| (key, doc)));
                    Ok(())
                })?;
            }
            // The documents' voters (their clusters' representatives), once the rows that
            // cannot count are gone.
            let voter = |doc: i64| -> Result<Voter, Error> {
                let d = docs.index(doc, paras)? as usize;
                Ok(Voter {
                    id: representative[d],
                    shared: in_cluster[d],
                })
            };
            count_range(buffers, KEY_RANGES.trailing_zeros(), min_docs, voter)
        })
        .collect();
    let mut counts = Vec::new();
    for range in counted {
        counts.extend(range?);
    }
    counts.sort_unstable();
    Ok(counts)
}

/// `n` ranges of `i64` keys, inclusive, in order, covering every key; with `n` a power of two,
/// the keys of a range share their top log2(n) bits (of the key's bits with the sign flipped).
fn key_ranges(n: usize) -> Vec<(i64, i64)> {
    let step = (1u64 << 63) / n as u64 * 2;
    (0..n as u64)
        .map(|r| {
            let lo = i64::MIN.wrapping_add((r * step) as i64);
            let hi = if r + 1 == n as u64 {
                i64::MAX
            } else {
                lo.wrapping_add(step as i64 - 1)
            };
            (lo, hi)
        })
        .collect()
}

/// A worker's memory for [`count_range`]: the rows of a range, and its bitsets.
#[derive(Default)]
struct Buffers {
    rows: Vec<(i64, i64)>,
    sets: Vec<[u64; 2]>,
}

/// Who a document votes as: its cluster's representative, and whether other documents share
/// that vote (members of a near-duplicate cluster).
#[derive(Debug, Clone, Copy)]
struct Voter {
    id: u32,
    shared: bool,
}

/// The keys of `buffers.rows` (key, doc_id) with at least `min_docs` distinct voters (`voter(doc_id)`),
/// and their counts, in the order of the keys as stored (`i64`).
///
/// The keys share their top `range_bits` bits (a range of [`key_ranges`]). With `min_docs` ≥ 2, a
/// bitset pass first drops nearly every row whose key occurs once: a row is kept when both its
/// key's bits were seen twice. The kept rows are counted in a hash map, except those of documents that share a vote,
/// which are deduplicated by (key, voter) first.
fn count_range(
    buffers: &mut Buffers,
    range_bits: u32,
    min_docs: usize,
    voter: impl Fn(i64) -> Result<Voter, Error>,
) -> Result<Vec<(u64, u32)>, Error> {
    if min_docs >= 2 {
        // Blocks of 64 bits, "seen" and "seen again" side by side: about 8 bits a row. A key's
        // block is its position in the range (its top bits after the range's), so the sorted
        // runs of a range's rows walk the blocks in order instead of at random; its two bits
        // in the block come from a hash of it.
        let blocks_log2 = (buffers.rows.len() / 8)
            .max(1)
            .next_power_of_two()
            .trailing_zeros();
        let blocks_log2 = blocks_log2.min(63 - range_bits);
        let sets = &mut buffers.sets;
        sets.clear();
        sets.resize(1 << blocks_log2, [0; 2]);
        let block = |key: i64| {
            let position = ((key as u64) ^ (1 << 63)) << range_bits;
            let h = (key as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let bits = (1u64 << (h >> 58)) | (1u64 << ((h >> 52) & 63));
            let b = position.checked_shr(64 - blocks_log2).unwrap_or(0);
            (b as usize, bits)
        };
        for &(key, _) in &buffers.rows {
            let (b, m) = block(key);
            let [seen, again] = &mut sets[b];
            *again |= *seen & m;
            *seen |= m;
        }
        buffers.rows.retain(|&(key, _)| {
            let (b, m) = block(key);
            sets[b][1] & m == m
        });
    }
    // A row given twice (sign writes each (key, doc) once, sorted, so copies are adjacent).
    let rows = &mut buffers.rows;
    rows.dedup();
    let mut counts: FxHashMap<i64, u32> = FxHashMap::default();
    let mut shared: Vec<(i64, u32)> = Vec::new();
    for &(key, doc) in rows.iter() {
        let v = voter(doc)?;
        if v.shared {
            shared.push((key, v.id));
        } else {
            *counts.entry(key).or_default() += 1;
        }
    }
    shared.sort_unstable();
    shared.dedup();
    for (key, _) in shared {
        *counts.entry(key).or_default() += 1;
    }
    let mut out: Vec<(i64, u32)> = counts
        .into_iter()
        .filter(|&(_, n)| n as usize >= min_docs.max(1))
        .collect();
    out.sort_unstable();
    Ok(out.into_iter().map(|(k, n)| (k as u64, n)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_key_once() {
        for n in [1, 2, 3, 32] {
            let r = key_ranges(n);
            assert_eq!(r.len(), n);
            assert_eq!(r[0].0, i64::MIN);
            assert_eq!(r[n - 1].1, i64::MAX);
            for w in r.windows(2) {
                assert!(w[0].0 <= w[0].1);
                assert_eq!(w[0].1.checked_add(1), Some(w[1].0));
            }
        }
    }

    #[test]
    fn a_range_counts_distinct_voters() {
        // (key, voter): voter 2 holds key 1 twice (two members of one cluster), one vote.
        let rows = vec![
            (5, 1),
            (1, 0),
            (1, 2),
            (3, 4),
            (1, 2),
            (5, 7),
            (-8, 3),
            (1, 9),
            (3, 4),
            (-8, 4),
        ];
        // Documents 10 + v vote as v; documents 12 and 102 are one cluster (voter 2).
        let mut rows: Vec<(i64, i64)> = rows
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    if v == 2 && k == 1 {
                        102
                    } else {
                        10 + i64::from(v)
                    },
                )
            })
            .collect();
        rows.sort_unstable(); // as in a file
        let voter = |doc: i64| {
            Ok(match doc {
                12 | 102 => Voter {
                    id: 2,
                    shared: true,
                },
                _ => Voter {
                    id: (doc - 10) as u32,
                    shared: false,
                },
            })
        };
        // In the order of the stored (signed) keys.
        let count = |rows: Vec<(i64, i64)>, min_docs| {
            let mut buffers = Buffers {
                rows,
                sets: Vec::new(),
            };
            count_range(&mut buffers, 0, min_docs, voter).unwrap()
        };
        let all = count(rows.clone(), 1);
        assert_eq!(all, vec![(-8i64 as u64, 2), (1, 3), (3, 1), (5, 2)]);
        let two = count(rows, 2);
        assert_eq!(two, vec![(-8i64 as u64, 2), (1, 3), (5, 2)]);
        // Many singletons around them: the bitset pass drops them, the counts stay.
        let mut rows: Vec<(i64, i64)> = (0..10_000).map(|k| (k * 7919 + 11, 10)).collect();
        rows.extend([(42, 11), (42, 12), (42, 11)]);
        rows.sort_unstable();
        assert_eq!(count(rows, 2), vec![(42, 2)]);
    }
}
