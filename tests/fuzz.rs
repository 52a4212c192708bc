//! The fuzzing harness: structured random input for three targets, on the stable toolchain.
//!
//! - `doc`: one document's bytes → decode, segment, normalise, fingerprint, furniture evidence,
//!   spans and their texts (the library's per-document path, in process).
//! - `shard`: a JSONL shard, plain, gzip or zstd, with bad records, truncated or damaged → the
//!   reader; every line must be accounted for.
//! - `scan_apply`: a small folder of text files and shards → `dedup scan` with random options,
//!   then `dedup apply` with its report (the real binary): both exit 0 or 3, and `apply` removes
//!   exactly the reported bytes of every text file.
//!
//! Input is built from pieces biased towards what breaks text code: Unicode whitespace and
//! control characters (VT, FF, NEL, U+2028/9, BOM, soft hyphen, zero-width space), combining
//! marks without a base, every line end, invalid UTF-8, repeats of earlier pieces, truncated
//! streams. proptest generates and shrinks it; a failing input is written to
//! `tests/fuzz-regressions/<target>-<hash>.json`, and every file there is replayed first, so a
//! crash found once stays a test.
//!
//! `cargo test --test fuzz` runs a fixed number of cases from a fixed seed (a few seconds);
//! `scripts/fuzz --seconds N` runs each target for a share of N seconds from a random seed
//! (`DEDUP_FUZZ_SECONDS`, `DEDUP_FUZZ_SEED`).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let budget = std::env::var("DEDUP_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok());
    let seed: u64 = std::env::var("DEDUP_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if budget.is_some() {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        } else {
            1
        });
    let mut failures = replay_regressions();
    println!(
        "fuzz: seed {seed}, {}",
        match budget {
            Some(s) => format!("{s} s"),
            None => "fixed cases".into(),
        }
    );
    // Shares of the time, and fixed case counts, per target (the binary target is the slowest).
    let targets: [(&str, f64, u32); 3] = [
        ("doc", 0.3, 3000),
        ("shard", 0.2, 400),
        ("scan_apply", 0.5, 60),
    ];
    for (k, (name, share, cases)) in targets.into_iter().enumerate() {
        let limit = budget.map(|s| Duration::from_secs_f64(s * share));
        let seed = seed.wrapping_add(k as u64);
        let outcome = match name {
            "doc" => run(name, doc_input(), check_doc, seed, limit, cases),
            "shard" => run(name, shard_input(), check_shard, seed, limit, cases),
            _ => run(name, corpus_input(), check_scan_apply, seed, limit, cases),
        };
        failures += outcome;
    }
    if failures > 0 {
        eprintln!("fuzz: {failures} failing input(s), written to tests/fuzz-regressions/");
        std::process::exit(1);
    }
}

/// Runs one target until `limit` (or for `cases` cases without one); writes the shrunk input of
/// a failure as a regression file. Returns the number of failures (0 or 1).
fn run<T: Serialize + std::fmt::Debug>(
    name: &str,
    strategy: impl Strategy<Value = T>,
    check: fn(&T) -> Result<(), TestCaseError>,
    seed: u64,
    limit: Option<Duration>,
    cases: u32,
) -> usize {
    let started = Instant::now();
    let config = Config {
        cases: if limit.is_some() { 32 } else { cases },
        failure_persistence: None,
        max_shrink_iters: 2048,
        max_shrink_time: 120_000,
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    // A runner counts its cases from its start: each batch gets a new one, with an RNG forked
    // from this one.
    let mut master = TestRunner::new_with_rng(config.clone(), rng);
    let mut done = 0u64;
    // Panics are reported by proptest with their message: the default hook would print each of
    // the shrinking steps' too.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = loop {
        let mut runner = TestRunner::new_with_rng(config.clone(), master.new_rng());
        let result = runner.run(&strategy, |input| check(&input));
        done += u64::from(config.cases);
        match (&result, limit) {
            (Err(_), _) | (Ok(()), None) => break result,
            (Ok(()), Some(limit)) if started.elapsed() >= limit => break result,
            _ => {}
        }
    };
    std::panic::set_hook(hook);
    let secs = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => {
            println!("fuzz: {name}: {done} cases, no failure ({secs:.1} s)");
            0
        }
        Err(TestError::Abort(why)) => {
            println!("fuzz: {name}: aborted after {done} cases: {why}");
            1
        }
        Err(TestError::Fail(why, input)) => {
            let path = save_regression(name, &input);
            println!(
                "fuzz: {name}: FAILED after about {done} cases ({secs:.1} s): {why}\n  input: {input:?}\n  saved as {}",
                path.display()
            );
            1
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

/// A failing input, as it is kept in `tests/fuzz-regressions`.
#[derive(Serialize, Deserialize)]
struct Regression<T> {
    target: String,
    input: T,
}

fn save_regression<T: Serialize>(target: &str, input: &T) -> PathBuf {
    let json = serde_json::to_string(&Regression {
        target: target.to_string(),
        input,
    })
    .expect("inputs serialise");
    let hash = xxhash_rust::xxh3::xxh3_64(json.as_bytes());
    let dir = regressions_dir();
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{hash:016x}.json"));
    let _ = std::fs::write(&path, json + "\n");
    path
}

/// Runs every saved regression through its target; returns the number that fail.
fn replay_regressions() -> usize {
    let Ok(entries) = std::fs::read_dir(regressions_dir()) else {
        return 0;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut failures = 0;
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("regression readable");
        let target: Regression<serde_json::Value> =
            serde_json::from_str(&text).expect("regression parses");
        let outcome = std::panic::catch_unwind(|| match target.target.as_str() {
            "doc" => check_doc(&serde_json::from_value(target.input.clone()).unwrap()),
            "shard" => check_shard(&serde_json::from_value(target.input.clone()).unwrap()),
            "scan_apply" => {
                check_scan_apply(&serde_json::from_value(target.input.clone()).unwrap())
            }
            other => Err(TestCaseError::fail(format!("unknown target {other}"))),
        });
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                println!("fuzz: regression {} fails: {e}", path.display());
                failures += 1;
            }
            Err(_) => {
                println!("fuzz: regression {} panics", path.display());
                failures += 1;
            }
        }
    }
    println!("fuzz: {} regression input(s) replayed", paths.len());
    failures
}

// ---------------------------------------------------------------------------------------------
// Generated text

/// A piece of a generated document.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Piece {
    /// Valid text.
    Text(String),
    /// Raw bytes, usually not UTF-8.
    Bytes(Vec<u8>),
    /// A copy of `len` bytes from `back` bytes before the end of what is written so far.
    Repeat { back: u16, len: u16 },
}

const WORDS: &[&str] = &[
    "the",
    "bank",
    "raised",
    "its",
    "rates",
    "again",
    "today",
    "and",
    "said",
    "Leave a Reply",
    "Publicité",
    "Share this",
    "You may also like",
    "café",
    "Straße",
    "naïve",
    "l’été",
    "日本語の文章です",
    "中文段落内容",
    "한국어 문장",
    "ภาษาไทยไม่มีช่องว่าง",
    "Ελληνικά",
    "русский",
    "e\u{301}",
    "🇫🇷",
    "👍🏽",
    "👨\u{200d}👩\u{200d}👧",
    "1.9.21_1169",
    "http://x.y/z?a=1",
    "=HYPERLINK(\"x\")",
    "-rf",
    "@user",
    "+33",
    "'quoted",
    "2013",
    "0.0/5",
    "MAJUSCULES",
    "x",
];

/// Whitespace and invisible characters: Unicode `White_Space` and what is often taken for it.
const SPACES: &[&str] = &[
    " ", "  ", "\t", "\u{b}", "\u{c}", "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{2009}",
    "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{feff}", "\u{ad}", "\u{200b}",
    "\u{200c}", "\u{200d}", "\u{2060}", "\u{180e}",
];

const LINE_ENDS: &[&str] = &["\n", "\r\n", "\r", "\n\n", "\n\r", "\r\r\n", "\n \n"];

/// Combining marks and modifiers with nothing to combine with, and joiners.
const MARKS: &[&str] = &[
    "\u{301}",
    "\u{308}\u{308}\u{308}",
    "\u{20dd}",
    "\u{1ab0}",
    "\u{fe0f}",
    "\u{e0100}",
    "\u{1f3fd}",
    "\u{200d}",
    "\u{1f1eb}",
    "\u{0e31}",
    "\u{093f}",
    "\u{3099}",
];

const PUNCT: &[&str] = &[
    ".", "!", "?", "…", "。", "！", "？", "．", ",", "-", "»", "\"", "'", "(", ")", "|", "•", "©",
    ":", ";", "*", "* * *", "---", "。」", ".\"", "」",
];

const RAW: &[&[u8]] = &[
    b"\xff",
    b"\xe9",
    b"\x80",
    b"\xc3",
    b"\xe6\x97",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xef\xbb\xbf",
    b"\xc2\x85",
];

/// A long line of prose, for hard-wrap joins, long segments and sentence tails.
const PROSE: &str = "The ministers of the three guarantor countries met again on Thursday to \
    discuss the ceasefire, and said that the talks would go on next week in the capital";

fn piece() -> impl Strategy<Value = Piece> {
    let text = |list: &'static [&'static str]| {
        proptest::sample::select(list).prop_map(|s: &str| Piece::Text(s.to_string()))
    };
    prop_oneof![
        12 => text(WORDS),
        8 => text(SPACES),
        6 => text(LINE_ENDS),
        3 => text(MARKS),
        5 => text(PUNCT),
        2 => (0u32..0x20).prop_map(|c| Piece::Text(char::from_u32(c).unwrap().to_string())),
        1 => (0x7fu32..0xa0).prop_map(|c| Piece::Text(char::from_u32(c).unwrap().to_string())),
        2 => any::<char>().prop_map(|c| Piece::Text(c.to_string())),
        1 => Just(Piece::Text(PROSE.to_string())),
        1 => (0u32..100_000).prop_map(|n| Piece::Text(n.to_string())),
        2 => proptest::sample::select(RAW).prop_map(|b: &[u8]| Piece::Bytes(b.to_vec())),
        3 => (1u16..400, 1u16..300).prop_map(|(back, len)| Piece::Repeat { back, len }),
    ]
}

/// Pieces joined into bytes (NUL bytes aside, which make a file binary: they are left out).
fn render(pieces: &[Piece]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.extend_from_slice(t.as_bytes()),
            Piece::Bytes(b) => out.extend_from_slice(b),
            Piece::Repeat { back, len } => {
                let back = (*back as usize).min(out.len());
                let from = out.len() - back;
                let to = (from + *len as usize).min(out.len());
                out.extend_from_within(from..to);
            }
        }
    }
    out.retain(|&b| b != 0);
    out
}

fn pieces(max: usize) -> impl Strategy<Value = Vec<Piece>> {
    proptest::collection::vec(piece(), 0..max)
}

// ---------------------------------------------------------------------------------------------
// Target `doc`

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DocInput {
    pieces: Vec<Piece>,
    shingle: usize,
    furniture: bool,
    /// Segment keys counted in `min_docs` documents: every `frequent`-th segment.
    frequent: usize,
}

fn doc_input() -> impl Strategy<Value = DocInput> {
    (pieces(120), 1usize..7, any::<bool>(), 0usize..5).prop_map(
        |(pieces, shingle, furniture, frequent)| DocInput {
            pieces,
            shingle,
            furniture,
            frequent,
        },
    )
}

fn check_doc(input: &DocInput) -> Result<(), TestCaseError> {
    use dedup::detect::{assemble, SpanRules, Verdict};
    let bytes = render(&input.pieces);
    let lines = dedup::doc::lines::lines(&bytes);
    let covered: usize = lines.iter().map(|l| l.end - l.start).sum();
    prop_assert!(covered <= bytes.len());
    let Ok((text, lossy)) = dedup::read::decode(&bytes) else {
        return Ok(());
    };
    let mut tokenizer = dedup::doc::normalize::Tokenizer::new();
    let tokens = dedup::doc::paragraphs::tokenize(&text, &mut tokenizer);
    let mut prev_end = 0;
    for s in &tokens.segments {
        prop_assert!(
            prev_end <= s.start && s.start < s.end && s.end <= text.len(),
            "{s:?}"
        );
        prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        prev_end = s.end;
    }
    let lsh = dedup::doc::LshParams { bands: 4, rows: 4 };
    let detectors = dedup::Detectors::default();
    let mut print =
        dedup::doc::print::doc_print(text.len(), &tokens, input.shingle, 16, lsh, detectors);
    if input.furniture {
        let evidence = dedup::doc::evidence::evidence(&text, &tokens, &mut tokenizer);
        print.furniture = Some(Box::new(evidence));
    }
    let _ = dedup::doc::minhash::sketch(&tokens.words, input.shingle, 64);
    let mut frequent = rustc_hash::FxHashMap::default();
    if input.frequent > 0 {
        for s in tokens.segments.iter().step_by(input.frequent) {
            frequent.insert(s.key, 3);
        }
    }
    let rules = SpanRules {
        furniture: input.furniture.then_some(0.5),
        ..SpanRules::default()
    };
    let verdict = Verdict::Kept {
        frequent: &frequent,
    };
    let spans = assemble(0, &print, verdict, rules);
    let documents = vec![dedup::Document {
        name: "d".into(),
        id: None,
        id_number: false,
        lang: 0,
        source: 0,
        line: 0,
        len: bytes.len(),
        chars: text.chars().count(),
    }];
    let how = dedup::report::locate::Locating {
        whole_lines: input.furniture,
        code_points: true,
    };
    let (spans, texts) =
        dedup::report::locate::locate(spans, &text, lossy.as_ref(), &documents, how);
    let mut prev_end = 0;
    for (s, t) in spans.iter().zip(&texts) {
        prop_assert!(
            prev_end <= s.start && s.start < s.end && s.end <= bytes.len(),
            "{s:?}"
        );
        prev_end = s.end;
        // On the boundaries of the original bytes: cutting there changes no decoded character.
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        for at in [s.start, s.end] {
            prop_assert_eq!(
                lossy(&bytes[..at]) + &lossy(&bytes[at..]),
                lossy(&bytes),
                "offset {} is not a character boundary",
                at
            );
        }
        prop_assert!(t.chars[0] <= t.chars[1] && t.lines[0] <= t.lines[1]);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Target `shard`

/// One line of a generated shard.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Record {
    /// `{"id": .., "text": ..}` with the text of the pieces (lossily decoded).
    Good {
        id: i64,
        text: Vec<Piece>,
    },
    /// The text field holds something else.
    WrongType(u8),
    /// No text field.
    NoText,
    /// Not JSON: these bytes.
    Garbage(Vec<Piece>),
    Blank,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ShardInput {
    records: Vec<Record>,
    crlf: bool,
    /// 0 plain, 1 gzip, 2 zstd.
    compression: u8,
    /// Damage to the (compressed) bytes: cut at this share of the length, or flip a byte there.
    damage: Option<(u16, bool)>,
}

fn record() -> impl Strategy<Value = Record> {
    prop_oneof![
        8 => (0i64..4, pieces(40)).prop_map(|(id, text)| Record::Good { id, text }),
        1 => (0u8..4).prop_map(Record::WrongType),
        1 => Just(Record::NoText),
        1 => pieces(10).prop_map(Record::Garbage),
        1 => Just(Record::Blank),
    ]
}

fn shard_input() -> impl Strategy<Value = ShardInput> {
    (
        proptest::collection::vec(record(), 0..12),
        any::<bool>(),
        0u8..3,
        proptest::option::weighted(0.3, (0u16..1000, any::<bool>())),
    )
        .prop_map(|(records, crlf, compression, damage)| ShardInput {
            records,
            crlf,
            compression,
            damage,
        })
}

fn shard_name(compression: u8) -> &'static str {
    ["s.jsonl", "s.jsonl.gz", "s.jsonl.zst"][compression as usize % 3]
}

/// The shard's lines, decompressed.
fn shard_plain(input: &ShardInput) -> Vec<u8> {
    let mut plain = Vec::new();
    for r in &input.records {
        match r {
            Record::Good { id, text } => {
                let text = String::from_utf8_lossy(&render(text)).into_owned();
                let line = serde_json::json!({"id": id, "text": text, "meta": {"n": 1}});
                write!(plain, "{line}").unwrap();
            }
            Record::WrongType(k) => {
                let v = match k {
                    0 => serde_json::json!(3),
                    1 => serde_json::json!(null),
                    2 => serde_json::json!(["a"]),
                    _ => serde_json::json!({"a": 1}),
                };
                write!(plain, "{}", serde_json::json!({"id": "x", "text": v})).unwrap();
            }
            Record::NoText => plain.extend_from_slice(br#"{"id": 7, "body": "no text here"}"#),
            Record::Garbage(p) => {
                let mut g = render(p);
                g.retain(|&b| b != b'\n' && b != b'\r');
                plain.extend_from_slice(&g);
            }
            Record::Blank => {}
        }
        plain.extend_from_slice(if input.crlf { b"\r\n" } else { b"\n" });
    }
    plain
}

fn shard_bytes(input: &ShardInput) -> Vec<u8> {
    let plain = shard_plain(input);
    let mut bytes = match input.compression % 3 {
        0 => plain,
        1 => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&plain).unwrap();
            e.finish().unwrap()
        }
        _ => zstd::encode_all(&plain[..], 3).unwrap(),
    };
    if let Some((at, flip)) = input.damage {
        let at = (at as usize * bytes.len()) / 1000;
        if flip && at < bytes.len() {
            bytes[at] ^= 0x5a;
        } else {
            bytes.truncate(at);
        }
    }
    bytes
}

fn check_shard(input: &ShardInput) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let name = shard_name(input.compression);
    let path = tmp.path().join(name);
    std::fs::write(&path, shard_bytes(input)).unwrap();
    let src = dedup::read::Source {
        name: name.to_string(),
        path: path.clone(),
    };
    let options = dedup::read::ReadOptions::default();
    let (mut lines, mut broken) = (Vec::new(), false);
    dedup::read::read_items(&src, &options, |item| {
        match item {
            dedup::read::Item::Doc(r) => lines.push(r.line),
            dedup::read::Item::Skip { line, reason, .. } => {
                if reason.contains("the rest of the shard is not read") || line == 0 {
                    broken = true;
                }
                lines.push(line);
            }
        }
        Ok(())
    })
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    // Lines in order, each once.
    prop_assert!(lines.windows(2).all(|w| w[0] < w[1] || broken), "{lines:?}");
    if input.damage.is_none() {
        let plain = shard_plain(input);
        let nonblank = plain
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count();
        prop_assert_eq!(lines.len(), nonblank, "every record accounted for");
    }
    // The second read (records picked by number) and apply's line walk do not panic either.
    let _ = dedup::read::pick_lines(&src, 1 << 20, &[1, 2, 5], |_, _| Ok(()));
    let _ = dedup::read::for_each_line(&src, |_, _| Ok(()));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Target `scan_apply`

#[derive(Debug, Clone, Serialize, Deserialize)]
enum File {
    /// A text file; `copy_of` makes it a copy of an earlier file with these pieces appended.
    Text {
        pieces: Vec<Piece>,
        copy_of: Option<usize>,
        /// 0 plain, 1 gzip, 2 zstd; `cut` truncates the compressed bytes to this share (of 1000).
        compression: u8,
        cut: Option<u16>,
    },
    Shard(ShardInput),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CorpusInput {
    files: Vec<File>,
    /// Lines shared by every text file (boilerplate across documents).
    shared: Vec<Piece>,
    args: Vec<String>,
    threads: u8,
}

fn file() -> impl Strategy<Value = File> {
    prop_oneof![
        6 => (pieces(60), proptest::option::weighted(0.3, 0usize..4), prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
              proptest::option::weighted(0.2, 0u16..1000))
            .prop_map(|(pieces, copy_of, compression, cut)| File::Text { pieces, copy_of, compression, cut }),
        2 => shard_input().prop_map(File::Shard),
    ]
}

fn scan_args() -> impl Strategy<Value = Vec<String>> {
    let pick = |options: &'static [&'static str]| proptest::sample::select(options);
    (
        pick(&[
            "",
            "--no-furniture",
            "--boilerplate-threshold=0.3",
            "--boilerplate-threshold=0.95",
        ]),
        pick(&["", "--min-docs=2", "--min-docs=4"]),
        pick(&[
            "",
            "--shingle=1",
            "--shingle=3",
            "--threshold=0.5",
            "--threshold=1",
        ]),
        pick(&["", "--offsets=chars"]),
        pick(&["", "--format=jsonl"]),
        pick(&[
            "",
            "--detect=near-dup",
            "--detect=repeated",
            "--detect=boilerplate,repeated",
            "--min-repeat-words=1",
        ]),
        pick(&["", "--max-doc-bytes=200"]),
    )
        .prop_map(|(a, b, c, d, e, f, g)| {
            [a, b, c, d, e, f, g]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
}

fn corpus_input() -> impl Strategy<Value = CorpusInput> {
    (
        proptest::collection::vec(file(), 1..6),
        pieces(12),
        scan_args(),
        1u8..3,
    )
        .prop_map(|(files, shared, args, threads)| CorpusInput {
            files,
            shared,
            args,
            threads,
        })
}

/// The corpus's files: (name, bytes on disk, plain bytes of a text file).
fn corpus_files(input: &CorpusInput) -> Vec<(String, Vec<u8>, Option<Vec<u8>>)> {
    let shared = render(&input.shared);
    let mut plain_texts: Vec<Vec<u8>> = Vec::new();
    let mut out = Vec::new();
    for (i, f) in input.files.iter().enumerate() {
        match f {
            File::Text {
                pieces,
                copy_of,
                compression,
                cut,
            } => {
                let own = render(pieces);
                let mut plain = match copy_of.and_then(|k| plain_texts.get(k)) {
                    Some(earlier) => [earlier.as_slice(), &own[..own.len().min(8)]].concat(),
                    None => [shared.as_slice(), b"\n", &own, b"\n", &shared].concat(),
                };
                plain.retain(|&b| b != 0);
                plain_texts.push(plain.clone());
                let ext = ["", ".gz", ".zst"][*compression as usize % 3];
                let name = format!("t{i}.txt{ext}");
                let mut bytes = match compression % 3 {
                    0 => plain.clone(),
                    1 => {
                        let mut e = flate2::write::GzEncoder::new(
                            Vec::new(),
                            flate2::Compression::default(),
                        );
                        e.write_all(&plain).unwrap();
                        e.finish().unwrap()
                    }
                    _ => zstd::encode_all(&plain[..], 3).unwrap(),
                };
                if let Some(cut) = cut.filter(|_| *compression > 0) {
                    bytes.truncate(cut as usize * bytes.len() / 1000);
                }
                let plain = (*compression == 0).then_some(plain);
                out.push((name, bytes, plain));
            }
            File::Shard(s) => {
                let name = format!("s{i}-{}", shard_name(s.compression));
                out.push((name, shard_bytes(s), None));
            }
        }
    }
    out
}

fn dedup_bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_dedup"))
}

fn check_exit(what: &str, out: &std::process::Output) -> Result<(), TestCaseError> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    prop_assert!(
        !stderr.contains("panicked"),
        "{} panicked: {}",
        what,
        stderr
    );
    prop_assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "{} exit {:?}: {}",
        what,
        out.status.code(),
        stderr
    );
    Ok(())
}

fn check_scan_apply(input: &CorpusInput) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let files = corpus_files(input);
    for (name, bytes, _) in &files {
        std::fs::write(corpus.join(name), bytes).unwrap();
    }
    let report = tmp.path().join("report");
    let out = dedup_bin()
        .args(["scan", "-q", "--threads", &input.threads.to_string()])
        .args(&input.args)
        .arg("-o")
        .arg(&report)
        .arg(&corpus)
        .output()
        .unwrap();
    check_exit("scan", &out)?;
    let clean = tmp.path().join("clean");
    let chars = input.args.iter().any(|a| a == "--offsets=chars");
    let out = dedup_bin()
        .args([
            "apply",
            "-q",
            "--offsets",
            if chars { "chars" } else { "bytes" },
            "--report",
        ])
        .arg(&report)
        .arg("--out")
        .arg(&clean)
        .arg(&corpus)
        .output()
        .unwrap();
    check_exit("apply", &out)?;
    // Every plain text file: what apply wrote is the file minus the reported spans.
    let rows = report_rows(&std::fs::read(&report).unwrap());
    for (name, bytes, plain) in &files {
        let Some(plain) = plain else { continue };
        prop_assert_eq!(plain, bytes);
        let mine: Vec<&(String, usize, usize, bool)> =
            rows.iter().filter(|r| &r.0 == name).collect();
        let written = std::fs::read(clean.join(name)).ok();
        if mine.iter().any(|r| r.3) {
            prop_assert!(written.is_none(), "{name}: flagged whole but written");
            continue;
        }
        let Some(written) = written else {
            return Err(TestCaseError::fail(format!("{name}: not written")));
        };
        let expected = if chars {
            let text = String::from_utf8_lossy(plain);
            if !matches!(text, std::borrow::Cow::Borrowed(_)) {
                continue; // code points of a lossy decode: checked by the props tests
            }
            let mut keep = vec![true; text.chars().count()];
            for r in &mine {
                keep[r.1..r.2].iter_mut().for_each(|k| *k = false);
            }
            text.chars()
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|(c, _)| c)
                .collect::<String>()
                .into_bytes()
        } else {
            let mut e = Vec::new();
            let mut at = 0;
            for r in &mine {
                e.extend_from_slice(&plain[at..r.1]);
                at = r.2;
            }
            e.extend_from_slice(&plain[at..]);
            e
        };
        prop_assert_eq!(
            written,
            expected,
            "{}: apply did not remove exactly the spans",
            name
        );
    }
    Ok(())
}

/// (doc, start, end, whole) of every row of a CSV or JSONL report.
fn report_rows(bytes: &[u8]) -> Vec<(String, usize, usize, bool)> {
    let whole = |kind: &str| kind == "near_duplicate" || kind == "exact_duplicate";
    if bytes.first() == Some(&b'{') {
        let mut out = Vec::new();
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value = serde_json::from_slice(line).unwrap();
            for s in v["spans"].as_array().unwrap() {
                out.push((
                    v["doc"].as_str().unwrap().to_string(),
                    s[0].as_u64().unwrap() as usize,
                    s[1].as_u64().unwrap() as usize,
                    whole(s[2].as_str().unwrap()),
                ));
            }
        }
        return out;
    }
    let mut reader = csv::Reader::from_reader(bytes);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                dedup::report::uncell(&r[0]).to_string(),
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
                whole(&r[3]),
            )
        })
        .collect()
}
