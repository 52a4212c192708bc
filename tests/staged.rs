//! The staged pipeline (`sign` → `cluster` → `spans`) gives the same report as `scan`, byte for
//! byte, on the seeds and on a corpus of JSONL shards whose near-duplicate families and
//! boilerplate cross shard boundaries (tests/fixtures/shards, made by scripts/data/make_fixture_shards.py).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

mod common;

fn dedup() -> Command {
    Command::cargo_bin("dedup").expect("binary")
}

fn fixture_shards() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shards");
    (0..3)
        .map(|k| dir.join(format!("part-{k}.jsonl")))
        .collect()
}

fn scan(paths: &[PathBuf], extra: &[&str]) -> Vec<u8> {
    let out = dedup()
        .arg("scan")
        .arg("-q")
        .args(extra)
        .args(paths)
        .output()
        .expect("scan runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs the three stages: `sign` once per group of shards (ids given explicitly), `cluster`,
/// then `spans` per shard; returns the concatenated rows under one header.
fn staged(groups: &[&[PathBuf]], extra: &[&str], dir: &Path) -> Vec<u8> {
    let mut id = 0;
    for group in groups {
        dedup()
            .args(["sign", "-q", "--out"])
            .arg(dir)
            .args(["--shard-id", &id.to_string()])
            .args(extra)
            .args(*group)
            .assert()
            .success();
        id += group.len();
    }
    dedup()
        .args(["cluster", "-q"])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
    let mut report = Vec::new();
    for shard in groups.iter().flat_map(|g| g.iter()) {
        let out = dedup()
            .args(["spans", "-q", "--clusters"])
            .arg(dir)
            .args(extra)
            .arg(shard)
            .output()
            .expect("spans runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = out.stdout;
        let body = if report.is_empty() {
            &text[..]
        } else {
            // Every shard's CSV has the header; keep the first only.
            let nl = text.iter().position(|&b| b == b'\n').expect("header");
            &text[nl + 1..]
        };
        report.extend_from_slice(body);
    }
    report
}

#[test]
fn staged_equals_scan_on_the_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = vec![common::seeds()];
    let staged = staged(&[&seeds], &[], dir.path());
    let scanned = scan(&seeds, &[]);
    assert_eq!(
        String::from_utf8_lossy(&staged),
        String::from_utf8_lossy(&scanned)
    );
}

/// Scans the shards, runs the stages on them into `dir` (signed in two runs, ids 0 and 1-2, as
/// separate tasks would), checks that the two reports are the same, and returns it.
fn staged_equals_scan(shards: &[PathBuf], extra: &[&str], dir: &Path) -> Vec<u8> {
    let scanned = scan(shards, extra);
    let staged = staged(&[&shards[..1], &shards[1..]], extra, dir);
    assert_eq!(
        String::from_utf8_lossy(&staged),
        String::from_utf8_lossy(&scanned),
        "options {extra:?}"
    );
    scanned
}

#[test]
fn staged_equals_scan_across_shards() {
    let shards = fixture_shards();
    for extra in [
        &["--threads", "1"][..],
        &["--threads", "2"],
        &["--no-furniture", "--threads", "2"],
        &["--min-docs", "2"],
        &["--furniture", "on", "--rows", "units"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let scanned = staged_equals_scan(&shards, extra, dir.path());
        // The corpus has what the test is about: cross-shard clusters and boilerplate.
        let rows = common::parse(&scanned);
        let cross = rows.iter().filter(|r| {
            r.keep_doc
                .as_ref()
                .is_some_and(|k| k.split(':').next() != r.doc.split(':').next())
        });
        assert!(cross.count() >= 5, "options {extra:?}");
        assert!(rows.iter().any(|r| r.kind.as_str() == "exact_duplicate"));
        assert!(rows.iter().any(|r| r.reason.starts_with("in ")));
    }
}

#[test]
fn staged_equals_scan_with_some_detectors() {
    let shards = fixture_shards();
    for (extra, kinds) in [
        (
            &["--detect", "near-dup"][..],
            &["exact_duplicate", "near_duplicate"][..],
        ),
        (
            &["--detect", "repeated,boilerplate"],
            &["boilerplate", "repeated_paragraph"],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let scanned = staged_equals_scan(&shards, extra, dir.path());
        let mut found: Vec<String> = common::parse(&scanned)
            .into_iter()
            .map(|r| r.kind.as_str().to_string())
            .collect();
        found.sort();
        found.dedup();
        assert_eq!(found, kinds, "options {extra:?}");
        // A later stage with other detectors than `sign` had is refused.
        dedup()
            .args(["cluster", "-q", "--detect", "repeated"])
            .arg(dir.path())
            .assert()
            .code(2);
    }
}

#[test]
fn spans_in_code_points_equal_scan() {
    let shards = fixture_shards();
    let dir = tempfile::tempdir().unwrap();
    staged(&[&shards], &[], dir.path());
    let out = dedup()
        .args(["spans", "-q", "--offsets", "chars", "--clusters"])
        .arg(dir.path())
        .args(&shards)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, scan(&shards, &["--offsets", "chars"]));
}

#[test]
fn tables_have_signed_columns_only() {
    use arrow_schema::DataType;
    let dir = tempfile::tempdir().unwrap();
    staged(&[&fixture_shards()], &[], dir.path());
    for table in [
        "bands",
        "paras",
        "docs",
        "shards",
        "dup_docs",
        "boilerplate",
    ] {
        let files = dedup::staged::tables::files(&dir.path().join(table)).unwrap();
        assert!(!files.is_empty(), "{table}");
        for f in files {
            dedup::staged::tables::for_each_batch(&f, &[], |_| Ok(())).unwrap();
            let file = std::fs::File::open(&f).unwrap();
            let reader =
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                    .unwrap();
            for field in reader.schema().fields() {
                let unsigned = matches!(
                    field.data_type(),
                    DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64
                );
                assert!(!unsigned, "{table}.{}", field.name());
            }
        }
    }
}

#[test]
fn stages_refuse_what_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let shards = fixture_shards();
    staged(&[&shards[..2]], &[], dir.path());
    // Options other than the signed ones.
    dedup()
        .args(["cluster", "-q", "--shingle", "3"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("params.json"));
    // A shard that was not signed.
    dedup()
        .args(["spans", "-q", "--clusters"])
        .arg(dir.path())
        .arg(&shards[2])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("part-2.jsonl"));
    // A shard changed since it was signed.
    let copy = dir.path().join("copy.jsonl");
    std::fs::copy(&shards[0], &copy).unwrap();
    let other = tempfile::tempdir().unwrap();
    dedup()
        .args(["sign", "-q", "--out"])
        .arg(other.path())
        .arg(&copy)
        .assert()
        .success();
    dedup()
        .args(["cluster", "-q"])
        .arg(other.path())
        .assert()
        .success();
    let mut text = std::fs::read_to_string(&copy).unwrap();
    text.push_str("{\"text\": \"one more record\"}\n");
    std::fs::write(&copy, text).unwrap();
    dedup()
        .args(["spans", "-q", "--clusters"])
        .arg(other.path())
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("is not the shard signed"));
    // A second shard under an id already taken (signing the same shard again is a retry, fine).
    dedup()
        .args(["sign", "-q", "--shard-id", "1", "--out"])
        .arg(dir.path())
        .arg(&shards[2])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("already signed"));
    dedup()
        .args(["sign", "-q", "--shard-id", "1", "--out"])
        .arg(dir.path())
        .arg(&shards[1])
        .assert()
        .success();
}

/// The rows of two `i64` columns of one Parquet file.
fn i64_pairs(file: &Path, a: &str, b: &str) -> Vec<(i64, i64)> {
    let mut rows = Vec::new();
    dedup::staged::tables::for_each_batch(file, &[a, b], |batch| {
        let (x, y) = (batch.i64(a)?, batch.i64(b)?);
        rows.extend((0..batch.len()).map(|i| (x.value(i), y.value(i))));
        Ok(())
    })
    .unwrap();
    rows
}

/// The (para_hash, n_docs) rows of the `boilerplate` table in `dir`.
fn boilerplate_rows(dir: &Path) -> Vec<(i64, i64)> {
    let files = dedup::staged::tables::files(&dir.join("boilerplate")).unwrap();
    (files.iter())
        .flat_map(|f| i64_pairs(f, "para_hash", "n_docs"))
        .collect()
}

#[test]
fn paras_are_sorted_and_counted_the_same_unsorted() {
    use arrow_array::{ArrayRef, Int64Array};
    use dedup::staged::tables;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    staged(&[&fixture_shards()], &[], dir.path());
    let counted = boilerplate_rows(dir.path());
    assert!(counted.len() > 5, "{counted:?}");
    // sign writes each paras file sorted by (para_hash, doc_id); rewrite them reversed, in one
    // row group, and count again.
    for f in tables::files(&dir.path().join("paras")).unwrap() {
        let mut rows = i64_pairs(&f, "para_hash", "doc_id");
        assert!(rows.is_sorted(), "{}", f.display());
        rows.reverse();
        let (keys, docs): (Vec<i64>, Vec<i64>) = rows.into_iter().unzip();
        let columns = vec![
            ("para_hash", Arc::new(Int64Array::from(keys)) as ArrayRef),
            ("doc_id", Arc::new(Int64Array::from(docs))),
        ];
        tables::write(&f, columns, tables::NARROW).unwrap();
    }
    dedup()
        .args(["cluster", "-q"])
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(boilerplate_rows(dir.path()), counted);
}

/// Folders of text files as shards, with file names that interleave across them: `scan A B C D`
/// and the staged pipeline on the same folders keep the same copies and give the same rows
/// (documents in the order of the paths given, then of their names), whatever order the
/// folders are given in.
#[test]
fn folder_shards_with_interleaved_names_give_the_scan_report() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::seeds().join("001_b0bf57630b2d92a9.txt")).unwrap();
    let body: Vec<&str> = text.lines().collect();
    let mut shards = Vec::new();
    for k in 0..4 {
        let dir = tmp.path().join(format!("shard{k}"));
        std::fs::create_dir(&dir).unwrap();
        for j in 0..3 {
            // Names interleave: shard0 has a0, a4, a8; shard1 a1, a5, a9; ...
            let n = 4 * j + k;
            // Every document is a near copy of the same story, so which one is kept depends
            // on the order; a line shared by all makes boilerplate.
            let mut lines: Vec<String> = body.iter().map(|l| l.to_string()).collect();
            lines[2] = format!("{} (copy {n})", lines[2]);
            lines.push("Shared footer line of every page in this corpus".into());
            std::fs::write(dir.join(format!("a{n:02}.txt")), lines.join("\n")).unwrap();
        }
        shards.push(dir);
    }
    let scanned = scan(&shards, &[]);
    let mut reversed = shards.clone();
    reversed.reverse();
    assert_eq!(scan(&reversed, &[]), scanned, "order of the paths given");
    let report = String::from_utf8_lossy(&scanned);
    // The kept copy is the first document of the first shard, not a01 of shard1.
    assert!(report.contains(",a00.txt,"), "{report}");
    assert!(report.contains("near_duplicate") || report.contains("exact_duplicate"));
    for groups in [vec![&shards[..]], vec![&shards[..2], &shards[2..]]] {
        let dir = tempfile::tempdir().unwrap();
        let staged = staged(&groups, &[], dir.path());
        assert_eq!(
            String::from_utf8_lossy(&staged),
            report,
            "staged in {} group(s)",
            groups.len()
        );
    }
}
