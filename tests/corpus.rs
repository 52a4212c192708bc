//! A generated corpus with planted copies at known Jaccard similarity, and determinism.

mod common;
use common::*;
use dedup::doc::minhash::{jaccard, shingle_set, signature};
use dedup::doc::normalize::Tokenizer;
use dedup::doc::paragraphs::tokenize;
use dedup::pipeline::Settings;
use dedup::{Detectors, Options};
use std::path::PathBuf;

fn word(rng: &mut Rng) -> String {
    format!("w{}", rng.below(5000))
}

/// A document of `n` random words in sentences of 12 and lines of 3 sentences.
fn document(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n).map(|_| word(rng)).collect()
}

fn render(words: &[String]) -> String {
    let mut s = String::new();
    for (i, w) in words.iter().enumerate() {
        s.push_str(w);
        s.push_str(if i % 36 == 35 {
            ".\n"
        } else if i % 12 == 11 {
            ". "
        } else {
            " "
        });
    }
    s
}

/// `words` with `edits` words replaced at evenly spaced places.
fn edited(rng: &mut Rng, words: &[String], edits: usize) -> Vec<String> {
    let mut out = words.to_vec();
    for e in 0..edits {
        let at = (e * 2 + 1) * words.len() / (edits * 2);
        out[at] = format!("edit{}", rng.next());
    }
    out
}

fn exact_jaccard(a: &str, b: &str) -> f64 {
    let set = |t: &str| shingle_set(&tokenize(t, &mut Tokenizer::new()).words, 5);
    jaccard(&set(a), &set(b))
}

struct Planted {
    dir: tempfile::TempDir,
    /// (copy, original, exact Jaccard)
    high: Vec<(String, String, f64)>,
    low: Vec<(String, String, f64)>,
}

fn planted() -> Planted {
    let mut rng = Rng(0x5eed_1234_abcd);
    let mut files: Vec<(String, String)> = Vec::new();
    let (mut high, mut low) = (Vec::new(), Vec::new());
    for i in 0..20 {
        let base = document(&mut rng, 300);
        let a = format!("a_{i:03}.txt");
        files.push((a.clone(), render(&base)));
        // One edit: Jaccard about 0.97.
        let near = render(&edited(&mut rng, &base, 1));
        let j = exact_jaccard(&files.last().unwrap().1, &near);
        high.push((format!("b_{i:03}.txt"), a.clone(), j));
        files.push((format!("b_{i:03}.txt"), near));
        // Twenty edits: Jaccard about 0.5.
        let far = render(&edited(&mut rng, &base, 20));
        let j = exact_jaccard(&render(&base), &far);
        low.push((format!("c_{i:03}.txt"), a.clone(), j));
        files.push((format!("c_{i:03}.txt"), far));
    }
    // Unrelated filler.
    for i in 0..40 {
        files.push((format!("z_{i:03}.txt"), render(&document(&mut rng, 200))));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_bytes()))
        .collect();
    Planted {
        dir: corpus(&refs),
        high,
        low,
    }
}

#[test]
fn planted_copies_at_known_jaccard() {
    let p = planted();
    for (_, _, j) in &p.high {
        assert!(*j >= 0.95, "generator drifted: {j}");
    }
    for (_, _, j) in &p.low {
        assert!((0.4..=0.6).contains(j), "generator drifted: {j}");
    }
    let rows = scan_rows(&[p.dir.path().to_path_buf()], &Options::default());
    assert_well_formed(p.dir.path(), &rows);
    for (copy, original, j) in &p.high {
        let r = rows
            .iter()
            .find(|r| &r.doc == copy)
            .unwrap_or_else(|| panic!("{copy} not found"));
        assert_eq!(r.kind.as_str(), "near_duplicate");
        assert_eq!(r.keep_doc.as_deref(), Some(original.as_str()));
        assert!(
            (r.similarity.unwrap() - j).abs() < 1e-4,
            "{r:?} vs exact {j}"
        );
        assert_eq!(r.start, 0);
        assert_eq!(
            r.end,
            std::fs::metadata(p.dir.path().join(copy)).unwrap().len() as usize
        );
    }
    for (copy, _, _) in &p.low {
        assert!(
            rows.iter().all(|r| &r.doc != copy || r.cluster.is_none()),
            "{copy} flagged"
        );
    }
    // Nothing but the planted copies is a duplicate.
    let whole: Vec<_> = rows.iter().filter(|r| r.cluster.is_some()).collect();
    assert_eq!(whole.len(), p.high.len());
    let mut ids: Vec<u32> = whole.iter().map(|r| r.cluster.unwrap()).collect();
    ids.dedup();
    assert_eq!(
        ids,
        (1..=20).collect::<Vec<u32>>(),
        "cluster ids follow the kept documents"
    );
}

#[test]
fn exact_and_short_duplicates() {
    let long = "The central bank raised its main interest rate by half a point on Thursday, citing inflation.";
    let dir = corpus(&[
        ("1.txt", long.as_bytes()),
        ("2.txt", long.to_uppercase().replace(',', " ;").as_bytes()),
        ("3.txt", b"Short note here"),
        ("4.txt", b"short NOTE here!"),
        ("5.txt", b"Another short one"),
        ("6.txt", b"!!! ---"),
        ("7.txt", b"!!! ---"),
        ("8.txt", b""),
        ("9.txt", b""),
    ]);
    let rows = scan_rows(&[dir.path().to_path_buf()], &Options::default());
    let whole: Vec<(&str, &str, &str)> = rows
        .iter()
        .filter(|r| r.cluster.is_some())
        .map(|r| {
            (
                r.doc.as_ref(),
                r.kind.as_str(),
                r.keep_doc.as_deref().unwrap(),
            )
        })
        .collect();
    // Documents without any word are never duplicates of each other.
    assert_eq!(
        whole,
        vec![
            ("2.txt", "exact_duplicate", "1.txt"),
            ("4.txt", "exact_duplicate", "3.txt")
        ]
    );
}

#[test]
fn same_report_for_any_thread_count_and_argument_order() {
    let p = planted();
    let a = p.dir.path().to_path_buf();
    let seeds = seeds();
    let run = |paths: &[PathBuf], threads| {
        report_bytes(
            paths,
            &Options {
                threads: Some(threads),
                ..Options::default()
            },
        )
    };
    let one = run(&[a.clone(), seeds.clone()], 1);
    assert!(one.len() > 1000);
    for threads in [2, 8] {
        assert_eq!(
            one,
            run(&[a.clone(), seeds.clone()], threads),
            "threads = {threads}"
        );
    }
    assert_eq!(one, run(&[seeds, a], 2), "argument order");
}

/// The MinHash signature's Jaccard estimate is unbiased enough to be trusted for candidates:
/// on planted pairs spread over 0.3..1.0, its mean absolute error is at most 0.03.
#[test]
fn signature_estimate_tracks_exact_jaccard() {
    let mut rng = Rng(0x0e57_1a7e);
    let (mut total_error, mut n) = (0.0, 0);
    for i in 0..200 {
        let base = document(&mut rng, 400);
        let copy = edited(&mut rng, &base, i % 25);
        let (a, b) = (render(&base), render(&copy));
        let words = |t: &str| tokenize(t, &mut Tokenizer::new()).words;
        let (wa, wb) = (words(&a), words(&b));
        let exact = jaccard(&shingle_set(&wa, 5), &shingle_set(&wb, 5));
        let estimate = signature(&wa, 5, 128).estimate(&signature(&wb, 5, 128));
        total_error += (estimate - exact).abs();
        n += 1;
    }
    let mae = total_error / n as f64;
    eprintln!("signature estimate: mean absolute error {mae:.4} over {n} pairs");
    assert!(mae <= 0.03, "mean absolute error {mae:.4}");
    assert!(mae > 0.0, "an estimate that is always exact is suspicious");
}

#[test]
fn pairs_file_lists_every_linked_pair() {
    let p = planted();
    let out = tempfile::tempdir().unwrap();
    let pairs = out.path().join("pairs.csv");
    assert_cmd::Command::cargo_bin("dedup")
        .unwrap()
        .args(["scan", "-q", "--pairs"])
        .arg(&pairs)
        .arg(p.dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(&pairs).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("doc_a,doc_b,similarity,id_a,id_b"));
    let got: Vec<(String, String, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string(), f[2].parse().unwrap())
        })
        .collect();
    assert_eq!(got.len(), p.high.len(), "{text}");
    for (copy, original, j) in &p.high {
        assert!(
            got.iter()
                .any(|(a, b, s)| a == original && b == copy && (s - j).abs() < 1e-4),
            "{original},{copy} missing from {text}"
        );
    }
}

/// More documents than one streamed run of spans (4,096): rows stay in corpus order, every
/// boilerplate line is reported in every document, and the report is the same for 1 and 2
/// threads.
#[test]
fn reports_spanning_several_streamed_runs() {
    let dir = tempfile::tempdir().unwrap();
    let n = 9_000;
    for i in 0..n {
        let text = format!(
            "Story number {i} tells of {} and {} in the year {}.\nShare this article\n",
            i * 7 % 1000,
            i * 13 % 997,
            1900 + i % 120
        );
        std::fs::write(dir.path().join(format!("{i:05}.txt")), text).unwrap();
    }
    let run = |threads| {
        // The stories differ only in their numbers: the furniture classifier would cut them as a
        // template; this test is about the repeated line.
        let options = Settings {
            threads: Some(threads),
            furniture: None,
            ..Settings::default()
        };
        report_bytes(&[dir.path().to_path_buf()], &options.options().unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(2));
    let rows = parse(&one);
    assert_eq!(rows.len(), n, "one boilerplate row per document");
    assert!(rows.windows(2).all(|w| w[0].doc < w[1].doc));
    assert!(rows
        .iter()
        .all(|r| r.kind.as_str() == "boilerplate" && r.line_start == 2));
}

/// `--detect` runs some detectors only: each reports only its kinds; near duplicates (which no
/// other detector influences) are the rows of a full run, and a repeated paragraph of a full run
/// lies inside one of the repeated-only run (there, furniture lines do not break the runs).
#[test]
fn each_detector_alone_reports_only_its_own_rows() {
    let p = planted();
    let paths = [p.dir.path().to_path_buf(), seeds()];
    let run = |repeated, boilerplate, near_dup| {
        let options = Settings {
            detectors: Detectors {
                repeated,
                boilerplate,
                near_dup,
            },
            ..Settings::default()
        };
        scan_rows(&paths, &options.options().unwrap())
    };
    let full = run(true, true, true);
    let kinds = |rows: &[Row]| {
        let mut k: Vec<String> = rows.iter().map(|r| r.kind.as_str().to_string()).collect();
        k.sort();
        k.dedup();
        k
    };
    assert_eq!(
        kinds(&full),
        ["boilerplate", "near_duplicate", "repeated_paragraph"]
    );

    let near = run(false, false, true);
    let full_whole: Vec<Row> = full
        .iter()
        .filter(|r| r.cluster.is_some())
        .cloned()
        .collect();
    assert_eq!(near, full_whole);

    let repeated = run(true, false, false);
    assert_eq!(kinds(&repeated), ["repeated_paragraph"]);
    for r in full
        .iter()
        .filter(|r| r.kind.as_str() == "repeated_paragraph")
    {
        assert!(
            repeated
                .iter()
                .any(|s| s.doc == r.doc && s.start <= r.start && r.end <= s.end),
            "{r:?} not in the repeated-only run"
        );
    }

    let boilerplate = run(false, true, false);
    assert_eq!(kinds(&boilerplate), ["boilerplate"]);
    // Without near duplicates every copy votes: at least the full run's boilerplate is found
    // in the documents that run keeps.
    let kept_rows = full.iter().filter(|r| r.kind.as_str() == "boilerplate");
    for r in kept_rows {
        assert!(
            boilerplate
                .iter()
                .any(|s| s.doc == r.doc && s.start <= r.start && r.end <= s.end),
            "{r:?} not in the boilerplate-only run"
        );
    }
    assert!(run(true, true, false).iter().all(|r| r.cluster.is_none()));
}
