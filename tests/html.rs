//! The HTML report (`scan --html`): every row of the seeds is a marked cut of its kind in its
//! document's view, the page is the same bytes for any thread count, it loads nothing from the
//! network, and clusters show their members and a diff. scripts/html/test.sh renders the page in
//! a real headless browser.

mod common;
use assert_cmd::Command;
use std::path::Path;

fn dedup() -> Command {
    Command::cargo_bin("dedup").unwrap()
}

/// The page of a scan of `paths` (with `extra` options), and the CSV report.
fn page(paths: &[&Path], extra: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let out = dedup()
        .args(["scan", "-q", "--offsets", "chars", "--html"])
        .arg(&html)
        .args(extra)
        .args(paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        std::fs::read_to_string(&html).unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The text of an HTML fragment: tags dropped, entities decoded.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The marked cuts of the view of document `doc`: (kind, text).
fn cuts_in_view(html: &str, doc: &str) -> Vec<(String, String)> {
    let open = format!("data-doc=\"{doc}\"");
    let at = html
        .find(&open)
        .unwrap_or_else(|| panic!("no view of {doc}"));
    let view = &html[at..at + html[at..].find("</section>").unwrap()];
    let mut cuts = Vec::new();
    let mut rest = view;
    while let Some(i) = rest.find("<del class=\"cut") {
        let tag_end = i + rest[i..].find('>').unwrap();
        let tag = &rest[i..tag_end];
        let kind = tag
            .split("data-kind=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let close = tag_end + rest[tag_end..].find("</del>").unwrap();
        cuts.push((kind.to_string(), text_of(&rest[tag_end + 1..close])));
        rest = &rest[close..];
    }
    cuts
}

#[test]
fn every_row_of_the_seeds_is_a_marked_cut_of_its_kind_in_its_document() {
    let seeds = common::seeds();
    let (html, csv) = page(&[&seeds], &[]);
    let rows = common::parse(csv.as_bytes());
    assert_eq!(rows.len(), 8);
    for row in &rows {
        let text = std::fs::read_to_string(seeds.join(&*row.doc)).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let want: String = chars[row.start..row.end].iter().collect();
        let cuts = cuts_in_view(&html, &row.doc);
        assert!(
            cuts.contains(&(row.kind.as_str().to_string(), want.clone())),
            "{}: {:?} {:?} not among {cuts:?}",
            row.doc,
            row.kind,
            want
        );
    }
    // Nothing else is marked: as many cuts as rows.
    let marked: usize = ["000", "001", "002", "003", "004"]
        .iter()
        .map(|p| {
            let name = std::fs::read_dir(&seeds)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .find(|n| n.starts_with(p))
                .unwrap();
            cuts_in_view(&html, &name).len()
        })
        .sum();
    assert_eq!(marked, rows.len());
}

#[test]
fn the_page_is_the_same_for_any_thread_count_and_loads_nothing() {
    let seeds = common::seeds();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shards");
    let (one, _) = page(&[&seeds, &fixtures], &["--threads", "1"]);
    let (two, _) = page(&[&seeds, &fixtures], &["--threads", "2"]);
    assert!(one == two, "the page differs between 1 and 2 threads");
    // Self-contained: no external script, style, image, font or frame.
    for needle in [
        "src=",
        "<link",
        "@import",
        "url(",
        "<iframe",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!one.contains(needle), "{needle}");
    }
    assert!(!one.contains("href=\"http"));
}

#[test]
fn clusters_show_their_members_and_a_diff() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shards");
    let (html, csv) = page(&[&fixtures], &[]);
    let rows = common::parse(csv.as_bytes());
    let clustered: Vec<_> = rows.iter().filter(|r| r.cluster.is_some()).collect();
    assert!(!clustered.is_empty());
    let first = clustered[0];
    let id = first.cluster.unwrap();
    let view_at = html
        .find(&format!("id=\"view-cluster-{id}\""))
        .expect("cluster view");
    let view = &html[view_at..view_at + html[view_at..].find("</section>").unwrap()];
    assert!(
        view.contains(first.keep_doc.as_deref().unwrap()),
        "kept copy named"
    );
    assert!(view.contains("class=\"text diff\""), "a diff");
    // Its first 20 members are listed with their similarity, the others counted.
    let members: Vec<_> = clustered.iter().filter(|r| r.cluster == Some(id)).collect();
    for r in members.iter().take(20) {
        assert!(view.contains(&*r.doc), "{}", r.doc);
    }
    if members.len() > 20 {
        assert!(view.contains(&format!("and {} more.", members.len() - 20)));
    }
}

#[test]
fn a_large_corpus_shows_a_bounded_sample() {
    // 300 small documents, each with a boilerplate line: the views hold at most 200.
    let files: Vec<(String, Vec<u8>)> = (0..300)
        .map(|i| {
            (
                format!("d{i:03}.txt"),
                format!("Leave a Reply\nStory {i} is about the harbour and the boats number {i} that sail at dawn.\n")
                    .into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let dir = common::corpus(&refs);
    let (html, _) = page(&[dir.path()], &[]);
    let views = html.matches("class=\"view doc\"").count();
    assert!((100..=200).contains(&views), "{views}");
    assert!(html.contains("300 documents in all"));
}

#[test]
fn standard_input_has_its_page_too() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let text = std::fs::read(common::seeds().join("001_b0bf57630b2d92a9.txt")).unwrap();
    dedup()
        .args(["scan", "-q", "-", "--html"])
        .arg(&html)
        .write_stdin(text)
        .assert()
        .success();
    let page = std::fs::read_to_string(&html).unwrap();
    let cuts = cuts_in_view(&page, "-");
    assert!(
        cuts.iter().any(|(k, _)| k == "repeated_paragraph"),
        "{cuts:?}"
    );
}
