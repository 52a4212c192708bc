//! Parquet in and out: a `.parquet` file is read like a JSONL shard (one document per row,
//! `<file>:<row>`), `apply` writes it back with its schema and other columns untouched. Files
//! here are written with the arrow crate; scripts/parquet/test.sh checks files written by
//! pyarrow, Polars and DuckDB.

mod common;
use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, Int64Array, LargeStringArray, RecordBatch, StringArray, StructArray,
};
use arrow_schema::{DataType, Field, Fields};
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

fn dedup() -> Command {
    Command::cargo_bin("dedup").unwrap()
}

/// The records of the fixture shards: (id, text).
fn records() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for k in 0..3 {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/shards/part-{k}.jsonl"));
        for line in std::fs::read_to_string(path).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            out.push((
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Layout {
    Utf8,
    Large,
    Dictionary,
}

/// Writes `records` as Parquet: an int64 `n`, the text in `layout`, the id, and a nested
/// `meta` struct; row groups of `group` rows.
fn write_parquet(path: &Path, records: &[(String, String)], layout: Layout, group: usize) {
    let texts: Vec<&str> = records.iter().map(|r| r.1.as_str()).collect();
    let text: ArrayRef = match layout {
        Layout::Utf8 => Arc::new(StringArray::from(texts)),
        Layout::Large => Arc::new(LargeStringArray::from(texts)),
        Layout::Dictionary => {
            let mut b = StringDictionaryBuilder::<Int32Type>::new();
            for t in texts {
                b.append_value(t);
            }
            Arc::new(b.finish())
        }
    };
    let n: ArrayRef = Arc::new(Int64Array::from_iter_values(0..records.len() as i64));
    let id: ArrayRef = Arc::new(StringArray::from_iter_values(
        records.iter().map(|r| r.0.as_str()),
    ));
    let url: ArrayRef = Arc::new(StringArray::from_iter_values(
        (0..records.len()).map(|i| format!("https://example.org/{i}")),
    ));
    let meta: ArrayRef = Arc::new(StructArray::new(
        Fields::from(vec![Field::new("url", DataType::Utf8, false)]),
        vec![url],
        None,
    ));
    let batch =
        RecordBatch::try_from_iter(vec![("n", n), ("text", text), ("id", id), ("meta", meta)])
            .unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_size(group)
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(path).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn write_jsonl(path: &Path, records: &[(String, String)]) {
    let lines: Vec<String> = records
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// The report of scanning `path`, with the document names' file part left out.
fn rows_without_names(path: &Path, extra: &[&str]) -> Vec<String> {
    let out = dedup().arg("scan").args(extra).arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name = path.file_name().unwrap().to_str().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.replace(name, "F"))
        .collect()
}

#[test]
fn parquet_rows_give_the_rows_of_the_same_records_as_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let recs = records();
    let jsonl = dir.path().join("c.jsonl");
    write_jsonl(&jsonl, &recs);
    let want = rows_without_names(&jsonl, &[]);
    assert!(want.len() > 20, "{want:?}");
    for (k, layout) in [Layout::Utf8, Layout::Large, Layout::Dictionary]
        .into_iter()
        .enumerate()
    {
        // Small row groups: the re-reads pick rows across several of them.
        let pq = dir.path().join(format!("c{k}.parquet"));
        write_parquet(&pq, &recs, layout, 50);
        let got = rows_without_names(&pq, &[]);
        assert_eq!(got, want, "layout {k}");
        let got = rows_without_names(&pq, &["--offsets", "chars", "--threads", "1"]);
        assert_eq!(
            got,
            rows_without_names(&jsonl, &["--offsets", "chars", "--threads", "1"])
        );
    }
}

#[test]
fn a_parquet_file_without_the_text_column_is_skipped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("c.parquet");
    write_parquet(&pq, &records()[..5], Layout::Utf8, 100);
    let out = dedup()
        .args(["scan", "--text-field", "body"])
        .arg(&pq)
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("c.parquet")
            && stderr.contains("no column 'body'")
            && stderr.contains("n, text, id, meta"),
        "{stderr}"
    );
    // A language column (here a nested field) breaks the statistics down.
    let stats = dir.path().join("stats.json");
    dedup()
        .args(["scan", "-q", "--lang-field", "meta.url", "--stats"])
        .arg(&stats)
        .arg(&pq)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let langs = v["per_language"].as_array().unwrap();
    assert_eq!(langs.len(), 5);
    assert_eq!(langs[4]["language"], "https://example.org/4");
    // A nested field is a text column too.
    dedup()
        .args(["scan", "-q", "--text-field", "meta.url"])
        .arg(&pq)
        .assert()
        .success();
}

/// Every column of every row of a Parquet file, as strings, and its schema.
fn contents(path: &Path) -> (arrow_schema::SchemaRef, Vec<RecordBatch>) {
    let b = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let schema = b.schema().clone();
    (schema, b.build().unwrap().map(|b| b.unwrap()).collect())
}

#[test]
fn apply_writes_parquet_with_its_schema_and_other_columns() {
    let dir = tempfile::tempdir().unwrap();
    let recs = records();
    let (cj, cp) = (dir.path().join("j"), dir.path().join("p"));
    std::fs::create_dir_all(&cj).unwrap();
    std::fs::create_dir_all(&cp).unwrap();
    write_jsonl(&cj.join("c.jsonl"), &recs);
    write_parquet(&cp.join("c.parquet"), &recs, Layout::Dictionary, 40);
    for c in [&cj, &cp] {
        let report = dir
            .path()
            .join(format!("{}.csv", c.display()).replace('/', "_"));
        dedup()
            .args(["scan", "-q", "-o"])
            .arg(&report)
            .arg(c)
            .assert()
            .success();
        dedup()
            .args(["apply", "-q", "--report"])
            .arg(&report)
            .arg("--out")
            .arg(c.with_extension("out"))
            .arg(c)
            .assert()
            .success();
    }
    let applied: Vec<serde_json::Value> =
        std::fs::read_to_string(cj.with_extension("out").join("c.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    let (schema_in, _) = contents(&cp.join("c.parquet"));
    let (schema_out, batches) = contents(&cp.with_extension("out").join("c.parquet"));
    assert_eq!(schema_in, schema_out);
    let mut rows = 0;
    for b in &batches {
        let text = arrow_cast::cast(b.column(1), &DataType::Utf8).unwrap();
        let text = text.as_any().downcast_ref::<StringArray>().unwrap();
        let id = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
        let n = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        let meta = b.column(3).as_any().downcast_ref::<StructArray>().unwrap();
        let url = meta
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        for i in 0..b.num_rows() {
            let want = &applied[rows];
            assert_eq!(want["id"], id.value(i));
            assert_eq!(want["text"], text.value(i), "row {rows}");
            // The other columns are the input row's.
            let k = n.value(i) as usize;
            assert_eq!(recs[k].0, id.value(i));
            assert_eq!(url.value(i), format!("https://example.org/{k}"));
            rows += 1;
        }
    }
    assert_eq!(rows, applied.len());
    assert!(rows < recs.len(), "duplicates dropped");
}

#[test]
fn the_staged_pipeline_reads_parquet_shards_as_scan_does() {
    let dir = tempfile::tempdir().unwrap();
    let recs = records();
    let shards: Vec<std::path::PathBuf> = recs
        .chunks(recs.len() / 3 + 1)
        .enumerate()
        .map(|(k, part)| {
            let p = dir.path().join(format!("part-{k}.parquet"));
            write_parquet(&p, part, Layout::Utf8, 20);
            p
        })
        .collect();
    let tables = dir.path().join("tables");
    dedup()
        .args(["sign", "-q", "--out"])
        .arg(&tables)
        .args(&shards)
        .assert()
        .success();
    dedup()
        .args(["cluster", "-q"])
        .arg(&tables)
        .assert()
        .success();
    let mut staged = Vec::new();
    for shard in &shards {
        let out = dedup()
            .args(["spans", "-q", "--clusters"])
            .arg(&tables)
            .arg(shard)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        staged.extend(
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .skip(1)
                .map(String::from),
        );
    }
    let scan = dedup().args(["scan", "-q"]).args(&shards).output().unwrap();
    let scan: Vec<String> = String::from_utf8(scan.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(String::from)
        .collect();
    assert!(scan.len() > 20);
    assert_eq!(staged, scan);
}

#[test]
fn damaged_parquet_files_are_skipped_or_read_to_the_damage_never_a_panic() {
    // Cut short, bytes overwritten, runs of noise: the reader asserts on some of these; the scan
    // and apply must still end with 0 or 3 and name the file.
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    write_parquet(&good, &records()[..60], Layout::Utf8, 20);
    let base = std::fs::read(&good).unwrap();
    let mut rng = common::Rng(7);
    for case in 0..120 {
        let mut bytes = base.clone();
        match case % 3 {
            0 => bytes.truncate(rng.below(bytes.len())),
            1 => {
                for _ in 0..1 + rng.below(20) {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
            }
            _ => {
                let at = rng.below(bytes.len());
                let len = (1 + rng.below(200)).min(bytes.len() - at);
                for b in &mut bytes[at..at + len] {
                    *b = rng.next() as u8;
                }
            }
        }
        let corpus = dir.path().join(format!("c{case}"));
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(corpus.join("x.parquet"), &bytes).unwrap();
        let report = dir.path().join(format!("r{case}.csv"));
        // Both commands end with 0 or 3 and never panic.
        let ends_well = |what: &str, cmd: &mut Command| {
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 3)) && !stderr.contains("panicked"),
                "case {case}: {what} exit {code:?}: {stderr}"
            );
        };
        ends_well(
            "scan",
            dedup().args(["scan", "-q", "-o"]).arg(&report).arg(&corpus),
        );
        ends_well(
            "apply",
            dedup()
                .args(["apply", "-q", "--report"])
                .arg(&report)
                .arg("--out")
                .arg(dir.path().join(format!("o{case}")))
                .arg(&corpus),
        );
    }
}

#[test]
fn a_file_the_parquet_reader_asserts_on_is_skipped_with_the_reason() {
    // tests/fixtures/damaged.parquet: the fixture shard part-0 written by pyarrow, with bytes
    // overwritten so that the parquet crate's bit unpacking asserts (found by fuzzing).
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/damaged.parquet"),
        dir.path().join("x.parquet"),
    )
    .unwrap();
    let out = dedup().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("x.parquet: skipped: row 1: damaged Parquet data"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
