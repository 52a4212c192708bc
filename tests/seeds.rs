//! The seed corpus: the exact spans the product promises on it.

mod common;
use common::*;
use dedup::Options;

const S001: &str = "001_b0bf57630b2d92a9.txt";
const S003: &str = "003_9f71b3d69bb7eeb4.txt";
const S004: &str = "004_c2ad19efbe191da2.txt";

fn rows() -> Vec<Row> {
    scan_rows(&[seeds()], &Options::default())
}

fn text(doc: &str) -> String {
    std::fs::read_to_string(seeds().join(doc)).unwrap()
}

#[test]
fn seed_001_body_repeat_is_one_row_with_its_kept_copy() {
    let rows = rows();
    let r: Vec<_> = rows.iter().filter(|r| r.doc == S001).collect();
    assert_eq!(r.len(), 1, "{r:?}");
    let r = r[0];
    assert_eq!(
        (r.start, r.end, r.kind.as_str()),
        (1973, 3727, "repeated_paragraph")
    );
    assert_eq!(
        (r.keep_doc.as_deref(), r.keep_start, r.keep_end),
        (Some(S001), Some(218), Some(1972))
    );
    assert_eq!((r.line_start, r.line_end), (10, 17));
    let t = text(S001);
    assert_eq!(
        t[1973..3727],
        t[218..1972],
        "the removed copy equals the kept one"
    );
}

#[test]
fn seed_004_repeated_title() {
    let rows = rows();
    let r: Vec<_> = rows.iter().filter(|r| r.doc == S004).collect();
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        (r[0].start, r[0].end, r[0].kind.as_str()),
        (188, 261, "repeated_paragraph")
    );
    assert_eq!((r[0].keep_start, r[0].keep_end), (Some(90), Some(163)));
}

#[test]
fn seed_003_every_publicite_line_is_boilerplate() {
    let rows = rows();
    let t = text(S003);
    let r: Vec<_> = rows.iter().filter(|r| r.doc == S003).collect();
    assert_eq!(r.len(), 3, "{r:?}");
    for row in r {
        assert_eq!(row.kind, "boilerplate");
        assert_eq!(&t[row.start..row.end], "Publicité");
    }
}

#[test]
fn no_article_sentence_is_flagged_and_no_seed_is_a_duplicate() {
    let rows = rows();
    // Exactly the rows above: nothing else anywhere, so no article sentence is touched
    // (the 001 and 004 rows remove second copies whose first copies stay).
    assert_eq!(rows.len(), 5, "{rows:#?}");
    assert!(rows
        .iter()
        .all(|r| r.kind == "repeated_paragraph" || r.kind == "boilerplate"));
    assert!(rows.iter().all(|r| r.cluster.is_none()));
    assert_well_formed(&seeds(), &rows);
}
