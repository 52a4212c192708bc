//! `dedup apply`: removes exactly the reported bytes, keeps formats, never writes outside --out,
//! refuses a report that does not fit the corpus.

mod common;
use assert_cmd::Command;
use common::*;
use std::io::Read;
use std::path::{Path, PathBuf};

const PARA: &str = "Ça a été une très longue journée à Genève 🌍, dit-elle à l’agence ce soir.";
const OTHER: &str = "Une autre phrase sans aucun rapport avec la précédente, écrite ici.";
const STORY: &str = "The central bank raised its main interest rate by half a point on Thursday, citing \
                     inflation that has run above its target for three years and a weaker currency.";

fn records() -> Vec<serde_json::Value> {
    vec![
        serde_json::json!({"id": "../../escape", "text": format!("{OTHER}\n{PARA}\n\n{PARA}\n"), "n": 1.50, "tags": ["x"]}),
        serde_json::json!({"id": "/abs/path", "text": STORY}),
        serde_json::json!({"id": "a\"b\\c", "text": STORY.to_uppercase()}),
        serde_json::json!({"id": 4, "text": "Nothing repeated in this short record at all, é."}),
    ]
}

fn decompress(path: &Path) -> String {
    let raw = std::fs::read(path).unwrap();
    let name = path.to_string_lossy();
    let mut out = String::new();
    if name.ends_with(".gz") {
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut out)
            .unwrap();
    } else if name.ends_with(".zst") {
        out = String::from_utf8(zstd::decode_all(&raw[..]).unwrap()).unwrap();
    } else {
        out = String::from_utf8(raw).unwrap();
    }
    out
}

fn dedup() -> Command {
    Command::cargo_bin("dedup").unwrap()
}

/// Builds a corpus with one shard `name` and a text file, scans it to `report.csv` (with extra
/// scan args), and returns (tempdir, corpus dir, report path).
fn scanned(name: &str, args: &[&str]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus dir ç#");
    std::fs::create_dir_all(corpus.join("sub")).unwrap();
    let plain: String = records().iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(
        corpus.join("sub").join(name),
        compress(name, plain.as_bytes()),
    )
    .unwrap();
    std::fs::write(corpus.join("note.txt"), format!("{PARA}\n{PARA}\n")).unwrap();
    let report = tmp.path().join("report.csv");
    dedup()
        .arg("scan")
        .args(args)
        .arg("-o")
        .arg(&report)
        .arg(&corpus)
        .assert()
        .success();
    (tmp, corpus, report)
}

/// Every file under `dir`, relative.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    out.sort();
    out
}

fn check_round_trip(name: &str, offsets: &str) {
    let (tmp, corpus, report) = scanned(name, &["--offsets", offsets]);
    let rows = parse(&std::fs::read(&report).unwrap());
    let out = tmp.path().join("clean");
    dedup()
        .args(["apply", "--offsets", offsets, "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        .arg(&corpus)
        .assert()
        .success();
    // Only the corpus's own relative paths were written, all inside --out.
    assert_eq!(
        files_under(&out),
        vec![PathBuf::from("note.txt"), Path::new("sub").join(name)]
    );
    assert_eq!(
        files_under(tmp.path()).len(),
        2 + 2 + 1,
        "nothing written elsewhere"
    );

    // Record by record: the text minus its spans, every other field untouched.
    let cleaned: Vec<serde_json::Value> = decompress(&out.join("sub").join(name))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut cleaned = cleaned.into_iter();
    for (i, original) in records().into_iter().enumerate() {
        let doc = format!("sub/{name}:{}", i + 1);
        let mine: Vec<&Row> = rows.iter().filter(|r| r.doc == doc).collect();
        if mine.iter().any(|r| r.cluster.is_some()) {
            continue; // flagged whole: dropped
        }
        let text: Vec<char> = original["text"].as_str().unwrap().chars().collect();
        let bytes = original["text"].as_str().unwrap();
        let expected: String = if offsets == "chars" {
            let mut keep = vec![true; text.len()];
            for r in &mine {
                keep[r.start..r.end].iter_mut().for_each(|k| *k = false);
            }
            text.iter()
                .zip(keep)
                .filter(|(_, k)| *k)
                .map(|(c, _)| c)
                .collect()
        } else {
            let mut s = String::new();
            let mut at = 0;
            for r in &mine {
                s.push_str(&bytes[at..r.start]);
                at = r.end;
            }
            s.push_str(&bytes[at..]);
            s
        };
        let got = cleaned.next().expect("record kept");
        assert_eq!(got["text"].as_str().unwrap(), expected, "{doc}");
        let mut a = got.clone();
        let mut b = original.clone();
        a.as_object_mut().unwrap().remove("text");
        b.as_object_mut().unwrap().remove("text");
        assert_eq!(a, b, "other fields untouched");
    }
    assert!(cleaned.next().is_none());
    // The duplicate record (3, same words as 2) was dropped and the repeat cut.
    assert!(rows
        .iter()
        .any(|r| r.doc == format!("sub/{name}:3") && r.kind == "exact_duplicate"));
    assert_eq!(
        std::fs::read_to_string(out.join("note.txt")).unwrap(),
        format!("{PARA}\n\n")
    );
}

#[test]
fn round_trip_gzip_and_zstd_shards() {
    for name in ["s.jsonl.gz", "s.jsonl.zst", "s.jsonl"] {
        check_round_trip(name, "bytes");
    }
}

#[test]
fn round_trip_with_code_point_offsets() {
    check_round_trip("s.jsonl.zst", "chars");
}

#[test]
fn keep_flagged_names_the_kept_copy() {
    let (tmp, corpus, report) = scanned("s.jsonl", &[]);
    let out = tmp.path().join("clean");
    dedup()
        .args(["apply", "--keep-flagged", "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        .arg(&corpus)
        .assert()
        .success();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(out.join("sub/s.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["dedup_duplicate_of"], "sub/s.jsonl:2");
}

#[test]
fn a_file_named_by_absolute_path_lands_inside_out() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("in").join("doc.txt");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, format!("{PARA}\n{PARA}\n")).unwrap();
    let abs = file.canonicalize().unwrap();
    let report = tmp.path().join("r.csv");
    dedup()
        .arg("scan")
        .arg("-o")
        .arg(&report)
        .arg(&abs)
        .assert()
        .success();
    let out = tmp.path().join("out");
    dedup()
        .args(["apply", "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        .arg(&abs)
        .assert()
        .success();
    let written = files_under(&out);
    assert_eq!(written.len(), 1);
    assert!(out.join(&written[0]).starts_with(&out));
    assert_eq!(
        std::fs::read_to_string(out.join(&written[0])).unwrap(),
        format!("{PARA}\n\n")
    );
}

#[test]
fn refuses_reports_that_do_not_fit_and_outputs_that_overlap() {
    let (tmp, corpus, report) = scanned("s.jsonl", &[]);
    let out = tmp.path().join("clean");
    let run = |report: &Path, out: &Path| {
        dedup()
            .args(["apply", "--report"])
            .arg(report)
            .arg("--out")
            .arg(out)
            .arg(&corpus)
            .assert()
    };
    let apply = |report: &Path, out: &Path| run(report, out).code(1);
    // Output inside the corpus: a usage error.
    run(&report, &corpus.join("x"))
        .code(2)
        .stderr(predicates::str::contains("refusing to overwrite"));
    assert!(!corpus.join("x").exists());
    // A span past the end of its document.
    let text = std::fs::read_to_string(&report).unwrap();
    let bad = tmp.path().join("bad.csv");
    let shifted = text.replacen("note.txt,", "note.txt,9", 1);
    std::fs::write(&bad, &shifted).unwrap();
    apply(&bad, &out).stderr(predicates::str::contains("report row 2"));
    // A document missing from the corpus.
    std::fs::write(&bad, text.replace("note.txt", "gone.txt")).unwrap();
    let fresh = tmp.path().join("fresh");
    apply(&bad, &fresh).stderr(predicates::str::contains("'gone.txt' is not in the corpus"));
    assert!(!fresh.exists(), "refused before anything was written");
    // A record past the end of its shard.
    std::fs::write(&bad, text.replace("sub/s.jsonl:1,", "sub/s.jsonl:99,")).unwrap();
    apply(&bad, &fresh).stderr(predicates::str::contains(
        "'sub/s.jsonl:99' is not in the corpus",
    ));
    // A report made with other options (another text field): the text at the span differs.
    std::fs::write(
        corpus.join("note.txt"),
        format!("{OTHER}\n{PARA}\n{PARA}\n"),
    )
    .unwrap();
    apply(&report, &out).stderr(predicates::str::contains("is not"));
}
