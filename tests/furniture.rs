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
