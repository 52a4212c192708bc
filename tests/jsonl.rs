//! JSONL shards, compressed or not: record naming, ids, offsets in bytes and in code points.

mod common;
use assert_cmd::Command;
use common::*;

const PARA: &str = "Ça a été une très longue journée à Genève 🌍, dit-elle à l’agence ce soir.";
const OTHER: &str = "Une autre phrase sans aucun rapport avec la précédente, écrite ici.";

fn records() -> Vec<serde_json::Value> {
    vec![
        serde_json::json!({"id": "a", "text": format!("{OTHER}\n{PARA}\n\n{PARA}\n"), "n": 1.50}),
        serde_json::json!({"id": 2, "meta": {"src": "x"}, "text": "Nothing repeated in this short record at all."}),
        serde_json::json!({"id": "c", "text": format!("{PARA}\r\n{OTHER}\r\n{OTHER}")}),
    ]
}

fn shard_bytes(lines: &[String]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

fn write_shard(dir: &std::path::Path, name: &str, plain: &[u8]) {
    std::fs::write(dir.join(name), compress(name, plain)).unwrap();
}

fn text_of(doc: &str) -> String {
    let line: usize = doc.rsplit(':').next().unwrap().parse().unwrap();
    records()[line - 1]["text"].as_str().unwrap().to_string()
}

#[test]
fn compressed_shards_give_exact_offsets_into_the_decoded_text() {
    let lines: Vec<String> = records().iter().map(|r| r.to_string()).collect();
    for name in ["s.jsonl", "s.jsonl.gz", "s.jsonl.zst", "s.json.gz"] {
        let dir = tempfile::tempdir().unwrap();
        write_shard(dir.path(), name, &shard_bytes(&lines));
        let rows = scan_rows(&[dir.path().to_path_buf()], &dedup::Options::default());
        assert_eq!(rows.len(), 2, "{name}: {rows:?}");
        assert_eq!(rows[0].doc, format!("{name}:1"));
        assert_eq!(rows[0].id.as_deref(), Some("a"));
        assert_eq!(rows[1].doc, format!("{name}:3"));
        for r in &rows {
            let t = text_of(&r.doc);
            let (ks, ke) = (r.keep_start.unwrap(), r.keep_end.unwrap());
            // The cut takes the repeated line's line end; the kept copy is the line.
            assert_eq!(t[r.start..r.end].trim_end(), &t[ks..ke], "{name}: {r:?}");
            assert!(r.start > ke);
        }
        assert_eq!(
            text_of(&rows[0].doc)[rows[0].start..rows[0].end].trim_end(),
            PARA
        );
        assert_eq!(
            text_of(&rows[1].doc)[rows[1].start..rows[1].end].trim_end(),
            OTHER
        );
    }
}

fn dedup_cmd() -> Command {
    Command::cargo_bin("dedup").unwrap()
}

#[test]
fn offsets_in_code_points_slice_like_python() {
    let lines: Vec<String> = records().iter().map(|r| r.to_string()).collect();
    let dir = tempfile::tempdir().unwrap();
    write_shard(dir.path(), "s.jsonl.zst", &shard_bytes(&lines));
    let out = dedup_cmd()
        .args(["scan", "--offsets", "chars"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows = parse(&out.stdout);
    assert_eq!(rows.len(), 2);
    for r in rows {
        let t = text_of(&r.doc);
        // Python: text[start:end] on a str indexes code points.
        let py = |a: usize, b: usize| t.chars().skip(a).take(b - a).collect::<String>();
        let cut = py(r.start, r.end);
        let cut = cut.trim_end();
        assert!(cut == PARA || cut == OTHER, "{cut:?}");
        assert_eq!(cut, py(r.keep_start.unwrap(), r.keep_end.unwrap()));
    }
}

#[test]
fn jsonl_report_parses_back() {
    let lines: Vec<String> = records().iter().map(|r| r.to_string()).collect();
    let dir = tempfile::tempdir().unwrap();
    write_shard(dir.path(), "s.jsonl.gz", &shard_bytes(&lines));
    let out = dedup_cmd()
        .args(["scan", "--format", "jsonl"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let recs: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["id"], "a");
    assert_eq!(recs[0]["doc"], "s.jsonl.gz:1");
    let span = &recs[0]["spans"][0];
    let t = text_of("s:1");
    let (s, e) = (
        span[0].as_u64().unwrap() as usize,
        span[1].as_u64().unwrap() as usize,
    );
    assert_eq!(t[s..e].trim_end(), PARA);
    assert_eq!(span[2], "repeated_paragraph");
    assert_eq!(span[3].as_f64(), Some(1.0));
}

#[test]
fn nested_fields_and_bad_records_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let plain = format!(
        "{}\n{{not json\n{}\n{}\n\n",
        serde_json::json!({"meta": {"id": "x1"}, "body": {"t": format!("{PARA}\n{PARA}")}}),
        serde_json::json!({"meta": {"id": "x3"}, "body": {"t": 42}}),
        serde_json::json!({"meta": {"id": "x4"}}),
    );
    write_shard(dir.path(), "n.jsonl", plain.as_bytes());
    let out = dedup_cmd()
        .args(["scan", "--text-field", "body.t", "--id-field", "meta.id"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "records were skipped");
    let rows = parse(&out.stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].doc.as_ref(), rows[0].id.as_deref()),
        ("n.jsonl:1", Some("x1"))
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("n.jsonl: skipped: line 2: not a JSON record"),
        "{err}"
    );
    assert!(
        err.contains("line 3: field 'body.t' is not a string but a number"),
        "{err}"
    );
    assert!(err.contains("line 4: no field 'body.t'"), "{err}");
    assert!(
        err.contains("1 documents") && err.contains("3 skipped"),
        "{err}"
    );
}

/// Records are parsed in parallel batches of 512; what is passed over is still reported in line
/// order, across batches, and ids seen twice are named with the first line.
#[test]
fn skips_and_repeated_ids_are_reported_in_line_order_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for i in 1..=1500 {
        lines.push(match i {
            3 | 700 | 1400 => "{broken".to_string(),
            5 | 600 => "x".repeat(300),
            _ => serde_json::json!({"id": format!("r{}", i % 1000), "text": format!("Record {i} says something.")})
                .to_string(),
        });
    }
    write_shard(dir.path(), "b.jsonl", (lines.join("\n") + "\n").as_bytes());
    let stats = dir.path().join("stats.json");
    let out = dedup_cmd()
        .args(["scan", "--max-doc-bytes", "200", "--stats"])
        .arg(&stats)
        .arg(dir.path().join("b.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "records were skipped");
    let stats: serde_json::Value = serde_json::from_slice(&std::fs::read(&stats).unwrap()).unwrap();
    let lines_of = |key: &str| -> Vec<u64> {
        stats[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let reason = s["reason"].as_str().or(s["message"].as_str()).unwrap();
                reason
                    .trim_start_matches("line ")
                    .split(':')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(lines_of("skipped_inputs"), [3, 5, 600, 700, 1400]);
    let repeated = lines_of("warnings");
    assert_eq!(repeated.len(), 500 - 3, "{repeated:?}");
    assert!(repeated.windows(2).all(|w| w[0] < w[1]), "{repeated:?}");
}

/// A shard longer than one run of the spans stage (1,024 records) is read on from where the
/// previous run stopped: every row's preview is its own record's text, compressed or not.
#[test]
fn a_long_shard_gives_each_record_its_own_rows() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (1..=2500)
        .map(|i| {
            // Every third record repeats its paragraph; blank lines and a bad record in between.
            let para = format!("Record number {i} tells its own story in a sentence of its own.");
            let text = if i % 3 == 0 {
                format!("{para}\n{para}\n")
            } else {
                para
            };
            match i {
                1000 => "{not json".to_string(),
                1500 => "   ".to_string(),
                _ => serde_json::json!({ "text": text }).to_string(),
            }
        })
        .collect();
    for name in ["long.jsonl", "long.jsonl.gz", "long.jsonl.zst"] {
        let sub = dir.path().join(name.replace('.', "_"));
        std::fs::create_dir(&sub).unwrap();
        write_shard(&sub, name, &shard_bytes(&lines));
        let out = dedup_cmd()
            .args(["scan", "--detect", "repeated"])
            .arg(&sub)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{name}: one record is skipped");
        let rows = parse(&out.stdout);
        assert_eq!(rows.len(), 2500 / 3 - 1, "{name}: record 1500 is blank");
        for row in &rows {
            let line: usize = row.doc.rsplit(':').next().unwrap().parse().unwrap();
            assert_eq!(line % 3, 0, "{name}: {}", row.doc);
            assert!(
                row.preview.starts_with(&format!("Record number {line} ")),
                "{name}: {} has {:?}",
                row.doc,
                row.preview
            );
        }
    }
}

#[test]
fn report_to_a_file_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.csv");
    dedup_cmd()
        .args(["scan", "--quiet", "-o"])
        .arg(&report)
        .arg(seeds())
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(parse(&std::fs::read(report).unwrap()).len(), 8);
}

#[test]
fn standard_input_as_jsonl_or_text() {
    let lines: Vec<String> = records().iter().map(|r| r.to_string()).collect();
    let out = dedup_cmd()
        .args(["scan", "-"])
        .write_stdin(shard_bytes(&lines))
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows = parse(&out.stdout);
    assert_eq!(
        rows.iter().map(|r| r.doc.as_ref()).collect::<Vec<_>>(),
        vec!["-:1", "-:3"]
    );
    let text = format!("{PARA}\n{PARA}\n");
    let out = dedup_cmd()
        .args(["scan", "-"])
        .write_stdin(text.clone())
        .output()
        .unwrap();
    let rows = parse(&out.stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].doc.as_ref(),
            text[rows[0].start..rows[0].end].trim_end()
        ),
        ("-", PARA)
    );
}
