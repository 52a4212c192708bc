//! Hostile inputs: binary, invalid UTF-8, empty, unreadable, dangling and looping links, missing
//! paths, mixed line ends, huge lines, many tiny files, broken JSONL records, truncated
//! compression, decompression bombs, paths given twice; exit codes 0 / 1 / 2 / 3, `--strict`,
//! `--max-doc-bytes`, and `dedup apply` never losing what the report did not flag.

mod common;
use assert_cmd::Command;
use common::*;
use std::io::Write;
use std::path::{Path, PathBuf};

const PARA: &str = "The central bank raised its main interest rate by half a point on Thursday, \
                    citing inflation that has run above its target for three years.";
const OTHER: &str =
    "Farmers in the northern valleys expect a late harvest after weeks of cold rain.";
const THIRD: &str = "A new bridge over the river will open to traffic at the end of next month.";
const FOURTH: &str = "The museum shows two hundred paintings lent by private collectors abroad.";

/// A document with one repeated paragraph (one `repeated_paragraph` row).
fn repeated_doc() -> String {
    format!("{PARA}\n{OTHER}\n{PARA}\n")
}

fn dedup() -> Command {
    Command::cargo_bin("dedup").unwrap()
}

/// The outcome of one `dedup scan`.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    stats: Option<serde_json::Value>,
}

impl Run {
    fn rows(&self) -> Vec<Row> {
        parse(&self.stdout)
    }

    fn stats(&self) -> &serde_json::Value {
        self.stats
            .as_ref()
            .unwrap_or_else(|| panic!("no --stats file written; stderr:\n{}", self.stderr))
    }

    fn documents(&self) -> u64 {
        self.stats()["documents"]
            .as_u64()
            .unwrap_or_else(|| panic!("stats without documents: {}", self.stats()))
    }

    fn skipped_inputs(&self) -> Vec<(String, String)> {
        self.stats()["skipped_inputs"]
            .as_array()
            .unwrap_or_else(|| panic!("stats without skipped_inputs: {}", self.stats()))
            .iter()
            .map(|s| {
                (
                    s["path"].as_str().expect("skipped path").to_string(),
                    s["reason"].as_str().expect("skipped reason").to_string(),
                )
            })
            .collect()
    }

    fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code,
            Some(code),
            "exit status; stderr:\n{}",
            self.stderr
        );
    }

    /// A `dedup: warning: <path>: skipped: <reason>` line for `path` whose reason contains
    /// `needle`.
    fn assert_skipped(&self, path: &Path, needle: &str) {
        let prefix = format!("dedup: warning: {}: skipped: ", path.display());
        assert!(
            self.stderr
                .lines()
                .any(|l| l.starts_with(&prefix) && l[prefix.len()..].contains(needle)),
            "no warning `{prefix}…{needle}…` in stderr:\n{}",
            self.stderr
        );
    }

    fn assert_not_skipped(&self, path: &Path) {
        let needle = format!("{}: skipped", path.display());
        assert!(
            !self.stderr.contains(&needle),
            "{} was skipped:\n{}",
            path.display(),
            self.stderr
        );
    }
}

/// Runs `dedup scan ARGS --stats FILE PATHS` and collects everything it left.
fn scan(args: &[&str], paths: &[PathBuf]) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let stats = tmp.path().join("stats.json");
    let out = dedup()
        .arg("scan")
        .args(args)
        .arg("--stats")
        .arg(&stats)
        .args(paths)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let stats = std::fs::read_to_string(&stats)
        .ok()
        .map(|s| serde_json::from_str(&s).expect("stats are JSON"));
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr,
        stats,
    }
}

fn dir_arg(dir: &tempfile::TempDir) -> Vec<PathBuf> {
    vec![dir.path().to_path_buf()]
}

/// `bytes` without the half-open byte ranges `spans` (sorted, disjoint).
fn cut(bytes: &[u8], spans: &[(usize, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    for &(s, e) in spans {
        out.extend_from_slice(&bytes[at..s]);
        at = e;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// `n` distinct sentences on one line (no line end, no trailing space), at least `min_len` bytes.
fn one_line(min_len: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(min_len + 128);
    let mut i = 0u64;
    while s.len() < min_len {
        if i > 0 {
            s.push(' ');
        }
        write!(
            s,
            "Sentence number {i} talks about item {} in détail.",
            i * 7919 % 10007
        )
        .unwrap();
        i += 1;
    }
    s
}

/// A JSONL shard of `n` records with random words (compresses only so far), one per line.
fn shard(n: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    for i in 0..n {
        let words: Vec<String> = (0..30 + rng.below(30))
            .map(|_| format!("w{}", rng.below(20_000)))
            .collect();
        let rec = serde_json::json!({"id": i, "text": words.join(" ")});
        writeln!(out, "{rec}").unwrap();
    }
    out
}

/// `plain` gzip-compressed in one member, built in chunks (for large inputs).
fn gzip_chunks(chunk: &[u8], times: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for _ in 0..times {
        e.write_all(chunk).unwrap();
    }
    e.finish().unwrap()
}

fn symlink(target: &Path, link: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).unwrap();
    #[cfg(not(unix))]
    let _ = (target, link);
}

// ------------------------------------------------------------------------------------------------
// Exit codes and warnings

#[test]
fn usage_errors_exit_2_with_nothing_on_stdout() {
    let seeds = seeds();
    for args in [
        vec!["--threshold", "1.5"],
        vec!["--bands", "20", "--band-rows", "10"],
        vec!["--max-doc-bytes", "abc"],
        vec!["--max-doc-bytes", "-5"],
        vec!["--no-such-option"],
    ] {
        let out = dedup()
            .arg("scan")
            .args(&args)
            .arg(&seeds)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    dedup().arg("scan").assert().code(2); // no path
}

#[test]
fn binary_file_is_skipped_with_exit_3_and_the_rest_reported() {
    let doc = repeated_doc();
    let dir = corpus(&[("bin.dat", b"abc\0def"), ("ok.txt", doc.as_bytes())]);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&dir.path().join("bin.dat"), "binary");
    assert_eq!(run.documents(), 1);
    // The report covers everything that was read.
    let rows = run.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].doc, "ok.txt");
    // The repeated line, with its line end.
    assert_eq!(&doc[rows[0].start..rows[0].end], format!("{PARA}\n"));

    // -q: the same exit status, nothing on stderr.
    let quiet = scan(&["-q"], &dir_arg(&dir));
    quiet.assert_code(3);
    assert_eq!(quiet.stderr, "", "-q prints warnings");
    assert_eq!(quiet.stdout, run.stdout);
}

#[test]
fn nul_escape_in_a_jsonl_record_is_a_normal_document() {
    let shard = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "a", "text": "before\u{0}after, a record with a NUL character in it"}),
        serde_json::json!({"id": "b", "text": "an ordinary record with nothing special"}),
    );
    assert!(shard.contains("\\u0000"));
    let dir = corpus(&[("x.jsonl", shard.as_bytes())]);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(0);
    assert_eq!(run.documents(), 2);
    run.assert_not_skipped(&dir.path().join("x.jsonl"));
}

#[test]
fn empty_file_is_a_document_without_rows() {
    let doc = repeated_doc();
    let dir = corpus(&[("empty.txt", b""), ("ok.txt", doc.as_bytes())]);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(0);
    assert_eq!(run.documents(), 2);
    assert!(run.rows().iter().all(|r| r.doc != "empty.txt"));
    assert_eq!(run.rows().len(), 1);
}

#[test]
fn missing_path_is_a_warning_and_the_rest_is_scanned() {
    let doc = repeated_doc();
    let dir = corpus(&[("ok.txt", doc.as_bytes())]);
    let missing = dir.path().join("no").join("such-file.txt");
    let report = tempfile::tempdir().unwrap();
    let report = report.path().join("r.csv");
    let run = scan(
        &["-o", report.to_str().unwrap()],
        &[dir.path().to_path_buf(), missing.clone()],
    );
    run.assert_code(3);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("dedup: warning: ") && l.contains(&*missing.to_string_lossy())),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("dedup: error"), "{}", run.stderr);
    assert_eq!(run.documents(), 1);
    // Exit 3 is a success: the report is written.
    let rows = parse(&std::fs::read(&report).expect("report written"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].doc, "ok.txt");
}

// ------------------------------------------------------------------------------------------------
// Invalid UTF-8: scanned on a lossy decode, offsets into the original bytes

const LATIN1_PARA: &[u8] =
    b"Le caf\xe9 de la gare a \xe9t\xe9 ferm\xe9 pendant toute la journ\xe9e \
                             d'hier, au grand d\xe9sespoir des habitu\xe9s du caf\xe9";

fn latin1_doc() -> (Vec<u8>, usize, usize) {
    let mut doc = Vec::new();
    doc.extend_from_slice(b"Premi\xe8re ligne du document, sans rapport avec la suite.\n");
    let first = doc.len();
    doc.extend_from_slice(LATIN1_PARA);
    doc.push(b'\n');
    doc.extend_from_slice(
        b"Une autre ligne tout \xe0 fait diff\xe9rente qui parle de la m\xe9t\xe9o.\n",
    );
    doc.extend_from_slice(b"Et encore une troisi\xe8me phrase, pour faire bonne mesure.\n");
    let second = doc.len();
    doc.extend_from_slice(LATIN1_PARA);
    doc.push(b'\n');
    doc.extend_from_slice(b"Fin du document \xe0 Gen\xe8ve.\n");
    (doc, first, second)
}

/// Code points of the lossy decode of `bytes[..pos]`.
fn lossy_chars(bytes: &[u8], pos: usize) -> usize {
    String::from_utf8_lossy(&bytes[..pos]).chars().count()
}

#[test]
fn latin1_file_is_scanned_on_a_lossy_decode_with_offsets_into_the_original() {
    let (doc, first, second) = latin1_doc();
    assert!(std::str::from_utf8(&doc).is_err());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("latin1.txt");
    std::fs::write(&file, &doc).unwrap();
    let len = LATIN1_PARA.len();
    // The cut is the repeated line with its line end; the kept copy is the line itself.
    let cut_len = len + 1;

    let run = scan(&["--no-furniture"], std::slice::from_ref(&dir));
    run.assert_code(0);
    assert!(
        run.stderr.lines().any(|l| l.starts_with("dedup: warning: ")
            && l.contains(&*file.to_string_lossy())
            && l.contains("not valid UTF-8")),
        "{}",
        run.stderr
    );
    run.assert_not_skipped(&file);
    assert_eq!(run.documents(), 1);
    let rows = run.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(r.kind.as_str(), "repeated_paragraph");
    assert_eq!(r.doc, "latin1.txt");
    assert_eq!((r.start, r.end), (second, second + cut_len));
    assert_eq!(&doc[r.start..r.end - 1], LATIN1_PARA);
    assert_eq!((r.keep_start, r.keep_end), (Some(first), Some(first + len)));
    assert_eq!((r.line_start, r.line_end), (5, 5));
    assert_eq!(
        r.preview,
        String::from_utf8_lossy(LATIN1_PARA)
            .chars()
            .take(60)
            .collect::<String>()
            + "…"
    );

    // Code points of the lossy decode.
    let chars = scan(
        &["--no-furniture", "--offsets", "chars"],
        std::slice::from_ref(&dir),
    );
    chars.assert_code(0);
    let c = &chars.rows()[0];
    assert_eq!(
        (c.start, c.end),
        (
            lossy_chars(&doc, second),
            lossy_chars(&doc, second + cut_len)
        )
    );
    assert_eq!(
        (c.keep_start, c.keep_end),
        (
            Some(lossy_chars(&doc, first)),
            Some(lossy_chars(&doc, first + len))
        )
    );

    // apply cuts exactly that byte range and leaves every other byte (the invalid ones too).
    let expected = cut(&doc, &[(second, second + cut_len)]);
    for (unit, report) in [("bytes", &run.stdout), ("chars", &chars.stdout)] {
        let report_path = tmp.path().join(format!("{unit}.csv"));
        std::fs::write(&report_path, report).unwrap();
        let out = tmp.path().join(format!("out-{unit}"));
        dedup()
            .args(["apply", "--offsets", unit, "--report"])
            .arg(&report_path)
            .arg("--out")
            .arg(&out)
            .arg(&dir)
            .assert()
            .success();
        assert_eq!(
            std::fs::read(out.join("latin1.txt")).unwrap(),
            expected,
            "apply --offsets {unit}"
        );
    }
}

// ------------------------------------------------------------------------------------------------
// Unreadable files, links

#[cfg(unix)]
#[test]
fn unreadable_file_is_skipped_with_the_os_reason() {
    use std::os::unix::fs::PermissionsExt;
    let doc = repeated_doc();
    let dir = corpus(&[
        ("secret.txt", b"You may not read this."),
        ("ok.txt", doc.as_bytes()),
    ]);
    let secret = dir.path().join("secret.txt");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&secret).is_ok() {
        // Running as root: permissions do not stop reading. The /proc/self/mem test below covers
        // this case on Linux.
        eprintln!(
            "skipping: {} is readable despite mode 000 (root?)",
            secret.display()
        );
        return;
    }
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&secret, "Permission denied");
    assert_eq!(run.documents(), 1);
    assert_eq!(run.rows().len(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn file_that_opens_but_cannot_be_read_is_skipped_with_the_os_reason() {
    // /proc/self/mem opens for anyone, but reading offset 0 fails with EIO, even for root.
    let doc = repeated_doc();
    let dir = corpus(&[("a.txt", doc.as_bytes()), ("z.txt", OTHER.as_bytes())]);
    let mem = dir.path().join("mem.txt");
    symlink(Path::new("/proc/self/mem"), &mem);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&mem, "Input/output error");
    assert_eq!(run.documents(), 2, "the other files are scanned");
    assert_eq!(run.rows().len(), 1);
    assert!(run
        .skipped_inputs()
        .iter()
        .any(|(p, _)| p.ends_with("mem.txt")));
}

#[cfg(unix)]
#[test]
fn dangling_symlink_is_skipped() {
    let doc = repeated_doc();
    let dir = corpus(&[("ok.txt", doc.as_bytes())]);
    let link = dir.path().join("dangling.txt");
    symlink(&dir.path().join("gone.txt"), &link);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&link, "");
    assert_eq!(run.documents(), 1);
    assert_eq!(run.rows().len(), 1);
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_skipped_naming_the_loop() {
    let doc = repeated_doc();
    let dir = corpus(&[("ok.txt", doc.as_bytes()), ("sub/b.txt", OTHER.as_bytes())]);
    let link = dir.path().join("sub").join("back");
    symlink(dir.path(), &link);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&link, "loop");
    assert_eq!(run.documents(), 2);
    assert_eq!(run.rows().len(), 1);
}

// ------------------------------------------------------------------------------------------------
// Line ends, huge lines, many files

#[test]
fn mixed_line_ends_in_one_document_give_exact_offsets() {
    let doc = format!("{OTHER}\r\n{PARA}\r{THIRD}\n\r\n{FOURTH}\r{PARA}\r\nThe end of it all.\n");
    let dir = corpus(&[("mixed.txt", doc.as_bytes())]);
    let run = scan(&["--no-furniture"], &dir_arg(&dir));
    run.assert_code(0);
    let rows = run.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    let first = doc.find(PARA).unwrap();
    let second = doc.rfind(PARA).unwrap();
    assert_eq!(r.kind.as_str(), "repeated_paragraph");
    // The repeated line with its `\r\n`.
    assert_eq!((r.start, r.end), (second, second + PARA.len() + 2));
    assert_eq!(&doc[r.start..r.end], format!("{PARA}\r\n"));
    assert_eq!(
        (r.keep_start, r.keep_end),
        (Some(first), Some(first + PARA.len()))
    );
    // Lines: 1 OTHER \r\n, 2 PARA \r, 3 THIRD \n, 4 empty \r\n, 5 FOURTH \r, 6 PARA \r\n, 7.
    assert_eq!((r.line_start, r.line_end), (6, 6));
}

#[test]
fn twenty_megabyte_single_line() {
    let line = one_line(20 << 20);
    let dir = corpus(&[("big.txt", line.as_bytes())]);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(0);
    assert_eq!(run.documents(), 1);
    assert!(run.rows().is_empty(), "{:?}", &run.rows()[..1]);
    drop(dir);

    // The same line twice: one row covering exactly the second copy.
    let twice = format!("{line}\n{line}");
    let dir = corpus(&[("twice.txt", twice.as_bytes())]);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(0);
    let rows = run.rows();
    assert_eq!(rows.len(), 1, "{:?}", &rows[..rows.len().min(3)]);
    let r = &rows[0];
    assert_eq!(r.kind.as_str(), "repeated_paragraph");
    assert_eq!((r.start, r.end), (line.len() + 1, twice.len()));
    assert_eq!((r.keep_start, r.keep_end), (Some(0), Some(line.len())));
}

#[test]
fn hundred_thousand_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    const N: usize = 100_000;
    for sub in 0..8 {
        std::fs::create_dir(dir.path().join(format!("part{sub}"))).unwrap();
    }
    for i in 0..N {
        let words = match i % 3 {
            0 => format!("alpha{i}"),
            1 => format!("alpha{i} beta{}", i % 7),
            _ => format!("gamma{i} delta{} epsilon{}\n", i % 11, i / 5),
        };
        std::fs::write(
            dir.path()
                .join(format!("part{}", i % 8))
                .join(format!("{i}.txt")),
            words,
        )
        .unwrap();
    }
    let report = tempfile::tempdir().unwrap();
    let report = report.path().join("r.csv");
    let run = scan(&["-q", "-o", report.to_str().unwrap()], &dir_arg(&dir));
    run.assert_code(0);
    assert_eq!(run.documents(), N as u64);
    assert_eq!(run.stats()["skipped"], 0);
}

// ------------------------------------------------------------------------------------------------
// JSONL records

#[test]
fn bad_jsonl_records_are_skipped_by_line_and_the_good_ones_scanned() {
    let mut shard = Vec::new();
    writeln!(
        shard,
        "{}",
        serde_json::json!({"id": "a", "text": repeated_doc()})
    )
    .unwrap();
    writeln!(shard, "{{not json").unwrap();
    writeln!(shard, "{}", serde_json::json!({"id": "c", "text": 5})).unwrap();
    writeln!(
        shard,
        "{}",
        serde_json::json!({"id": "d", "body": "no text here"})
    )
    .unwrap();
    shard.extend_from_slice(b"{\"id\": \"e\", \"text\": \"caf\xe9 au lait, invalid bytes\"}\n");
    writeln!(shard, "{}", serde_json::json!({"id": "f", "text": OTHER})).unwrap();
    let dir = corpus(&[("x.jsonl", &shard)]);
    let path = dir.path().join("x.jsonl");
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&path, "line 2: not a JSON record");
    run.assert_skipped(&path, "line 3: field 'text' is not a string but a number");
    run.assert_skipped(&path, "line 4: no field 'text'");
    run.assert_skipped(&path, "line 5: ");
    assert_eq!(run.documents(), 2, "records 1 and 6");
    let rows = run.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].doc, "x.jsonl:1");
}

/// Numbers (runs of digits) in `s`.
fn numbers(s: &str) -> Vec<u64> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.parse().ok())
        .collect()
}

#[test]
fn duplicate_ids_are_scanned_with_a_warning() {
    let shard = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"id": "abc", "text": PARA}),
        serde_json::json!({"id": "xyz", "text": OTHER}),
        serde_json::json!({"id": "abc", "text": THIRD}),
    );
    let dir = corpus(&[("x.jsonl", shard.as_bytes())]);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(0);
    assert_eq!(run.documents(), 3, "both records with the id are scanned");
    assert_eq!(run.stats()["skipped"], 0);
    run.assert_not_skipped(&dir.path().join("x.jsonl"));
    // The warning names the file, the id, and both lines.
    let warned = run.stderr.lines().any(|l| {
        l.starts_with("dedup: warning: ")
            && l.split_once("x.jsonl").is_some_and(|(_, rest)| {
                let n = numbers(rest);
                rest.contains("id") && n.contains(&1) && n.contains(&3)
            })
    });
    assert!(warned, "{}", run.stderr);
}

// ------------------------------------------------------------------------------------------------
// Truncated compression

#[test]
fn truncated_compressed_text_files_are_skipped() {
    let text = one_line(200_000);
    let gz = compress("t.txt.gz", text.as_bytes());
    let zst = compress("t.txt.zst", text.as_bytes());
    let doc = repeated_doc();
    let dir = corpus(&[
        ("t.txt.gz", &gz[..gz.len() / 2]),
        ("t.txt.zst", &zst[..zst.len() / 2]),
        ("ok.txt", doc.as_bytes()),
    ]);
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(3);
    for name in ["t.txt.gz", "t.txt.zst"] {
        let path = dir.path().join(name);
        run.assert_skipped(&path, "");
        let reason = run
            .skipped_inputs()
            .into_iter()
            .find(|(p, _)| Path::new(p) == path)
            .map(|(_, r)| r)
            .unwrap_or_else(|| panic!("{name} not in skipped_inputs: {}", run.stats()));
        assert!(!reason.trim().is_empty(), "{name}: empty reason");
    }
    assert_eq!(run.documents(), 1);
    assert_eq!(run.rows().len(), 1);
}

#[test]
fn truncated_compressed_shards_keep_the_records_before_the_damage() {
    const RECORDS: u64 = 3000;
    let plain = shard(RECORDS as usize);
    for name in ["s.jsonl.gz", "s.jsonl.zst"] {
        let packed = compress(name, &plain);
        let cut_at = packed.len() * 9 / 10;
        let dir = corpus(&[(name, &packed[..cut_at])]);
        let path = dir.path().join(name);
        let run = scan(&["--no-furniture"], &dir_arg(&dir));
        run.assert_code(3);
        let docs = run.documents();
        assert!(docs > 0 && docs < RECORDS, "{name}: {docs} documents");
        // The damage is a skip with its line: the first line not scanned.
        let prefix = format!("dedup: warning: {}: skipped: line ", path.display());
        let lines: Vec<u64> = run
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .filter_map(|rest| numbers(rest).first().copied())
            .collect();
        assert!(
            !lines.is_empty(),
            "{name}: no `line N` skip:\n{}",
            run.stderr
        );
        assert_eq!(
            *lines.iter().min().unwrap(),
            docs + 1,
            "{name}: every record before the damage is scanned:\n{}",
            run.stderr
        );
    }
}

// ------------------------------------------------------------------------------------------------
// Paths given twice

#[test]
fn paths_given_twice_are_scanned_once_in_any_order() {
    let a = repeated_doc();
    let b = format!("{THIRD}\n{FOURTH}\n{THIRD}\n");
    let dir = corpus(&[("a.txt", a.as_bytes()), ("b.txt", b.as_bytes())]);
    let d = dir.path().to_path_buf();
    let file = d.join("a.txt");

    let once = scan(&[], std::slice::from_ref(&d));
    once.assert_code(0);
    assert_eq!(once.rows().len(), 2);

    let check = |run: &Run, what: &str| {
        run.assert_code(0);
        assert_eq!(run.documents(), 2, "{what}");
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("dedup: warning: ") && l.contains("given twice")),
            "{what}: {}",
            run.stderr
        );
        let rows = run.rows();
        assert_eq!(rows.len(), 2, "{what}: {rows:?}");
        assert_eq!(
            rows.iter().filter(|r| r.doc.ends_with("a.txt")).count(),
            1,
            "{what}: {rows:?}"
        );
    };

    let twice = scan(&[], &[d.clone(), d.clone()]);
    check(&twice, "dir dir");
    assert_eq!(twice.stdout, once.stdout, "dir dir = dir");

    let dir_then_file = scan(&[], &[d.clone(), file.clone()]);
    check(&dir_then_file, "dir dir/a.txt");
    let file_then_dir = scan(&[], &[file.clone(), d.clone()]);
    check(&file_then_dir, "dir/a.txt dir");
    assert_eq!(
        dir_then_file.stdout, file_then_dir.stdout,
        "the report does not depend on the order of the paths"
    );
}

// ------------------------------------------------------------------------------------------------
// A hostile mixed corpus: stats account for everything, apply loses nothing

/// `megabytes` MiB of the letter a, gzip-compressed (a decompression bomb).
fn gzip_bomb(megabytes: usize) -> Vec<u8> {
    gzip_chunks(&vec![b'a'; 1 << 20], megabytes)
}

#[test]
fn stats_account_for_every_input_of_a_hostile_corpus() {
    let (latin1, _, _) = latin1_doc();
    let text = one_line(100_000);
    let gz = compress("t.txt.gz", text.as_bytes());
    let doc = repeated_doc();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("ok1.txt", doc.clone().into_bytes()),
        ("ok2.txt", OTHER.as_bytes().to_vec()),
        (
            "sub/ok3.txt",
            format!("{THIRD}\r\n{FOURTH}\r\n").into_bytes(),
        ),
        ("empty.txt", Vec::new()),
        ("latin1.txt", latin1),
        ("bin.dat", b"\x7fELF\0\0\0binary".to_vec()),
        ("trunc.txt.gz", gz[..gz.len() / 2].to_vec()),
        ("big.txt.gz", gzip_bomb(5)),
        ("secret.txt", b"Mode 000, readable only by root.".to_vec()),
    ];
    let dir = corpus(
        &files
            .iter()
            .map(|(n, c)| (*n, c.as_slice()))
            .collect::<Vec<_>>(),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("secret.txt"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
    }
    let mut created = files.len();
    let mut expect_skipped = vec!["bin.dat", "trunc.txt.gz", "big.txt.gz"];
    #[cfg(unix)]
    {
        symlink(
            &dir.path().join("nowhere"),
            &dir.path().join("dangling.txt"),
        );
        symlink(dir.path(), &dir.path().join("sub").join("loop"));
        created += 2;
        expect_skipped.extend(["dangling.txt", "loop"]);
    }
    #[cfg(target_os = "linux")]
    {
        symlink(Path::new("/proc/self/mem"), &dir.path().join("mem.txt"));
        created += 1;
        expect_skipped.push("mem.txt");
    }
    let secret_readable = std::fs::read(dir.path().join("secret.txt")).is_ok();
    if !secret_readable {
        expect_skipped.push("secret.txt");
    }

    let run = scan(&["--max-doc-bytes", "1000000"], &dir_arg(&dir));
    run.assert_code(3);
    let skipped = run.skipped_inputs();
    assert_eq!(
        run.stats()["skipped"].as_u64(),
        Some(skipped.len() as u64),
        "{}",
        run.stats()
    );
    assert_eq!(
        run.documents() + skipped.len() as u64,
        created as u64,
        "every input is a document or a skipped input: {}",
        run.stats()
    );
    for name in &expect_skipped {
        assert!(
            skipped.iter().any(|(p, _)| p.ends_with(name)),
            "{name} not skipped: {skipped:?}"
        );
    }
    assert_eq!(skipped.len(), expect_skipped.len(), "{skipped:?}");
    for entry in run.stats()["skipped_inputs"].as_array().unwrap() {
        assert!(entry["bytes"].is_u64(), "{entry}");
        assert!(!entry["reason"].as_str().unwrap().is_empty(), "{entry}");
    }
    let big = skipped
        .iter()
        .find(|(p, _)| p.ends_with("big.txt.gz"))
        .unwrap();
    assert!(big.1.contains("--max-doc-bytes"), "{big:?}");
    let lp = skipped.iter().find(|(p, _)| p.ends_with("loop")).unwrap();
    assert!(lp.1.contains("loop"), "{lp:?}");
    // The one repeat of ok1.txt is reported.
    assert!(run
        .rows()
        .iter()
        .any(|r| r.doc == "ok1.txt" && r.kind.as_str() == "repeated_paragraph"));
}

/// Every regular file under `dir`, relative, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn scan_and_apply(
    corpus_dir: &Path,
    scan_args: &[&str],
) -> (Run, Vec<Row>, PathBuf, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let run = scan(scan_args, &[corpus_dir.to_path_buf()]);
    let report = tmp.path().join("r.csv");
    std::fs::write(&report, &run.stdout).unwrap();
    let rows = run.rows();
    let out = tmp.path().join("clean");
    dedup()
        .args(["apply", "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        .arg(corpus_dir)
        .assert()
        .success();
    (run, rows, out, tmp)
}

#[test]
fn apply_after_skips_keeps_every_skipped_or_unflagged_file_byte_for_byte() {
    let (latin1, _, _) = latin1_doc();
    // The same Latin-1 file, without its repeat: no rows.
    let latin1_plain: Vec<u8> = latin1
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(i, _)| *i != 4)
        .map(|(_, l)| l.to_vec())
        .collect::<Vec<_>>()
        .join(&b'\n');
    let text = one_line(50_000);
    let gz = compress("t.txt.gz", text.as_bytes());
    let big = one_line(5000);
    let mut bad_shard = Vec::new();
    writeln!(
        bad_shard,
        "{}",
        serde_json::json!({"id": 1, "text": FOURTH})
    )
    .unwrap();
    writeln!(bad_shard, "{{broken").unwrap();
    writeln!(bad_shard, "{}", serde_json::json!({"id": 3, "text": 7})).unwrap();
    let rep = repeated_doc();
    let dir = corpus(&[
        ("rep.txt", rep.as_bytes()),
        ("plain.txt", format!("{THIRD}\n").as_bytes()),
        ("empty.txt", b""),
        ("latin1.txt", &latin1_plain),
        ("bin.dat", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ("trunc.txt.gz", &gz[..gz.len() / 2]),
        ("big.txt", big.as_bytes()),
        ("x.jsonl", &bad_shard),
        ("sub/nested.txt", format!("{OTHER}\r\n").as_bytes()),
    ]);
    let (run, rows, out, _tmp) =
        scan_and_apply(dir.path(), &["--no-furniture", "--max-doc-bytes", "1000"]);
    run.assert_code(3);
    for name in ["bin.dat", "trunc.txt.gz", "big.txt"] {
        run.assert_skipped(&dir.path().join(name), "");
    }
    run.assert_skipped(&dir.path().join("x.jsonl"), "line 2: ");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].doc, "rep.txt");

    let input = files_under(dir.path());
    let output = files_under(&out);
    assert_eq!(
        output.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        input.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        "nothing dropped that the report did not flag"
    );
    for ((path, original), (_, cleaned)) in input.iter().zip(&output) {
        if path == Path::new("rep.txt") {
            let at = rep.rfind(PARA).unwrap();
            assert_eq!(cleaned, &cut(original, &[(at, at + PARA.len() + 1)]));
        } else {
            assert!(cleaned == original, "{} changed", path.display());
        }
    }
}

#[test]
fn apply_copies_compressed_files_without_rows_byte_for_byte() {
    // Compressed with settings apply would not choose, so a re-encoding would show.
    let mut e = flate2::GzBuilder::new()
        .filename("original-name.txt")
        .mtime(1_234_567)
        .write(Vec::new(), flate2::Compression::best());
    e.write_all(format!("{THIRD}\n{FOURTH}\n").as_bytes())
        .unwrap();
    let gz = e.finish().unwrap();
    let zst = zstd::encode_all(format!("{OTHER}\n").as_bytes(), 19).unwrap();
    let shard = compress(
        "s.jsonl.gz",
        format!("{}\n", serde_json::json!({"id": 1, "text": PARA})).as_bytes(),
    );
    let dir = corpus(&[
        ("rep.txt", repeated_doc().as_bytes()),
        ("c.txt.gz", &gz),
        ("c.txt.zst", &zst),
        ("s.jsonl.gz", &shard),
    ]);
    let (run, rows, out, _tmp) = scan_and_apply(dir.path(), &["--no-furniture"]);
    run.assert_code(0);
    assert!(rows.iter().all(|r| r.doc == "rep.txt"), "{rows:?}");
    for name in ["c.txt.gz", "c.txt.zst", "s.jsonl.gz"] {
        assert!(
            std::fs::read(out.join(name)).unwrap() == std::fs::read(dir.path().join(name)).unwrap(),
            "{name} changed"
        );
    }
}

// ------------------------------------------------------------------------------------------------
// --strict

#[test]
fn strict_turns_the_first_problem_into_an_error_naming_the_file() {
    let rep = repeated_doc();
    let (latin1, _, _) = latin1_doc();
    let dup_ids = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"id": "abc", "text": PARA}),
        serde_json::json!({"id": "xyz", "text": OTHER}),
        serde_json::json!({"id": "abc", "text": THIRD}),
    );
    let bad_record = format!(
        "{}\n{{broken\n",
        serde_json::json!({"id": "abc", "text": PARA})
    );
    let big = one_line(5000);
    // (case, files, extra paths relative to the corpus, file and line the error names)
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, &'a [u8])>,
        Vec<&'a str>,
        &'a str,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        (
            "binary",
            vec![("bin.dat", b"a\0b")],
            vec![],
            "bin.dat",
            None,
        ),
        (
            "lossy decode",
            vec![("latin1.txt", &latin1)],
            vec![],
            "latin1.txt",
            None,
        ),
        (
            "bad record",
            vec![("x.jsonl", bad_record.as_bytes())],
            vec![],
            "x.jsonl",
            Some("line 2"),
        ),
        (
            "duplicate id",
            vec![("x.jsonl", dup_ids.as_bytes())],
            vec![],
            "x.jsonl",
            Some("line 3"),
        ),
        ("given twice", vec![], vec!["ok.txt"], "ok.txt", None),
        (
            "missing path",
            vec![],
            vec!["missing.txt"],
            "missing.txt",
            None,
        ),
        (
            "too big",
            vec![("big.txt", big.as_bytes())],
            vec![],
            "big.txt",
            None,
        ),
    ];
    for (case, files, extra, file, line) in cases {
        let mut all = files.clone();
        all.push(("ok.txt", rep.as_bytes()));
        let dir = corpus(&all);
        let out_dir = tempfile::tempdir().unwrap();
        let report = out_dir.path().join("report.csv");
        let mut paths = vec![dir.path().to_path_buf()];
        paths.extend(extra.iter().map(|e| dir.path().join(e)));
        let run = scan(
            &[
                "--strict",
                "--max-doc-bytes",
                "1000",
                "-o",
                report.to_str().unwrap(),
            ],
            &paths,
        );
        run.assert_code(1);
        assert!(
            run.stderr.lines().any(|l| l.starts_with("dedup: error: ")
                && l.contains(file)
                && line.is_none_or(|n| l.contains(n))),
            "{case}: no error naming {file} {line:?}:\n{}",
            run.stderr
        );
        assert!(!report.exists(), "{case}: -o FILE created by a failed run");
        assert_eq!(
            std::fs::read_dir(out_dir.path()).unwrap().count(),
            0,
            "{case}: files left beside -o FILE"
        );
    }
    // A clean corpus passes --strict.
    let dir = corpus(&[("ok.txt", rep.as_bytes()), ("b.txt", OTHER.as_bytes())]);
    let run = scan(&["--strict"], &dir_arg(&dir));
    run.assert_code(0);
    assert_eq!(run.rows().len(), 1);
}

#[test]
fn strict_names_the_first_problem_in_corpus_order_not_the_first_one_read() {
    // Files are read largest first: the large bad file is read before the small one, but the
    // small one comes first in the corpus, and it is the one named, on any thread count.
    let (latin1, _, _) = latin1_doc();
    let large_bad = latin1.repeat(200);
    let rep = repeated_doc();
    let mut files: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| {
            (
                format!("f{i:02}.txt"),
                format!("{OTHER} {i}\n").into_bytes(),
            )
        })
        .collect();
    files.push(("g_small_bad.txt".into(), latin1.clone()));
    files.push(("h_ok.txt".into(), rep.into_bytes()));
    files.push(("z_large_bad.txt".into(), large_bad));
    let all: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let dir = corpus(&all);
    for threads in ["1", "2", "4"] {
        let run = scan(&["--strict", "--threads", threads], &dir_arg(&dir));
        run.assert_code(1);
        let error: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("dedup: error: "))
            .collect();
        assert!(
            error.len() == 1 && error[0].contains("g_small_bad.txt"),
            "{threads} threads: {}",
            run.stderr
        );
    }
    // Without --strict, both are scanned, each with its warning.
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(0);
    for name in ["g_small_bad.txt", "z_large_bad.txt"] {
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
    }
}

// ------------------------------------------------------------------------------------------------
// --max-doc-bytes

#[test]
fn max_doc_bytes_skips_larger_documents_and_only_that_record() {
    let exact = "x".repeat(999) + "\n";
    let over = "y".repeat(1000) + "\n";
    let gz = compress("small.txt.gz", one_line(5000).as_bytes());
    assert!(gz.len() < 1000);
    let dir = corpus(&[
        ("exact.txt", exact.as_bytes()),
        ("over.txt", over.as_bytes()),
        ("small.txt.gz", &gz),
    ]);
    let run = scan(&["--max-doc-bytes", "1000"], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_not_skipped(&dir.path().join("exact.txt"));
    run.assert_skipped(&dir.path().join("over.txt"), "--max-doc-bytes");
    run.assert_skipped(&dir.path().join("small.txt.gz"), "--max-doc-bytes");
    assert_eq!(run.documents(), 1);

    // In a shard, only the record.
    let shard = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"id": 1, "text": PARA}),
        serde_json::json!({"id": 2, "text": one_line(5000)}),
        serde_json::json!({"id": 3, "text": OTHER}),
    );
    let dir = corpus(&[("x.jsonl", shard.as_bytes())]);
    let run = scan(&["--max-doc-bytes", "1000"], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&dir.path().join("x.jsonl"), "line 2: ");
    assert!(
        run.stderr
            .lines()
            .any(|l| l.contains("skipped: line 2: ") && l.contains("--max-doc-bytes")),
        "{}",
        run.stderr
    );
    assert_eq!(run.documents(), 2);

    // The default (256 MiB) takes both.
    let run = scan(&[], &dir_arg(&dir));
    run.assert_code(0);
    assert_eq!(run.documents(), 3);
}

#[test]
fn gzip_bomb_is_skipped_quickly() {
    let bomb = gzip_bomb(50);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let doc = repeated_doc();
    let dir = corpus(&[("big.txt.gz", &bomb), ("ok.txt", doc.as_bytes())]);
    let run = scan(&["--max-doc-bytes", "1000000"], &dir_arg(&dir));
    run.assert_code(3);
    run.assert_skipped(&dir.path().join("big.txt.gz"), "--max-doc-bytes");
    assert_eq!(run.documents(), 1);
    assert_eq!(run.rows().len(), 1);
    // Read up to the limit and no further: the skip accounts for at most limit + 1 bytes.
    let stats = run.stats.as_ref().expect("stats");
    let read = stats["skipped_inputs"][0]["bytes"].as_u64().unwrap();
    assert!(read <= 1_000_001, "read {read} bytes of the bomb");
}
