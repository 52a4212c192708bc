//! Criterion benches, one per pipeline stage, on text built from the seed documents.
//!
//! Run with `cargo bench --bench stages`. The corpus-scale benchmark against the peers lives in
//! scripts/; these measure each stage in isolation so that a change can be judged where it acts.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dedup::cluster::UnionFind;
use dedup::fingerprint::tokenize;
use dedup::lsh::{candidate_pairs, LshParams};
use dedup::minhash::{for_each_shingle, signature, Signature};
use dedup::normalize::{mix, Tokenizer};
use dedup::Options;
use std::path::Path;

/// About `target` bytes of real text: the seeds, repeated with a counter so lines differ.
fn text(target: usize) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    let all: String = seeds
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut out = String::with_capacity(target + all.len());
    let mut i = 0;
    while out.len() < target {
        for line in all.lines() {
            out.push_str(&format!("{i} {line}\n"));
        }
        i += 1;
    }
    out
}

fn stages(c: &mut Criterion) {
    let text = text(1 << 20);
    let words = tokenize(&text, &mut Tokenizer::new()).words;

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("segment+normalise 1MB", |b| {
        let mut tok = Tokenizer::new();
        b.iter(|| tokenize(black_box(&text), &mut tok))
    });
    g.bench_function("shingle hashing 1MB", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for_each_shingle(black_box(&words), 5, |h| acc ^= h);
            acc
        })
    });
    g.bench_function("signature 1MB", |b| {
        b.iter(|| signature(black_box(&words), 5, 128))
    });
    g.finish();

    let sigs: Vec<Signature> = (0..20_000u64)
        .map(|d| {
            Signature(
                (0..128u64)
                    .map(|i| mix(d * 131 + i % (1 + d % 3)) as u32)
                    .collect(),
            )
        })
        .collect();
    let refs: Vec<Option<&Signature>> = sigs.iter().map(Some).collect();
    let params = LshParams::choose(0.8, 128);
    c.bench_function("lsh grouping 20k docs", |b| {
        b.iter(|| candidate_pairs(params, black_box(&refs)))
    });

    c.bench_function("union-find 1M edges", |b| {
        b.iter(|| {
            let mut uf = UnionFind::new(1 << 20);
            for i in 0..1_000_000u64 {
                let h = mix(i);
                uf.union((h as u32) & 0xfffff, ((h >> 32) as u32) & 0xfffff);
            }
            uf.find(0)
        })
    });

    // End to end on a folder of documents cut from the same text.
    let dir = tempfile::tempdir().unwrap();
    for (i, chunk) in text.as_bytes().chunks(8 << 10).enumerate() {
        let s = String::from_utf8_lossy(chunk);
        std::fs::write(dir.path().join(format!("{i:05}.txt")), s.as_bytes()).unwrap();
    }
    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("scan 1MB", |b| {
        b.iter(|| dedup::scan(&[dir.path().to_path_buf()], &Options::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
