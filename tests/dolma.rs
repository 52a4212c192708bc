//! Dolma attributes (`scan --format dolma --attributes NAME`) and typed ids: one attribute line
//! per documents line, code-point offsets, the documents file's compression, ids with their JSON
//! type, and `apply` reading the attribute folder as its report. The real `dolma mix` is run by
//! scripts/dolma/test.sh.

mod common;
use assert_cmd::Command;
use std::io::Read;
use std::path::{Path, PathBuf};

fn dedup() -> Command {
    Command::cargo_bin("dedup").unwrap()
}

fn plain(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let mut out = String::new();
    if path.to_string_lossy().ends_with(".gz") {
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut out)
            .unwrap();
    } else if path.to_string_lossy().ends_with(".zst") {
        out = String::from_utf8(zstd::decode_all(&bytes[..]).unwrap()).unwrap();
    } else {
        out = String::from_utf8(bytes).unwrap();
    }
    out
}

const STORY: &str = "Le conseil municipal a voté le budget de l'année prochaine après un long débat sur les écoles.";

/// A corpus under `documents/`: French records with page furniture, a duplicate, numeric and
/// string ids, a line that is not a record, and a blank line.
fn corpus() -> tempfile::TempDir {
    let line = |id: serde_json::Value, text: &str| {
        serde_json::json!({"id": id, "text": text, "meta": {"src": "t"}}).to_string()
    };
    let page = |title: &str| {
        format!("{title}\nPublicité\n{STORY} {title} est une autre phrase, écrite pour l'été.\nLaissez un commentaire\n")
    };
    let a = [
        line(1.into(), &page("Été à Paris")),
        line(2.into(), &page("Hiver à Lyon")),
        "not a record".to_string(),
        line("trois".into(), &page("Printemps à Nice")),
        String::new(),
        line(4.into(), &page("Été à Paris")),
    ]
    .join("\n");
    let b = [
        line(5.into(), &page("Automne à Lille")),
        line(
            6.into(),
            "Un texte court, sans rien à couper, où l'on parle d'autre chose.",
        ),
        "{\"id\": 7, \"text\": 3}".to_string(),
    ]
    .join("\n")
        + "\n";
    common::corpus(&[
        ("c/documents/a.jsonl", a.as_bytes()),
        (
            "c/documents/more/b.jsonl.gz",
            &common::compress("b.jsonl.gz", b.as_bytes()),
        ),
    ])
}

/// [`corpus`], scanned with `--format dolma --attributes dd` (exit code 3: two lines are not
/// records); returns it and its documents folder.
fn scanned_corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = corpus();
    let docs = dir.path().join("c/documents");
    dedup()
        .args(["scan", "-q", "--format", "dolma", "--attributes", "dd"])
        .arg(&docs)
        .assert()
        .code(3);
    (dir, docs)
}

#[test]
fn attributes_have_one_line_per_documents_line_in_code_points() {
    let (dir, docs) = scanned_corpus();
    let attrs = dir.path().join("c/attributes/dd");
    for (name, n) in [("a.jsonl", 6), ("more/b.jsonl.gz", 3)] {
        let documents = plain(&docs.join(name));
        let attributes = plain(&attrs.join(name));
        let (doc_lines, attr_lines): (Vec<&str>, Vec<&str>) =
            (documents.lines().collect(), attributes.lines().collect());
        assert_eq!(doc_lines.len(), n);
        assert_eq!(attr_lines.len(), n, "{name}: {attributes}");
        for (d, a) in doc_lines.iter().zip(&attr_lines) {
            let a: serde_json::Value = serde_json::from_str(a).unwrap();
            let Ok(d) = serde_json::from_str::<serde_json::Value>(d) else {
                assert_eq!(a, serde_json::json!({"id": null, "attributes": {}}));
                continue;
            };
            if !d["text"].is_string() {
                assert_eq!(a["attributes"], serde_json::json!({}));
                continue;
            }
            // The id with its type.
            assert_eq!(a["id"], d["id"]);
            let text: Vec<char> = d["text"].as_str().unwrap().chars().collect();
            for (key, spans) in a["attributes"].as_object().unwrap() {
                assert!(key.starts_with("dd__"), "{key}");
                for s in spans.as_array().unwrap() {
                    let (start, end) = (s[0].as_u64().unwrap(), s[1].as_u64().unwrap());
                    assert!(start < end && end as usize <= text.len());
                    let cut: String = text[start as usize..end as usize].iter().collect();
                    match key.as_str() {
                        "dd__boilerplate" => assert!(
                            cut.starts_with("Publicité") || cut.starts_with("Laissez"),
                            "{cut:?}"
                        ),
                        "dd__exact_duplicate" => {
                            assert_eq!((start, end as usize), (0, text.len()));
                            assert_eq!(d["id"], 4);
                        }
                        _ => panic!("{key}: {cut:?}"),
                    }
                }
            }
        }
    }
    // The seeds' lines are flagged: the furniture of each page, the copy of the first.
    let a = plain(&attrs.join("a.jsonl"));
    assert!(
        a.contains("dd__boilerplate") && a.contains("dd__exact_duplicate"),
        "{a}"
    );
}

#[test]
fn apply_reads_the_attribute_folder_as_its_report() {
    let (dir, docs) = scanned_corpus();
    let csv = dir.path().join("report.csv");
    dedup()
        .args(["scan", "-q", "-o"])
        .arg(&csv)
        .arg(&docs)
        .assert()
        .code(3);
    let (by_csv, by_attrs) = (dir.path().join("out-csv"), dir.path().join("out-attrs"));
    dedup()
        .args(["apply", "-q", "--report"])
        .arg(&csv)
        .arg("--out")
        .arg(&by_csv)
        .arg(&docs)
        .assert()
        .success();
    dedup()
        .args(["apply", "-q", "--report"])
        .arg(dir.path().join("c/attributes/dd"))
        .arg("--out")
        .arg(&by_attrs)
        .arg(&docs)
        .assert()
        .success();
    for name in ["a.jsonl", "more/b.jsonl.gz"] {
        let (x, y) = (plain(&by_csv.join(name)), plain(&by_attrs.join(name)));
        assert_eq!(x, y, "{name}");
        assert!(!x.contains("Publicité") && x.contains(STORY), "{x}");
    }
}

#[test]
fn documents_outside_a_documents_folder_are_refused_before_the_scan() {
    let dir = common::corpus(&[("c/shards/a.jsonl", b"{\"id\": 1, \"text\": \"a b c\"}\n")]);
    let out = dedup()
        .args(["scan", "--format", "dolma", "--attributes", "dd"])
        .arg(dir.path().join("c/shards"))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("a.jsonl") && stderr.contains("'documents'"),
        "{stderr}"
    );
    assert!(!stderr.contains("documents ("), "no scan: {stderr}");
    dedup()
        .args(["scan", "--format", "dolma"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--attributes"));
}

#[test]
fn the_jsonl_report_keeps_the_ids_types() {
    let dir = corpus();
    let out = dedup()
        .args(["scan", "-q", "--format", "jsonl"])
        .arg(dir.path().join("c/documents"))
        .assert()
        .code(3);
    let report = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let ids: Vec<serde_json::Value> = report
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].clone())
        .collect();
    assert!(ids.contains(&serde_json::json!(1)), "{report}");
    assert!(ids.contains(&serde_json::json!("trois")), "{report}");
    assert!(!ids.contains(&serde_json::json!("1")), "{report}");
}

#[test]
fn a_record_the_scan_skips_keeps_its_id_and_names_must_match() {
    // Records 2 and 4 are over --max-doc-bytes: their attribute lines still carry their ids
    // (Dolma compares them line by line).
    let line = |id: &str, n: usize| {
        serde_json::json!({"id": id, "text": "word ".repeat(n), "meta": {"id": format!("m{id}")}})
            .to_string()
    };
    let docs = [line("a1", 5), line("a2", 60), line("a3", 5), line("a4", 60)].join("\n") + "\n";
    let dir = common::corpus(&[("c/documents/a.jsonl", docs.as_bytes())]);
    let documents = dir.path().join("c/documents");
    dedup()
        .args([
            "scan",
            "-q",
            "--max-doc-bytes",
            "100",
            "--format",
            "dolma",
            "--attributes",
            "dd",
        ])
        .arg(&documents)
        .assert()
        .code(3);
    let attrs = plain(&dir.path().join("c/attributes/dd/a.jsonl"));
    let ids: Vec<serde_json::Value> = attrs
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].clone())
        .collect();
    assert_eq!(ids, ["a1", "a2", "a3", "a4"]);
    // Dolma matches by the top-level id: another --id-field is refused.
    dedup()
        .args([
            "scan",
            "--format",
            "dolma",
            "--attributes",
            "dd",
            "--id-field",
            "meta.id",
        ])
        .arg(&documents)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("top-level 'id'"));
    // A folder renamed after the scan matches no key: refused, not an empty apply.
    let renamed = dir.path().join("c/attributes/ee");
    std::fs::rename(dir.path().join("c/attributes/dd"), &renamed).unwrap();
    let docs = [line("b1", 5), line("b2", 5), line("b3", 5)].join("\n");
    std::fs::write(documents.join("a.jsonl"), docs).unwrap();
    dedup()
        .args(["scan", "-q", "--format", "dolma", "--attributes", "dd"])
        .arg(&documents)
        .assert()
        .success();
    std::fs::remove_dir_all(&renamed).unwrap();
    std::fs::rename(dir.path().join("c/attributes/dd"), &renamed).unwrap();
    dedup()
        .args(["apply", "--report"])
        .arg(&renamed)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg(&documents)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("named 'dd__"));
}

#[test]
fn apply_refuses_attributes_made_for_other_records() {
    let (dir, docs) = scanned_corpus();
    // The documents file's first two lines swapped: same length, other records.
    let a = std::fs::read_to_string(docs.join("a.jsonl")).unwrap();
    let mut lines: Vec<&str> = a.lines().collect();
    lines.swap(0, 1);
    std::fs::write(docs.join("a.jsonl"), lines.join("\n")).unwrap();
    dedup()
        .args(["apply", "--report"])
        .arg(dir.path().join("c/attributes/dd"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg(&docs)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("is for id"));
    assert!(!dir.path().join("out").exists());
}
