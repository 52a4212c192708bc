//! Criterion benches, one per pipeline stage, on text built from the seed documents.
//!
//! Run with `cargo bench --bench stages`. The corpus-scale benchmark against the peers lives in
//! scripts/; these measure each stage in isolation so that a change can be judged where it acts.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dedup::detect::lsh::candidate_pairs;
use dedup::detect::near_dup;
use dedup::detect::union_find::UnionFind;
use dedup::doc::minhash::{for_each_shingle, signature, sketch, Signature, SKETCH_LEN};
use dedup::doc::normalize::{mix, Tokenizer};
use dedup::doc::paragraphs::tokenize;
use dedup::doc::print::{doc_print, DocPrint};
use dedup::doc::LshParams;
use dedup::{Detectors, Options};
use std::path::Path;

/// About `target` bytes of text with the seeds' vocabulary, line lengths and punctuation: each
/// seed line is rewritten with words drawn at random (seeded) from all the seeds' words, so
/// documents cut from it are not near copies of each other (the corpus benchmark in scripts/
/// runs on real text).
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
    let vocabulary: Vec<&str> = all.split_whitespace().collect();
    let mut state: u64 = 0x5eed;
    let mut out = String::with_capacity(target + all.len());
    while out.len() < target {
        for line in all.lines() {
            for (k, _) in line.split_whitespace().enumerate() {
                state = mix(state.wrapping_add(1));
                if k > 0 {
                    out.push(' ');
                }
                out.push_str(vocabulary[(state % vocabulary.len() as u64) as usize]);
            }
            out.push('\n');
        }
    }
    out
}

/// About `target` bytes of CJK-like text: lines of ideographs (U+4E00–U+9FA5) between ideographic
/// punctuation, and lines of Hangul syllables in space-separated words, drawn at random (seeded).
/// Not a language, but the characters a Chinese, Japanese or Korean corpus is made of.
fn cjk_text(target: usize) -> String {
    let mut state: u64 = 0xc7c;
    let mut draw = |lo: u32, n: u32| {
        state = mix(state.wrapping_add(1));
        char::from_u32(lo + (state % u64::from(n)) as u32).unwrap_or(' ')
    };
    let mut out = String::with_capacity(target + 256);
    let mut line = 0;
    while out.len() < target {
        if line % 2 == 0 {
            for k in 0..40 {
                out.push(draw(0x4e00, 0x51a6));
                if k % 13 == 12 {
                    out.push(if k == 38 { '。' } else { '，' });
                }
            }
        } else {
            for k in 0..15 {
                if k > 0 {
                    out.push(' ');
                }
                for _ in 0..1 + k % 4 {
                    out.push(draw(0xac00, 0x2ba4));
                }
            }
            out.push('.');
        }
        out.push('\n');
        line += 1;
    }
    out
}

/// `text` cut into pieces of about `size` bytes, each ending at a line end.
fn chunks_of_lines(text: &str, size: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = rest
            .get(size..)
            .and_then(|tail| tail.find('\n'))
            .map_or(rest.len(), |n| size + n + 1);
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

fn stages(c: &mut Criterion) {
    let text = text(1 << 20);
    let cjk = cjk_text(1 << 20);
    let words = tokenize(&text, &mut Tokenizer::new()).words;

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("segment+normalise 1MB", |b| {
        let mut tok = Tokenizer::new();
        b.iter(|| tokenize(black_box(&text), &mut tok))
    });
    g.bench_function("words of whole documents 1MB", |b| {
        // What `--detect near-dup` reads: the words without the segments.
        let mut tok = Tokenizer::new();
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            tok.words(black_box(&text), &mut out);
            out.len()
        })
    });
    g.bench_function("segment+normalise CJK 1MB", |b| {
        let mut tok = Tokenizer::new();
        b.iter(|| tokenize(black_box(&cjk), &mut tok))
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
    // In-document repeats: the corpus benchmark's documents average about 6 KB; one 4 MB
    // document shows the table at a size that no longer fits the caches.
    let docs: Vec<_> = chunks_of_lines(&text, 6 << 10)
        .map(|d| tokenize(d, &mut Tokenizer::new()))
        .collect();
    g.bench_function("in-document repeats 1MB (6KB docs)", |b| {
        b.iter(|| {
            docs.iter()
                .map(|t| dedup::doc::repeats::echoes(black_box(t)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("furniture evidence 1MB", |b| {
        let mut tok = Tokenizer::new();
        let tokens = tokenize(&text, &mut tok);
        b.iter(|| dedup::doc::evidence::evidence(black_box(&text), &tokens, &mut tok))
    });
    g.finish();

    let big_text = self::text(4 << 20);
    let big = tokenize(&big_text, &mut Tokenizer::new());
    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(big_text.len() as u64));
    g.sample_size(20);
    g.bench_function("in-document repeats one 4MB document", |b| {
        b.iter(|| dedup::doc::repeats::echoes(black_box(&big)).len())
    });
    g.finish();
    drop(big);

    let sigs: Vec<Signature> = (0..20_000u64)
        .map(|d| {
            Signature(
                (0..128u64)
                    .map(|i| mix(d * 131 + i % (1 + d % 3)) as u32)
                    .collect(),
            )
        })
        .collect();
    let params = LshParams::choose(0.8, 128);
    let keys: Vec<Vec<u64>> = sigs.iter().map(|s| params.band_keys(s).collect()).collect();
    let refs: Vec<Option<&[u64]>> = keys.iter().map(|k| Some(k.as_slice())).collect();
    c.bench_function("lsh grouping 20k docs", |b| {
        b.iter(|| candidate_pairs(black_box(&refs)))
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

    // Clustering: LSH candidates, exact verification and union-find over 2,000 documents of
    // 4 KB, a fifth of them planted near copies (one word changed).
    let docs: Vec<String> = text
        .as_bytes()
        .chunks(4 << 10)
        .take(2000)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let mut docs_with_copies = docs.clone();
    for d in docs.iter().step_by(5) {
        docs_with_copies.push(d.replacen(' ', " changed ", 1));
    }
    let token_sets: Vec<Vec<u64>> = docs_with_copies
        .iter()
        .map(|d| tokenize(d, &mut Tokenizer::new()).words)
        .collect();
    let prints: Vec<DocPrint> = docs_with_copies
        .iter()
        .map(|d| {
            let tokens = tokenize(d, &mut Tokenizer::new());
            doc_print(d.len(), &tokens, 5, 128, params, Detectors::default())
        })
        .collect();
    let sketches = |ids: &[u32]| -> Result<Vec<(u32, Vec<u32>)>, dedup::Error> {
        Ok(ids
            .iter()
            .map(|&i| (i, sketch(&token_sets[i as usize], 5, SKETCH_LEN)))
            .collect())
    };
    let content_keys: Vec<Option<u64>> = prints.iter().map(|p| p.content_key).collect();
    c.bench_function("clustering 2.4k docs", |b| {
        b.iter(|| {
            let bands: Vec<Option<&[u64]>> = prints.iter().map(|p| p.bands.as_deref()).collect();
            let candidates = dedup::detect::lsh::candidate_pairs(black_box(&bands));
            near_dup::clusters(&content_keys, &candidates, 0.8, sketches).unwrap()
        })
    });

    // End to end on a folder of 10 MB: documents cut from the text, plus near copies.
    let big = self::text(10 << 20);
    let dir = tempfile::tempdir().unwrap();
    for (i, chunk) in big.as_bytes().chunks(8 << 10).enumerate() {
        let s = String::from_utf8_lossy(chunk);
        std::fs::write(dir.path().join(format!("{i:05}.txt")), s.as_bytes()).unwrap();
        if i % 10 == 0 {
            let copy = s.replacen(' ', " edited ", 1);
            std::fs::write(dir.path().join(format!("{i:05}b.txt")), copy.as_bytes()).unwrap();
        }
    }
    let bytes: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("scan 10MB", |b| {
        b.iter(|| dedup::scan(&[dir.path().to_path_buf()], &Options::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
