//! The furniture classifier on made-up pages: what a reader keeps inside an article stays.

mod common;
use common::*;
use dedup::Options;

const BEFORE: &str = "La caisse de solidarité a été créée au printemps pour soutenir les salariés \
en grève reconductible, et elle a depuis reçu des dons de plusieurs milliers de personnes.\n\
Les organisateurs publient chaque semaine un point d’étape, avec les sommes recueillies et les \
sommes reversées aux grévistes, afin que les donateurs puissent suivre leur usage.\n\
Voici le dernier point d’étape publié par la caisse :\n";
const FIGURES: &str = "TOTAL COLLECTÉ DEPUIS LE 5 DÉC. 2019\n\
2 235 010 EUROS\n\
MONTANT DE LA CAISSE DEPUIS 2016\n\
2 875 510 EUROS\n\
MONTANT REVERSÉ AUX GRÉVISTES DEPUIS 2016\n\
1 545 500 EUROS\n";
const AFTER: &str = "Les demandes d’aide sont traitées en quarante-huit heures lorsque \
l’organisation syndicale les transmet, et chaque versement est inscrit au bilan public.\n\
La caisse reste ouverte à tous les salariés en grève, qu’ils soient syndiqués ou non, et les \
règles de distribution sont décidées avec leurs représentants.\n";

fn flagged(page: &str) -> Vec<String> {
    let dir = corpus(&[("page.txt", page.as_bytes())]);
    scan_rows(&[dir.path().to_path_buf()], &Options::default())
        .into_iter()
        .filter(|r| r.kind.as_str() == "boilerplate")
        .map(|r| page[r.start..r.end].trim().to_string())
        .collect()
}

#[test]
fn a_table_of_figures_inside_the_article_stays() {
    let page = format!("{BEFORE}{FIGURES}{AFTER}");
    assert_eq!(flagged(&page), Vec::<String>::new());
}

#[test]
fn a_cue_phrase_inside_the_article_is_still_cut() {
    let page = format!("{BEFORE}Publicité\n{AFTER}");
    assert_eq!(flagged(&page), vec!["Publicité".to_string()]);
}

/// A web page: menus and a comment form around an article (what `--furniture auto` cuts in).
const PAGE: &str = "Home\nNews\nSport\nWeather\nContact us\n\
Central bank raises rates again\n\
The central bank raised its main interest rate by half a point on Thursday, citing inflation \
that has run above its target for three years and a currency that keeps weakening.\n\
Economists had expected a smaller move, and several said the decision showed how worried the \
board has become about prices for food and energy over the winter months.\n\
Share this\nLeave a Reply\nYour email address will not be published.\n\
Privacy Policy\nTerms of Use\n";

/// Source code: braces, brackets, semicolons (furniture-like lines to the model).
const CODE: &str = "use std::collections::HashMap;\n\nfn main() {\n    let mut counts = HashMap::new();\n    \
for word in std::env::args().skip(1) {\n        *counts.entry(word).or_insert(0) += 1;\n    }\n    \
println!(\"{counts:?}\");\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn it_counts() {\n        \
assert_eq!(1 + 1, 2);\n    }\n}\n";

/// Chinese prose (no stop-word list covers it; short "words" between punctuation).
const CJK: &str = "也可能需要针对-mm、linux-next或子系统树生成版本，以便于更广泛的测试和审查。\n\
内核开发者通常会在邮件列表上讨论补丁，然后由维护者把它们合并到自己的树中。\n\
每个版本发布之前都有几周的测试时间，在这段时间里只接受修复错误的补丁。\n";

fn rows_of(files: &[(&str, &str)], args: dedup::pipeline::Settings) -> Vec<(String, String)> {
    let owned: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = corpus(&owned);
    scan_rows(&[dir.path().to_path_buf()], &args.options().unwrap())
        .into_iter()
        .filter(|r| r.kind.as_str() == "boilerplate")
        .map(|r| {
            let text = files.iter().find(|(n, _)| *n == r.doc).unwrap().1;
            (r.doc.to_string(), text[r.start..r.end].to_string())
        })
        .collect()
}

/// Three pages of one site (the same menu and footer around different articles), a source file
/// and a Chinese document in one corpus.
fn mixed() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = ["rates", "trade", "jobs"]
        .iter()
        .enumerate()
        .map(|(k, topic)| {
            let page = PAGE
                .replace(
                    "Central bank raises rates again",
                    &format!("Story {k} about {topic}"),
                )
                .replace("half a point", &format!("{k} points and {topic}"))
                .replace("food and energy", &format!("{topic} in year {k}"));
            (format!("site/{topic}.txt"), page)
        })
        .collect();
    files.push(("main.rs".into(), CODE.into()));
    files.push(("doc.txt".into(), CJK.into()));
    files
}

#[test]
fn code_and_cjk_prose_lose_nothing_and_the_pages_lose_their_furniture() {
    let files = mixed();
    let view: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let rows = rows_of(&view, Default::default());
    // Only the pages are cut: their menus and their comment forms and footers.
    assert!(
        rows.iter().all(|(doc, _)| doc.starts_with("site/")),
        "{rows:?}"
    );
    let cut: String = rows.iter().map(|(_, t)| t.as_str()).collect();
    for furniture in ["Home", "Contact us", "Leave a Reply", "Terms of Use"] {
        assert!(cut.contains(furniture), "{furniture}: {rows:?}");
    }
    assert!(
        !cut.contains("interest rate") && !cut.contains("Economists"),
        "{rows:?}"
    );
    // Two runs a page: the menu above the story, the form and footer below.
    assert_eq!(rows.len(), 6, "{rows:?}");
    // `--furniture on`: every document is taken for a page, code lines included.
    let on = dedup::pipeline::Settings {
        pages: dedup::detect::Pages::All,
        ..Default::default()
    };
    assert!(rows_of(&view, on).iter().any(|(doc, _)| doc == "main.rs"));
}

#[test]
fn a_cut_page_keeps_no_blank_line_and_units_mode_keeps_one_row_per_line() {
    let files = mixed();
    let owned: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    let dir = corpus(&owned);
    let report = dir.path().join("r.csv");
    let out = dir.path().join("out");
    let dedup = || assert_cmd::Command::cargo_bin("dedup").unwrap();
    let corpus_dir = dir.path().join("c");
    std::fs::create_dir(&corpus_dir).unwrap();
    for (name, _) in &files {
        let to = corpus_dir.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(dir.path().join(name), to).unwrap();
    }
    dedup()
        .args(["scan", "-q", "-o"])
        .arg(&report)
        .arg(&corpus_dir)
        .assert()
        .success();
    dedup()
        .args(["apply", "-q", "--report"])
        .arg(&report)
        .arg("--out")
        .arg(&out)
        .arg(&corpus_dir)
        .assert()
        .success();
    let cleaned = std::fs::read_to_string(out.join("site/rates.txt")).unwrap();
    let original = &files[0].1;
    assert_eq!(original.lines().filter(|l| l.trim().is_empty()).count(), 0);
    assert!(cleaned.lines().all(|l| !l.trim().is_empty()), "{cleaned:?}");
    assert!(cleaned.starts_with("Story 0 about rates\n"), "{cleaned:?}");
    assert!(cleaned.ends_with("winter months.\n"), "{cleaned:?}");
    // The code and the Chinese text come out as they went in.
    assert_eq!(std::fs::read_to_string(out.join("main.rs")).unwrap(), CODE);
    assert_eq!(std::fs::read_to_string(out.join("doc.txt")).unwrap(), CJK);
    // One row per unit: as many rows as furniture lines, none holding a line end.
    let units = dedup::pipeline::Settings {
        rows: dedup::detect::Rows::Units,
        ..Default::default()
    };
    let view: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let rows = rows_of(&view, units);
    assert!(rows.len() >= 3 * 9, "{rows:?}");
    assert!(rows.iter().all(|(_, t)| !t.contains('\n')), "{rows:?}");
}

/// Lines of every shape the page evidence reads: menus, separators, phrases, templates with
/// digits, headings, code, prose, hard-wrapped prose.
const LINES: &[&str] = &[
    "Home",
    "News",
    "Sport and weather",
    "Home | News | Sport | Weather",
    "Home » Politique › Europe",
    "Leave a Reply",
    "Share this article on Facebook",
    "Advertisement",
    "Router Advertisement messages are sent by the daemon every ten seconds on each interface.",
    "Posted on 5 April 2013 at 11:09 GMT",
    "Updated 12 June 2014 by the editors",
    "2.4.1 Matériel incomplet",
    "The MODULE Keyword",
    "bool (*fn)(struct scsi_cmnd *, void *);",
    "- a list item with a few words in it",
    "| cell | cell |",
    "The council met on Tuesday and agreed, after a long debate, to fund the new library for \
     another three years while the city looks for a permanent site.",
    "Les organisateurs publient chaque semaine un point d'étape, avec les sommes recueillies et \
     les sommes reversées aux grévistes, afin que les donateurs puissent suivre leur usage.",
    "This paragraph is wrapped at seventy columns as documentation often is,\n\
     and its second line continues the sentence it started on the first\n\
     line, until it ends here.",
    "Our latest stories today",
    "Contact the editorial team about this story",
    "",
];

/// A document made of `LINES` picked by `plan`.
fn document(plan: &[usize]) -> String {
    plan.iter()
        .map(|&i| LINES[i])
        .collect::<Vec<_>>()
        .join("\n")
}

/// The page decision with every segment counted in many documents: the most evidence of a page
/// the corpus can give.
fn is_page_at_most(text: &str) -> (bool, dedup::furniture::Evidence, dedup::furniture::Evidence) {
    let mut tokenizer = dedup::doc::normalize::Tokenizer::new();
    let tokens = dedup::doc::paragraphs::tokenize(text, &mut tokenizer);
    let full = dedup::doc::evidence::evidence(text, &tokens, &mut tokenizer);
    let quick = dedup::doc::evidence::evidence_if_page(text, &tokens, &mut tokenizer);
    let counts = tokens.segments.iter().map(|s| (s.key, 9)).collect();
    let page = dedup::furniture::page::evidence(&tokens.segments, &full, &counts)
        .decide()
        .is_some();
    (page, full, quick)
}

#[test]
fn prose_is_no_page_before_any_feature_and_a_page_is_measured() {
    let prose = document(&[16, 17, 16, 17, 18]);
    let (page, _, quick) = is_page_at_most(&prose);
    assert!(!page && quick.no_page, "prose alone is no page");
    for plan in [
        &[0, 1, 2, 16, 17, 5, 6][..],
        &[2, 12, 19, 16, 17],
        &[20, 19, 20, 16, 17],
    ] {
        let doc = document(plan);
        let (page, full, quick) = is_page_at_most(&doc);
        assert!(page && !quick.no_page && quick == full, "{doc}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]
    /// The quick bound never rules out a document the full evidence would call a page, and a
    /// document it rules out keeps its template keys (other documents' corpus evidence).
    #[test]
    fn a_document_ruled_out_as_a_page_is_no_page_with_any_corpus(
        plan in proptest::collection::vec(0..LINES.len(), 0..24)
    ) {
        let text = document(&plan);
        let (page, full, quick) = is_page_at_most(&text);
        if quick.no_page {
            proptest::prop_assert!(!page, "ruled out, but a page: {text:?}");
            proptest::prop_assert_eq!(&quick.templates, &full.templates);
            proptest::prop_assert_eq!(quick.wrapped, full.wrapped);
        } else {
            proptest::prop_assert_eq!(&quick, &full);
        }
    }
}
