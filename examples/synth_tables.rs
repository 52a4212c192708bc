//! Writes synthetic `dedup sign` tables for the scale benchmark of `dedup cluster`
//! (scripts/bench/cluster.sh): no text is read, only the tables' shape matters.
//!
//! Per document, as measured on the 100 MB benchmark corpus (`dedup sign`, README "Staged
//! pipeline"): `--bands` band rows (18 at the default threshold), `--paras` paragraph keys (69 on
//! that corpus; a fifth of them drawn from a pool of 20,000 template keys, the rest unique) and a
//! sketch of `--sketch` values. A share `--dup-share` of the documents are near copies of an
//! earlier one (half of their bands and 90% of their sketch equal), so the buckets, verification
//! and components have real work.
//!
//! Usage: cargo run --release --example synth_tables -- --band-rows 50000000 --out DIR

use arrow_array::builder::{Int32Builder, ListBuilder};
use arrow_array::{ArrayRef, Int32Array, Int64Array, StringArray};
use dedup::staged::{doc_id, tables};
use std::path::PathBuf;
use std::sync::Arc;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let band_rows: u64 = arg(&args, "--band-rows", "50000000").parse().unwrap();
    let bands: u64 = arg(&args, "--bands", "18").parse().unwrap();
    let paras: u64 = arg(&args, "--paras", "69").parse().unwrap();
    let sketch_len: usize = arg(&args, "--sketch", "300").parse().unwrap();
    let dup_share: f64 = arg(&args, "--dup-share", "0.05").parse().unwrap();
    let per_shard: u64 = arg(&args, "--shard-docs", "200000").parse().unwrap();
    let out = PathBuf::from(arg(&args, "--out", "synth-tables"));
    let docs = band_rows / bands;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let params = serde_json::json!({
        "shingle": 5, "num_perm": 128, "bands": bands, "rows": 128 / bands,
        "sketch": dedup::doc::minhash::SKETCH_LEN, "furniture": true,
    });
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("params.json"), format!("{params}\n")).unwrap();

    // The band keys and sketch of the last few hundred documents, for near copies.
    let mut recent: Vec<(Vec<i64>, Vec<i32>)> = Vec::new();
    let shards = docs.div_ceil(per_shard);
    for shard in 0..shards as u32 {
        let n = per_shard.min(docs - shard as u64 * per_shard) as u32;
        let (mut b_doc, mut b_band, mut b_hash) = (Vec::new(), Vec::new(), Vec::new());
        let (mut p_hash, mut p_doc) = (Vec::new(), Vec::new());
        let mut sketch = ListBuilder::new(Int32Builder::new());
        let mut content = Vec::new();
        for i in 0..n {
            let d = doc_id(shard, i);
            let copy = !recent.is_empty() && (rng.below(1_000_000) as f64) < dup_share * 1e6;
            let (keys, sk) = if copy {
                let (keys, sk) = &recent[rng.below(recent.len() as u64) as usize];
                let keys: Vec<i64> = keys
                    .iter()
                    .map(|&k| {
                        if rng.below(2) == 0 {
                            k
                        } else {
                            rng.next() as i64
                        }
                    })
                    .collect();
                let sk: Vec<i32> = sk
                    .iter()
                    .map(|&v| {
                        if rng.below(10) == 0 {
                            (rng.next() >> 33) as i32
                        } else {
                            v
                        }
                    })
                    .collect();
                (keys, sk)
            } else {
                let keys = (0..bands).map(|_| rng.next() as i64).collect();
                let sk = (0..sketch_len).map(|_| (rng.next() >> 33) as i32).collect();
                (keys, sk)
            };
            let mut sorted = sk.clone();
            sorted.sort_unstable();
            sorted.dedup();
            sketch.values().append_slice(&sorted);
            sketch.append(true);
            for (band, &k) in keys.iter().enumerate() {
                b_doc.push(d);
                b_band.push(band as i32);
                b_hash.push(k);
            }
            for _ in 0..paras {
                let key = if rng.below(5) == 0 {
                    rng.below(20_000) as i64
                } else {
                    rng.next() as i64
                };
                p_hash.push(key);
                p_doc.push(d);
            }
            content.push(rng.next() as i64);
            if recent.len() < 512 {
                recent.push((keys, sk));
            } else {
                let slot = rng.below(512) as usize;
                recent[slot] = (keys, sk);
            }
        }
        let file = |t: &str| out.join(t).join(format!("shard-{shard:06}.parquet"));
        let write = |t: &str, cols: Vec<(&str, ArrayRef)>, rg: tables::Layout| {
            tables::write(&file(t), cols, rg).unwrap();
        };
        write(
            "bands",
            vec![
                ("doc_id", Arc::new(Int64Array::from(b_doc)) as ArrayRef),
                ("band", Arc::new(Int32Array::from(b_band))),
                ("band_hash", Arc::new(Int64Array::from(b_hash))),
            ],
            tables::NARROW,
        );
        // Sorted by key, as `dedup sign` writes them.
        let mut rows: Vec<(i64, i64)> = p_hash.into_iter().zip(p_doc).collect();
        rows.sort_unstable();
        let (p_hash, p_doc): (Vec<i64>, Vec<i64>) = rows.into_iter().unzip();
        write(
            "paras",
            vec![
                ("para_hash", Arc::new(Int64Array::from(p_hash)) as ArrayRef),
                ("doc_id", Arc::new(Int64Array::from(p_doc))),
            ],
            tables::KEYED,
        );
        let ids: Vec<i64> = (0..n).map(|i| doc_id(shard, i)).collect();
        write(
            "docs",
            vec![
                ("doc_id", Arc::new(Int64Array::from(ids)) as ArrayRef),
                (
                    "line",
                    Arc::new(Int64Array::from_iter_values((1..=n).map(i64::from))),
                ),
                (
                    "name",
                    Arc::new(StringArray::from_iter_values(
                        (1..=n).map(|l| format!("shard-{shard:06}.jsonl.zst:{l}")),
                    )),
                ),
                (
                    "id",
                    Arc::new(StringArray::from(vec![None::<&str>; n as usize])),
                ),
                ("len", Arc::new(Int64Array::from(vec![6000i64; n as usize]))),
                (
                    "chars",
                    Arc::new(Int64Array::from(vec![5900i64; n as usize])),
                ),
                ("content_key", Arc::new(Int64Array::from(content))),
                ("sketch", Arc::new(sketch.finish())),
            ],
            tables::WIDE,
        );
        eprint!("\rsynth_tables: shard {}/{shards}", shard + 1);
    }
    eprintln!(
        "\nsynth_tables: {docs} documents, {} band rows, {} para rows in {}",
        docs * bands,
        docs * paras,
        out.display()
    );
}
