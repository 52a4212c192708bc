//! The command line: report on stdout, summary on stderr, errors that name the file.

mod common;
use assert_cmd::Command;
use predicates::prelude::*;

fn dedup() -> Command {
    Command::cargo_bin("dedup").unwrap()
}

#[test]
fn scan_seeds_writes_the_report_and_a_summary() {
    let out = dedup()
        .args(["scan"])
        .arg(common::seeds())
        .assert()
        .success();
    let out = out.get_output();
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(stdout.starts_with(
        "doc,start,end,kind,keep_doc,keep_start,keep_end,similarity,score,cluster,id,keep_id,reason,line_start,line_end,preview\n"
    ));
    // Two repeats and the eleven furniture units, adjacent units in one row each.
    assert_eq!(common::parse(stdout.as_bytes()).len(), 8);
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("5 documents")
            && stderr.contains("8 rows cutting 14.5% of the text")
            && stderr.contains("repeated_paragraph 2 (1830 B, 11.5%)"),
        "{stderr}"
    );
}

#[test]
fn report_is_identical_across_thread_counts() {
    let run = |t: &str| {
        dedup()
            .args(["scan", "--threads", t])
            .arg(common::seeds())
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("8"));
}

#[test]
fn explain_prints_the_s_curve() {
    dedup()
        .args(["scan", "--explain"])
        .arg(common::seeds())
        .assert()
        .success()
        .stderr(predicate::str::contains("bands ×").and(predicate::str::contains("0.80")));
    // Without the near-duplicate detector there is no LSH to explain.
    dedup()
        .args(["scan", "--explain", "--detect", "repeated,boilerplate"])
        .arg(common::seeds())
        .assert()
        .success()
        .stderr(
            predicate::str::contains("LSH: not used")
                .and(predicate::str::contains("bands ×").not()),
        );
}

#[test]
fn missing_input_is_skipped_naming_it_or_fails_under_strict() {
    dedup()
        .args(["scan", "no/such/folder"])
        .arg(common::seeds())
        .assert()
        .code(3)
        .stdout(predicate::str::contains("seeds").not())
        .stdout(predicate::str::contains("001_b0bf57630b2d92a9.txt"))
        .stderr(predicate::str::contains(
            "warning: no/such/folder: skipped: No such file",
        ));
    dedup()
        .args(["scan", "--strict", "no/such/folder"])
        .arg(common::seeds())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("error: no/such/folder"));
}

#[test]
fn bad_options_are_usage_errors() {
    dedup()
        .args(["scan", "--threshold", "1.5"])
        .arg(common::seeds())
        .assert()
        .code(2);
    dedup()
        .args(["scan", "--bands", "20", "--band-rows", "10"])
        .arg(common::seeds())
        .assert()
        .code(2);
    dedup().args(["scan"]).assert().code(2); // no path: clap's usage error
    dedup()
        .args(["scan", "--detect", "near-dup,paragraphs"])
        .arg(common::seeds())
        .assert()
        .code(2);
}

#[test]
fn binary_files_are_skipped_and_invalid_utf8_scanned_with_a_warning() {
    let dir = common::corpus(&[
        ("bin.dat", b"abc\0def"),
        ("latin1.txt", b"caf\xe9\n"),
        ("ok.txt", b"fine text\n"),
    ]);
    dedup().arg("scan").arg(dir.path()).assert().code(3).stderr(
        predicate::str::contains("bin.dat: skipped: binary")
            .and(predicate::str::contains(
                "latin1.txt: not valid UTF-8 (first bad byte at offset 3",
            ))
            .and(predicate::str::contains("2 documents")),
    );
}

#[test]
fn help_has_examples() {
    dedup()
        .args(["scan", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("dedup scan seeds/ > report.csv"));
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    // assert_cmd captures stderr through a pipe: only the summary line may appear.
    let out = dedup().arg("scan").arg(common::seeds()).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.starts_with("dedup: 5 documents"));
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
}

#[test]
fn stats_file_accounts_for_the_run() {
    let dir = common::corpus(&[
        (
            "a.txt",
            b"Same story about the bank and its rates, told at length here.",
        ),
        (
            "b.txt",
            b"Same story about the bank and its rates, told at length here.",
        ),
        ("bin.dat", b"\0\0"),
    ]);
    let stats = dir.path().join("stats.json");
    dedup()
        .args(["scan", "-q", "--stats"])
        .arg(&stats)
        .arg(dir.path())
        .arg(common::seeds())
        .assert()
        .code(3);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(v["documents"], 7);
    assert_eq!(v["skipped"], 1);
    assert_eq!(v["skipped_bytes"], 2);
    assert_eq!(v["rows"], 9);
    assert_eq!(v["per_kind"]["exact_duplicate"]["rows"], 1);
    assert_eq!(v["per_kind"]["repeated_paragraph"]["bytes"], 1830);
    assert_eq!(v["clusters"], 1);
    assert_eq!(v["cluster_sizes"][0]["size"], 2);
    assert_eq!(v["lsh"]["bands"], 18);
    assert!(v["mb_per_second"].as_f64().unwrap() > 0.0);
    // The stages' wall times add up to no more than the run's.
    let stages = v["stage_seconds"].as_object().unwrap();
    assert_eq!(stages.len(), 4);
    let sum: f64 = stages.values().map(|s| s.as_f64().unwrap()).sum();
    assert!(stages.values().all(|s| s.as_f64().unwrap() >= 0.0));
    assert!(
        sum > 0.0 && sum <= v["wall_seconds"].as_f64().unwrap(),
        "{stages:?}"
    );
    // Only units reported as cross-document boilerplate are listed, each with its text.
    for unit in v["top_boilerplate"].as_array().unwrap() {
        assert!(!unit["text"].as_str().unwrap().is_empty(), "{unit}");
        assert!(unit["documents"].as_u64().unwrap() >= 3, "{unit}");
    }
}

#[test]
fn stats_break_the_run_down_per_shard() {
    let story = "Same story about the bank and its rates, told at length here for all.";
    let line = |id: u32, text: &str| {
        let lang = if id % 2 == 1 { "en" } else { "de" };
        serde_json::json!({"id": id, "text": text, "meta": {"lang": lang}}).to_string()
    };
    let a = [
        line(1, story),
        line(
            2,
            "Another text entirely, about the weather in the hills today.",
        ),
    ]
    .join("\n");
    let b = [
        line(3, story),
        line(4, "Leave a Reply"),
        line(
            5,
            "One more text about a harbour, its boats and the fishermen.",
        ),
    ]
    .join("\n");
    let dir = common::corpus(&[("a.jsonl", a.as_bytes()), ("b.jsonl", b.as_bytes())]);
    let stats = dir.path().join("stats.json");
    dedup()
        .args(["scan", "-q", "--lang-field", "meta.lang", "--stats"])
        .arg(&stats)
        .arg(dir.path().join("a.jsonl"))
        .arg(dir.path().join("b.jsonl"))
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let shards = v["per_source"].as_array().unwrap();
    assert_eq!(shards.len(), 2, "{v}");
    assert!(shards[0]["source"].as_str().unwrap().ends_with("a.jsonl"));
    assert_eq!(shards[0]["documents"], 2);
    assert_eq!(shards[1]["documents"], 3);
    let bytes = |s: &serde_json::Value| s["bytes"].as_u64().unwrap();
    assert_eq!(
        bytes(&shards[0]) + bytes(&shards[1]),
        v["text_bytes"].as_u64().unwrap()
    );
    // The copy of the story in b is cut whole; a keeps its first copy.
    assert_eq!(shards[0]["bytes_cut"], 0);
    assert_eq!(shards[1]["duplicates"], 1);
    assert_eq!(
        shards[1]["per_kind"]["exact_duplicate"]["bytes"],
        story.len()
    );
    let cut: u64 = shards
        .iter()
        .map(|s| s["bytes_cut"].as_u64().unwrap())
        .sum();
    assert_eq!(cut, v["bytes_cut"].as_u64().unwrap());
    // Per language: ids 1, 3, 5 are "en", 2 and 4 "de"; the copy (id 3) is English.
    let langs = v["per_language"].as_array().unwrap();
    let lang = |name: &str| langs.iter().find(|l| l["language"] == name).unwrap();
    assert_eq!(langs.len(), 2, "{langs:?}");
    assert_eq!(lang("en")["documents"], 3);
    assert_eq!(lang("de")["documents"], 2);
    assert_eq!(lang("en")["duplicates"], 1);
    assert_eq!(lang("de")["duplicates"], 0);
}

#[test]
fn output_file_appears_only_when_the_scan_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    dedup()
        .args(["scan", "--threshold", "2", "-o"])
        .arg(&report)
        .arg(common::seeds())
        .assert()
        .code(2);
    assert!(!report.exists(), "a failed run left {}", report.display());
    dedup()
        .args(["scan", "-q", "--strict", "-o"])
        .arg(&report)
        .arg(common::seeds())
        .arg(common::seeds().join("no-such-file.txt"))
        .assert()
        .code(1);
    assert!(!report.exists());
    let stdout = dedup()
        .args(["scan", "-q"])
        .arg(common::seeds())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    dedup()
        .args(["scan", "-q", "-o"])
        .arg(&report)
        .arg(common::seeds())
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read(&report).unwrap(), stdout);
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() == 1,
        "temporary file left behind"
    );
}
