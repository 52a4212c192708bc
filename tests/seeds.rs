//! The seed corpus: the exact spans the product promises on it.

mod common;
use common::*;
use dedup::pipeline::Settings;
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
    let r: Vec<_> = rows
        .iter()
        .filter(|r| r.doc == S001 && r.kind.as_str() == "repeated_paragraph")
        .collect();
    assert_eq!(r.len(), 1, "{r:?}");
    let r = r[0];
    // Lines 10-17 with the line end of line 17.
    assert_eq!(
        (r.start, r.end, r.kind.as_str()),
        (1973, 3728, "repeated_paragraph")
    );
    assert_eq!(
        (r.keep_doc.as_deref(), r.keep_start, r.keep_end),
        (Some(S001), Some(218), Some(1972))
    );
    assert_eq!((r.line_start, r.line_end), (10, 17));
    let t = text(S001);
    assert_eq!(
        t[1973..3728].trim_end(),
        &t[218..1972],
        "the removed copy equals the kept one"
    );
}

#[test]
fn seed_004_repeated_title() {
    let rows = rows();
    let r: Vec<_> = rows
        .iter()
        .filter(|r| r.doc == S004 && r.kind.as_str() == "repeated_paragraph")
        .collect();
    assert_eq!(r.len(), 1, "{r:?}");
    // Line 8, its line end and the blank line after it.
    assert_eq!(
        (r[0].start, r[0].end, r[0].kind.as_str()),
        (188, 263, "repeated_paragraph")
    );
    assert_eq!((r[0].keep_start, r[0].keep_end), (Some(90), Some(163)));
    let t = text(S004);
    assert_eq!(t[188..263].trim_end(), &t[90..163]);
}

#[test]
fn seed_003_every_publicite_line_is_boilerplate() {
    let rows = rows();
    let t = text(S003);
    let r: Vec<_> = rows.iter().filter(|r| r.doc == S003).collect();
    // Lines 3 and 4 are one run, line 12 another.
    assert_eq!(r.len(), 2, "{r:?}");
    let cut: Vec<&str> = r
        .iter()
        .flat_map(|row| units(&t[row.start..row.end]))
        .collect();
    assert_eq!(cut, ["Publicité"; 3]);
    assert!(r.iter().all(|row| row.kind.as_str() == "boilerplate"));
    assert_eq!(
        (r[0].line_start, r[0].line_end, r[0].reason.as_ref()),
        (3, 4, "lines 3-4: repeated 3 times in this document (2)")
    );
}

/// The page furniture of the seeds, by document: what a reader would cut (the three
/// "Publicité" lines of seed 003 count separately: eleven spans in all).
const FURNITURE: &[(&str, &str)] = &[
    (
        "000_c233721fa56c1613.txt",
        "* Tweet * * * VN:F [1.9.21_1169] please wait… Rating: 0.0/5 (0 votes cast) VN:F \
         [1.9.21_1169] Rating: 0 (from 0 votes)",
    ),
    (S001, "0 Commentaires"),
    (S001, "Participer à la Discussion"),
    ("002_bb0b4f41c05d164d.txt", "Leave a Reply"),
    (
        "002_bb0b4f41c05d164d.txt",
        "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
    ),
    (
        "002_bb0b4f41c05d164d.txt",
        "Ce site utilise Akismet pour réduire les indésirables. En savoir plus sur comment les \
         données de vos commentaires sont utilisées.",
    ),
    (S003, "Publicité"),
    (S003, "Publicité"),
    (S003, "Publicité"),
    (S004, "You may also like"),
    (S004, "Leave a Comment"),
];

/// The lines of a cut, without the whitespace around them.
fn units(cut: &str) -> Vec<&str> {
    cut.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn all_eleven_furniture_spans_are_flagged_and_nothing_else() {
    let rows = rows();
    let mut flagged: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r.kind.as_str() == "boilerplate")
        .flat_map(|r| {
            let t = text(&r.doc);
            units(&t[r.start..r.end])
                .into_iter()
                .map(|u| (r.doc.to_string(), u.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    flagged.sort();
    let mut expected: Vec<(String, String)> = FURNITURE
        .iter()
        .map(|&(d, t)| (d.to_string(), t.to_string()))
        .collect();
    expected.sort();
    assert_eq!(flagged, expected);
    // The classifier's rows say why and how sure.
    for r in rows.iter().filter(|r| r.reason.contains("furniture")) {
        let score = r.score.expect("furniture rows carry a score");
        assert!((0.8..=1.0).contains(&score), "{r:?}");
        // Why the document got furniture cutting.
        assert!(r.reason.contains("; page: furniture phrases"), "{r:?}");
    }
}

#[test]
fn no_article_sentence_is_flagged_and_no_seed_is_a_duplicate() {
    let rows = rows();
    // The two repeated copies and the eleven furniture spans in six runs: nothing else anywhere,
    // so no article sentence is touched (the 001 and 004 rows remove second copies whose first
    // copies stay).
    assert_eq!(rows.len(), 2 + 6, "{rows:#?}");
    assert!(rows
        .iter()
        .all(|r| r.kind.as_str() == "repeated_paragraph" || r.kind.as_str() == "boilerplate"));
    assert!(rows.iter().all(|r| r.cluster.is_none()));
    assert_well_formed(&seeds(), &rows);
}

#[test]
fn without_the_classifier_only_repetition_is_flagged() {
    let options = Settings {
        furniture: None,
        ..Settings::default()
    };
    let rows = scan_rows(&[seeds()], &options.options().unwrap());
    // The two repeats and seed 003's three "Publicité" in two runs.
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert!(rows.iter().all(|r| !r.reason.contains("furniture")));
}

#[test]
fn a_higher_threshold_cuts_less() {
    let count = |t: f32| {
        let options = Settings {
            furniture: Some(t),
            ..Settings::default()
        };
        scan_rows(&[seeds()], &options.options().unwrap()).len()
    };
    assert!(count(0.999) < count(0.8));
    assert!(count(0.5) >= count(0.8));
}
