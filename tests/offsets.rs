//! Byte offsets are exact for every kind of line end and for multi-byte text.

mod common;
use common::*;
use dedup::Options;

const PARA: &str = "Ça a été une très longue journée à Genève, dit-elle à l’agence.";
const OTHER: &str = "Une autre phrase sans rapport avec la précédente, écrite ici.";

fn one_doc(content: &[u8]) -> (tempfile::TempDir, Vec<Row>) {
    let dir = corpus(&[("d.txt", content)]);
    let rows = scan_rows(&[dir.path().to_path_buf()], &Options::default());
    assert_well_formed(dir.path(), &rows);
    (dir, rows)
}

fn check_repeat(sep: &str, final_sep: &str) {
    let doc = format!("{PARA}{sep}{OTHER}{sep}{sep}{PARA}{final_sep}");
    let (_dir, rows) = one_doc(doc.as_bytes());
    assert_eq!(rows.len(), 1, "{sep:?}: {rows:?}");
    let r = &rows[0];
    let second = doc.rfind(PARA).unwrap();
    // The repeated line goes with its line end.
    assert_eq!(
        (r.start, r.end),
        (second, second + PARA.len() + final_sep.len()),
        "{sep:?}"
    );
    assert_eq!((r.keep_start, r.keep_end), (Some(0), Some(PARA.len())));
    assert_eq!((r.line_start, r.line_end), (4, 4));
}

#[test]
fn lf_crlf_and_cr_line_ends() {
    for sep in ["\n", "\r\n", "\r"] {
        check_repeat(sep, sep);
        check_repeat(sep, ""); // no final newline
    }
}

#[test]
fn empty_lines_and_whitespace_lines_are_not_units() {
    let doc = format!("\n\n   \n{PARA}\n\t\n\n{PARA}\n\n");
    let (_dir, rows) = one_doc(doc.as_bytes());
    assert_eq!(rows.len(), 1);
    // The repeated line, its line end and the blank line after it.
    assert_eq!(&doc[rows[0].start..rows[0].end], format!("{PARA}\n\n"));
}

#[test]
fn empty_document() {
    let (_dir, rows) = one_doc(b"");
    assert!(rows.is_empty());
}

#[test]
fn one_huge_line() {
    // 4 MB on one line, made of distinct sentences: nothing to flag, nothing to panic about.
    let mut doc = String::new();
    let mut i = 0u64;
    while doc.len() < 4 << 20 {
        doc.push_str(&format!(
            "Sentence number {i} talks about item {} in détail. ",
            i * 7919 % 10007
        ));
        i += 1;
    }
    let (_dir, rows) = one_doc(doc.as_bytes());
    assert!(rows.is_empty(), "{:?}", &rows[..rows.len().min(3)]);
    // The same huge line twice: the second copy is one exact span.
    let twice = format!("{doc}\n{doc}");
    let (_dir, rows) = one_doc(twice.as_bytes());
    assert_eq!(rows.len(), 1);
    // The whole last line, its trailing space included.
    assert_eq!((rows[0].start, rows[0].end), (doc.len() + 1, twice.len()));
}

/// Each whitespace and control character that text tools disagree about, as a line of its own
/// (the vertical tab of Word's manual line breaks crashed the scan), between repeated lines, and
/// at the edges of a line.
#[test]
fn whitespace_and_control_characters_as_lines_of_their_own() {
    const ODD: &[&str] = &[
        "\u{b}", "\u{c}", "\u{85}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{ad}", "\u{200b}",
        "\u{200d}", "\u{301}", "\u{20dd}", "\u{a0}", "\u{3000}", "\t", "\u{1f}", "\u{7f}",
    ];
    for c in ODD {
        for doc in [
            format!("first line of text\n{c}\nlast line\n"),
            format!("{c}\n{PARA}\n{c}\n{OTHER}\n{c}{c}\n{PARA}\n{c}"),
            format!("{c}{PARA}{c}\n{OTHER}\n{c}{PARA}{c}\n"),
        ] {
            let (_dir, rows) = one_doc(doc.as_bytes());
            for r in &rows {
                assert!(!doc[r.start..r.end].trim().is_empty(), "{c:?}: {r:?}");
            }
        }
    }
}

/// The vertical-tab line from the issue, through the command line: exit 0, nothing to cut.
#[test]
fn a_vertical_tab_line_scans() {
    let dir = corpus(&[("t.txt", b"first line of text\n\x0b\nlast line\n")]);
    let out = assert_cmd::Command::cargo_bin("dedup")
        .unwrap()
        .args(["scan", "-q"])
        .arg(dir.path().join("t.txt"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(parse(&out.stdout).len(), 0);
}

/// With `--rows runs` (the default) a cut of whole lines takes their line ends and the blank
/// lines after them, so that cutting it leaves no blank line; with `--rows units` the line ends
/// stay, and the cut is exactly the line's text.
#[test]
fn whole_line_cuts_take_their_line_ends_in_runs_mode_only() {
    for (eol, blank) in [("\n", ""), ("\r\n", ""), ("\r", ""), ("\n", "\n \n")] {
        let doc = format!("{PARA}{eol}{OTHER}{eol}  {PARA}{eol}{blank}The end of it.{eol}");
        let second = doc.rfind(PARA).unwrap();
        let (_dir, rows) = one_doc(doc.as_bytes());
        assert_eq!(rows.len(), 1, "{eol:?}");
        // From the line's start (its indentation) to the next line that is not blank.
        let end = doc.find("The end").unwrap();
        assert_eq!(
            (rows[0].start, rows[0].end),
            (second - 2, end),
            "{eol:?} {blank:?}"
        );
        let mut cut = doc.clone();
        cut.replace_range(rows[0].start..rows[0].end, "");
        assert_eq!(cut, format!("{PARA}{eol}{OTHER}{eol}The end of it.{eol}"));
        let dir = corpus(&[("d.txt", doc.as_bytes())]);
        let units = dedup::pipeline::Settings {
            rows: dedup::detect::Rows::Units,
            ..Default::default()
        };
        let rows = scan_rows(&[dir.path().to_path_buf()], &units.options().unwrap());
        assert_eq!((rows[0].start, rows[0].end), (second, second + PARA.len()));
    }
}
