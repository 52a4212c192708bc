//! The markup of the HTML report: the result, the sampled documents with their cuts and texts,
//! and the sampled clusters in; the page out, as one string.

use super::sample::Cut;
use crate::detect::near_dup::Cluster;
use crate::model::Kind;
use crate::pipeline::{summary, ScanResult};
use crate::read::Lossy;
use std::collections::HashMap;
use std::fmt::Write as _;

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// What the page is made of.
pub struct Input<'a> {
    pub result: &'a ScanResult,
    /// The sampled documents (corpus order) and their cuts.
    pub docs: &'a [(u32, Vec<Cut>)],
    pub clusters: &'a [&'a Cluster],
    /// The texts read again, by document.
    pub texts: &'a HashMap<u32, (String, Option<Lossy>)>,
    pub threshold: f64,
    pub text_shown: usize,
    pub diff_shown: usize,
    pub members_shown: usize,
}

/// The clusters shown: the `largest` with the most members (ties by id) and `random` more with
/// the lowest hashes of their kept document's name; in id order.
pub fn sample_clusters(result: &ScanResult, largest: usize, random: usize) -> Vec<&Cluster> {
    let mut by_size: Vec<&Cluster> = result.clusters.iter().collect();
    by_size.sort_by_key(|c| (std::cmp::Reverse(c.members.len()), c.id));
    let mut shown: Vec<&Cluster> = by_size.iter().take(largest).copied().collect();
    let mut rest: Vec<&Cluster> = by_size.iter().skip(largest).copied().collect();
    rest.sort_by_key(|c| {
        (
            super::sample::name_hash(&result.documents[c.kept as usize].name),
            c.id,
        )
    });
    shown.extend(rest.into_iter().take(random));
    shown.sort_by_key(|c| c.id);
    shown
}

/// Text escaped for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    push_esc(&mut out, text);
    out
}

fn push_esc(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// A share as a percentage with two decimals.
fn pct(part: u64, whole: u64) -> String {
    format!(
        "{:.2}%",
        if whole == 0 {
            0.0
        } else {
            100.0 * part as f64 / whole as f64
        }
    )
}

/// A horizontal bar of `part` out of `whole`.
fn bar(part: u64, whole: u64, class: &str) -> String {
    let w = if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    };
    format!("<span class=\"bar {class}\"><span style=\"width:{w:.1}%\"></span></span>")
}

pub fn render(input: &Input) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>dedup report</title>\n<style>\n");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<header><h1>dedup report</h1><nav>");
    out.push_str("<a href=\"#overview\">Overview</a><a href=\"#documents\">Documents</a>");
    out.push_str("<a href=\"#clusters\">Clusters</a></nav></header>\n<main>\n");
    overview(&mut out, input);
    documents(&mut out, input);
    for (d, cuts) in input.docs {
        document(&mut out, input, *d, cuts);
    }
    clusters(&mut out, input);
    for c in input.clusters {
        cluster(&mut out, input, c);
    }
    out.push_str("</main>\n<script>\n");
    out.push_str(JS);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

fn overview(out: &mut String, input: &Input) {
    let r = input.result;
    let text: u64 = r.documents.iter().map(|d| d.len as u64).sum();
    let cut: u64 = r.totals.per_kind.iter().map(|k| k.1).sum();
    let _ = write!(
        out,
        "<section id=\"view-overview\" class=\"view\">\n<h2>Overview</h2>\n<table class=\"facts\">\
         <tr><th>documents</th><td>{}</td></tr><tr><th>bytes of text</th><td>{text}</td></tr>\
         <tr><th>inputs skipped</th><td>{}</td></tr><tr><th>rows</th><td>{}</td></tr>\
         <tr><th>cut</th><td>{cut} bytes ({})</td></tr><tr><th>clusters</th><td>{}</td></tr></table>\n",
        r.documents.len(),
        r.skipped.len(),
        r.totals.rows,
        pct(cut, text),
        r.clusters.len(),
    );
    out.push_str("<h3>Bytes cut per kind</h3>\n<table class=\"kinds\"><tr><th>kind</th><th>rows</th><th>bytes</th><th>share of the text</th><th></th></tr>\n");
    for (k, (rows, bytes)) in Kind::ALL.iter().zip(r.totals.per_kind) {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"swatch k-{0}\"></span>{0}</td><td>{rows}</td><td>{bytes}</td><td>{1}</td><td>{2}</td></tr>",
            k.as_str(),
            pct(bytes, text),
            bar(bytes, text.max(1), &format!("k-{}", k.as_str())),
        );
    }
    out.push_str("</table>\n");
    // Similarities of the cluster members to their kept copies.
    let sims: Vec<f64> = r
        .clusters
        .iter()
        .flat_map(|c| c.members.iter().map(|m| m.similarity))
        .collect();
    let low = (input.threshold * 100.0 + 1e-9).floor() / 100.0;
    let step = ((1.0 - low) / 10.0).max(0.01);
    // Members below the threshold joined their cluster through another member.
    let mut bins: Vec<(String, u64)> = std::iter::once((format!("below {low:.2}"), 0))
        .chain((0..10).map(|i| {
            let a = low + step * i as f64;
            (format!("{a:.2}–{:.2}", a + step), 0)
        }))
        .collect();
    for s in &sims {
        let i = if *s < low {
            0
        } else {
            1 + (((s - low) / step).floor() as usize).min(9)
        };
        bins[i].1 += 1;
    }
    histogram(
        out,
        "Near-duplicate similarity (members against their kept copy)",
        &bins,
    );
    let mut sizes: Vec<(String, u64)> = ["2", "3", "4", "5–9", "10–99", "100+"]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    for c in &r.clusters {
        let n = c.members.len() + 1;
        let i = match n {
            0..=4 => n.saturating_sub(2),
            5..=9 => 3,
            10..=99 => 4,
            _ => 5,
        };
        sizes[i].1 += 1;
    }
    histogram(out, "Cluster sizes (documents per cluster)", &sizes);
    // Sources.
    let sources = summary::per_source(r);
    let _ = writeln!(
        out,
        "<h3>Sources</h3>\n<table class=\"sortable\"><thead><tr><th data-key=\"name\">source</th><th data-key=\"docs\" data-num=\"1\">documents</th><th data-key=\"bytes\" data-num=\"1\">bytes</th><th data-key=\"cut\" data-num=\"1\">cut</th><th data-key=\"dups\" data-num=\"1\">duplicates</th></tr></thead><tbody>"
    );
    const SOURCES: usize = 200;
    for s in sources.iter().take(SOURCES) {
        let name = s["source"].as_str().unwrap_or("");
        let (docs, bytes, cut) = (
            s["documents"].as_u64().unwrap_or(0),
            s["bytes"].as_u64().unwrap_or(0),
            s["bytes_cut"].as_u64().unwrap_or(0),
        );
        let dups = s["duplicates"].as_u64().unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr data-name=\"{0}\" data-docs=\"{docs}\" data-bytes=\"{bytes}\" data-cut=\"{cut}\" data-dups=\"{dups}\"><td>{0}</td><td>{docs}</td><td>{bytes}</td><td>{cut} ({1})</td><td>{dups}</td></tr>",
            esc(name),
            pct(cut, bytes)
        );
    }
    out.push_str("</tbody></table>\n");
    if sources.len() > SOURCES {
        let _ = writeln!(
            out,
            "<p class=\"note\">and {} more sources (all in <code>--stats</code>).</p>",
            sources.len() - SOURCES
        );
    }
    out.push_str("<h3>Most frequent boilerplate units</h3>\n<table><tr><th>documents</th><th>text</th></tr>\n");
    for (_, docs, text) in &r.totals.top_boilerplate {
        let _ = writeln!(out, "<tr><td>{docs}</td><td>{}</td></tr>", esc(text));
    }
    let _ = writeln!(
        out,
        "</table>\n<p class=\"note\">Every figure above is exact. The document and cluster views hold a sample: \
         the {} documents that lose the most bytes and {} drawn at random (the lowest hashes of their names, \
         with a fixed seed), {} of {} documents in all; the {} largest clusters and {} drawn the same way, {} of {}.</p>\n</section>",
        super::sample::TOP,
        super::sample::RANDOM,
        input.docs.len(),
        r.documents.len(),
        super::CLUSTERS_LARGEST,
        super::CLUSTERS_RANDOM,
        input.clusters.len(),
        r.clusters.len(),
    );
}

fn histogram(out: &mut String, title: &str, bins: &[(String, u64)]) {
    let max = bins.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let _ = writeln!(out, "<h3>{}</h3>\n<table class=\"histogram\">", esc(title));
    for (label, n) in bins {
        let _ = writeln!(
            out,
            "<tr><th>{label}</th><td>{}</td><td>{n}</td></tr>",
            bar(*n, max, "hist")
        );
    }
    out.push_str("</table>\n");
}

/// The kinds of a sampled document's cuts, space-separated and sorted.
fn kinds_of(cuts: &[Cut]) -> String {
    let mut kinds: Vec<&str> = cuts.iter().map(|c| c.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.join(" ")
}

fn documents(out: &mut String, input: &Input) {
    let r = input.result;
    out.push_str("<section id=\"view-documents\" class=\"view\" hidden>\n<h2>Documents</h2>\n");
    out.push_str("<p><input id=\"doc-search\" type=\"search\" placeholder=\"filter by name\" aria-label=\"filter by name\"></p>\n");
    out.push_str("<table id=\"doc-list\" class=\"sortable\"><thead><tr><th data-key=\"name\">document</th><th data-key=\"bytes\" data-num=\"1\">bytes</th><th data-key=\"cut\" data-num=\"1\">bytes cut</th><th data-key=\"share\" data-num=\"1\">share cut</th><th data-key=\"kinds\">kinds</th></tr></thead><tbody>\n");
    for (d, cuts) in input.docs {
        let doc = &r.documents[*d as usize];
        let cut: u64 = cuts.iter().map(|c| (c.end - c.start) as u64).sum();
        let share = if doc.len == 0 {
            0.0
        } else {
            cut as f64 / doc.len as f64
        };
        let kinds = kinds_of(cuts);
        let _ = writeln!(
            out,
            "<tr data-name=\"{0}\" data-bytes=\"{1}\" data-cut=\"{cut}\" data-share=\"{share:.6}\" data-kinds=\"{kinds}\"><td><a href=\"#doc-{d}\">{0}</a></td><td>{1}</td><td>{cut}</td><td>{2}</td><td>{kinds}</td></tr>",
            esc(&doc.name),
            doc.len,
            pct(cut, doc.len as u64),
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// One document's view: its text with every cut marked in place.
fn document(out: &mut String, input: &Input, d: u32, cuts: &[Cut]) {
    let doc = &input.result.documents[d as usize];
    let Some((text, lossy)) = input.texts.get(&d) else {
        return;
    };
    let _ = writeln!(
        out,
        "<section id=\"view-doc-{d}\" class=\"view doc\" data-doc=\"{}\" hidden>\n<h2>{}</h2>",
        esc(&doc.name),
        esc(&doc.name)
    );
    let cut: u64 = cuts.iter().map(|c| (c.end - c.start) as u64).sum();
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} bytes, {} cut in {} rows{}. <span class=\"legend\">{}</span></p>",
        doc.len,
        pct(cut, doc.len as u64),
        cuts.len(),
        doc.id
            .as_deref()
            .map(|i| format!(", id <code>{}</code>", esc(i)))
            .unwrap_or_default(),
        Kind::ALL
            .iter()
            .map(|k| format!("<span class=\"cut k-{0}\">{0}</span>", k.as_str()))
            .collect::<Vec<_>>()
            .join(" ")
    );
    // Offsets into the decoded text, in the part shown.
    let shown = floor_boundary(text, input.text_shown);
    let to_text = |b: usize| lossy.as_ref().map_or(Some(b), |l| l.to_decoded(b));
    for c in cuts.iter().filter(|c| c.keep_doc.is_some()) {
        let kept = &input.result.documents[c.keep_doc.unwrap_or(0) as usize];
        let link = if input.docs.iter().any(|(x, _)| Some(*x) == c.keep_doc) {
            format!(
                "<a href=\"#doc-{}\">{}</a>",
                c.keep_doc.unwrap_or(0),
                esc(&kept.name)
            )
        } else {
            esc(&kept.name)
        };
        let _ = writeln!(
            out,
            "<p class=\"meta\">The whole document is a <b>{}</b> of {link}{}.</p>",
            c.kind.as_str(),
            c.similarity
                .map(|s| format!(" (similarity {s:.4})"))
                .unwrap_or_default()
        );
    }
    out.push_str("<pre class=\"text\">");
    let mut line = 1u32;
    let _ = write!(out, "<span class=\"ln\" id=\"doc-{d}-l1\"></span>");
    let mut at = 0;
    for c in cuts {
        let (Some(start), Some(end)) = (to_text(c.start), to_text(c.end)) else {
            continue;
        };
        if start < at || start >= shown {
            continue;
        }
        let end = end.min(shown);
        push_lines(out, text, at, start, d, &mut line);
        let _ = write!(
            out,
            "<del class=\"cut k-{0}\" data-kind=\"{0}\" title=\"{1}\">",
            c.kind.as_str(),
            esc(&c.reason())
        );
        push_lines(out, text, start, end, d, &mut line);
        out.push_str("</del>");
        if let Some(k) = c.keep_line {
            let _ = write!(
                out,
                "<a class=\"keep\" href=\"#doc-{d}-l{k}\" title=\"the kept copy, line {k}\">↩</a>"
            );
        }
        at = end;
    }
    push_lines(out, text, at, shown, d, &mut line);
    out.push_str("</pre>\n");
    if shown < text.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\">The first {shown} of {} bytes are shown.</p>",
            text.len()
        );
    }
    out.push_str("</section>\n");
}

/// The largest character boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `text[from..to]` escaped, with an anchor at the start of each line (`doc-D-lN`).
fn push_lines(out: &mut String, text: &str, from: usize, to: usize, d: u32, line: &mut u32) {
    let all = text.as_bytes();
    let mut last = from;
    for i in from..to {
        // A line ends with `\n`, `\r\n` (at its `\n`) or a lone `\r`.
        if all[i] == b'\n' || (all[i] == b'\r' && all.get(i + 1) != Some(&b'\n')) {
            push_esc(out, &text[last..=i]);
            last = i + 1;
            *line += 1;
            let _ = write!(out, "<span class=\"ln\" id=\"doc-{d}-l{line}\"></span>");
        }
    }
    push_esc(out, &text[last..to]);
}

fn clusters(out: &mut String, input: &Input) {
    let r = input.result;
    out.push_str("<section id=\"view-clusters\" class=\"view\" hidden>\n<h2>Clusters</h2>\n");
    out.push_str("<table class=\"sortable\"><thead><tr><th data-key=\"id\" data-num=\"1\">cluster</th><th data-key=\"size\" data-num=\"1\">documents</th><th data-key=\"name\">kept copy</th><th data-key=\"low\" data-num=\"1\">lowest similarity</th></tr></thead><tbody>\n");
    for c in input.clusters {
        let low = c
            .members
            .iter()
            .map(|m| m.similarity)
            .fold(1.0f64, f64::min);
        let kept = &r.documents[c.kept as usize].name;
        let _ = writeln!(
            out,
            "<tr data-id=\"{0}\" data-size=\"{1}\" data-name=\"{2}\" data-low=\"{low:.4}\"><td><a href=\"#cluster-{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{low:.4}</td></tr>",
            c.id,
            c.members.len() + 1,
            esc(kept)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

fn cluster(out: &mut String, input: &Input, c: &Cluster) {
    let r = input.result;
    let name = |d: u32| {
        let n = esc(&r.documents[d as usize].name);
        if input.docs.iter().any(|(x, _)| *x == d) {
            format!("<a href=\"#doc-{d}\">{n}</a>")
        } else {
            n
        }
    };
    let _ = writeln!(
        out,
        "<section id=\"view-cluster-{0}\" class=\"view cluster\" hidden>\n<h2>Cluster {0}</h2>\n<p class=\"meta\">Kept: {1}. {2} other documents.</p>\n<table><tr><th>member</th><th>similarity</th></tr>",
        c.id,
        name(c.kept),
        c.members.len()
    );
    for m in c.members.iter().take(input.members_shown) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{:.4}{}</td></tr>",
            name(m.doc),
            m.similarity,
            if m.exact { " (same words)" } else { "" }
        );
    }
    out.push_str("</table>\n");
    if c.members.len() > input.members_shown {
        let _ = writeln!(
            out,
            "<p class=\"note\">and {} more.</p>",
            c.members.len() - input.members_shown
        );
    }
    if let (Some(first), Some((kept, _))) = (c.members.first(), input.texts.get(&c.kept)) {
        if let Some((member, _)) = input.texts.get(&first.doc) {
            let _ = writeln!(
                out,
                "<h3>{} against the kept copy</h3>\n<p class=\"meta\"><del class=\"diff\">only in the kept copy</del> <ins class=\"diff\">only in the member</ins></p>\n<pre class=\"text diff\">",
                esc(&r.documents[first.doc as usize].name)
            );
            let a = &kept[..floor_boundary(kept, input.diff_shown)];
            let b = &member[..floor_boundary(member, input.diff_shown)];
            diff(out, a, b);
            out.push_str("</pre>\n");
        }
    }
    out.push_str("</section>\n");
}

/// A word diff of `a` (the kept copy) and `b` (a member).
fn diff(out: &mut String, a: &str, b: &str) {
    use similar::{ChangeTag, TextDiff};
    let d = TextDiff::from_words(a, b);
    let mut open: Option<ChangeTag> = None;
    for change in d.iter_all_changes() {
        let tag = change.tag();
        if open != Some(tag) {
            match open {
                Some(ChangeTag::Delete) => out.push_str("</del>"),
                Some(ChangeTag::Insert) => out.push_str("</ins>"),
                _ => {}
            }
            match tag {
                ChangeTag::Delete => out.push_str("<del class=\"diff\">"),
                ChangeTag::Insert => out.push_str("<ins class=\"diff\">"),
                ChangeTag::Equal => {}
            }
            open = Some(tag);
        }
        push_esc(out, change.value());
    }
    match open {
        Some(ChangeTag::Delete) => out.push_str("</del>"),
        Some(ChangeTag::Insert) => out.push_str("</ins>"),
        _ => {}
    }
}
