//! The staged pipeline: `scan` cut into three steps that exchange Parquet, so that the per-shard
//! text work runs anywhere (a Spark executor, a Slurm array task, `xargs -P`) and only the
//! grouping of band keys and paragraph keys is global.
//!
//! 1. [`sign`]: shards in, per shard (no communication) the tables
//!    - `bands` (doc_id, band, band_hash): the LSH band keys of every document;
//!    - `paras` (para_hash, doc_id): every distinct paragraph key (and furniture template key) of
//!      every document. Not counted within the shard, because the corpus-wide count gives one
//!      vote per near-duplicate cluster, which is known only after the global step;
//!    - `docs` (doc_id, line, name, id, len, chars, content_key, sketch): what the global step
//!      needs to verify candidate pairs (the bottom-1024 [`crate::doc::minhash::sketch`], 31-bit values) and what the
//!      report says of a kept copy;
//!    - `shards` (shard_id, shard, documents, bytes, skipped): one row per shard.
//! 2. [`cluster`]: the table folder in, `dup_docs` (partitioned by shard_id) and `boilerplate`
//!    (para_hash, n_docs) out: candidate pairs from the band buckets, verification on the
//!    sketches, connected components, the kept copy (smallest doc_id), and paragraph counts.
//!    `scripts/spark/cluster.py` does the same on Spark.
//! 3. [`spans`]: a shard and the cluster tables in, the shard's report rows out, equal to the rows
//!    `scan` gives for that shard.
//!
//! A `doc_id` is the shard id in the high 32 bits and the document's index in its shard in the
//! low 32, so it is unique without coordination and its order is corpus order when shard ids
//! follow the order of the shards' names (as `sign A B C` assigns them).

pub mod cluster;
mod key_counts;
pub mod schema;
pub mod sign;
pub mod spans;
pub mod tables;

use crate::{Error, Options};
use std::path::Path;

/// The id of document `index` of shard `shard`.
pub fn doc_id(shard: u32, index: u32) -> i64 {
    ((shard as i64) << 32) | index as i64
}

/// The shard and index of a doc_id.
pub fn split_doc_id(id: i64) -> (u32, u32) {
    ((id >> 32) as u32, id as u32)
}

/// What every stage must agree on, written by `sign` as `params.json` and checked by the others.
fn params(o: &Options) -> serde_json::Value {
    let lsh = o.doc.lsh;
    serde_json::json!({
        "threshold": o.threshold,
        "shingle": o.doc.shingle,
        "num_perm": o.doc.num_perm,
        "bands": lsh.bands,
        "rows": lsh.rows,
        "sketch": crate::doc::minhash::SKETCH_LEN,
        "furniture": match (o.spans.furniture, o.spans.pages) {
            (None, _) => "off",
            (Some(_), crate::detect::Pages::Auto) => "auto",
            (Some(_), crate::detect::Pages::All) => "on",
        },
        "min_docs": o.spans.min_docs.cut,
        "count_from": o.spans.min_docs.count,
        "detect": {
            "repeated": o.spans.detectors.repeated,
            "boilerplate": o.spans.detectors.boilerplate,
            "near_dup": o.spans.detectors.near_dup,
        },
    })
}

/// Writes `params.json` into `dir`, or checks that the one there is the same.
fn record_params(dir: &Path, o: &Options) -> Result<(), Error> {
    let path = dir.join("params.json");
    let mine = params(o);
    match std::fs::read_to_string(&path) {
        Ok(text) => check_params(&path, &text, &mine),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Written beside its name and renamed: signs running at once never see half a file.
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            let tmp = dir.join(format!(".params.json.{}", std::process::id()));
            std::fs::write(&tmp, format!("{mine}\n")).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
        }
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Checks that the stages' options match those `sign` used.
fn expect_params(dir: &Path, o: &Options) -> Result<(), Error> {
    let path = dir.join("params.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    check_params(&path, &text, &params(o))
}

fn check_params(path: &Path, text: &str, mine: &serde_json::Value) -> Result<(), Error> {
    let theirs: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if &theirs != mine {
        return Err(Error::Usage(format!(
            "{}: the tables were signed with {theirs}, not {mine}: give every stage the same --threshold, --shingle, --num-perm, --bands/--band-rows, --min-docs, --detect and --furniture",
            path.display()
        )));
    }
    Ok(())
}

/// The file of shard `shard` in table `table` of `dir`.
fn shard_file(dir: &Path, table: &str, shard: u32) -> std::path::PathBuf {
    dir.join(table).join(format!("shard-{shard:06}.parquet"))
}
