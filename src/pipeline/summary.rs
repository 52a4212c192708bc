//! What a scan did, for the person running it: its [`ScanResult`] in, the one-line summary on
//! stderr, the `--stats` JSON (with a breakdown per source), the `--explain` text and the `--pairs` CSV out.

use super::ScanResult;
use crate::model::Kind;
use crate::report::cell;
use crate::Error;
use std::io::Write;

/// Writes the near-duplicate graph: one `doc_a,doc_b,similarity,id_a,id_b` row per pair of
/// documents the detector linked (identical, or verified at or above the threshold), sorted.
/// Clusters are its connected components.
pub fn write_pairs<W: Write>(out: W, result: &ScanResult) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["doc_a", "doc_b", "similarity", "id_a", "id_b"])?;
    for e in &result.edges {
        let (a, b) = (
            &result.documents[e.a as usize],
            &result.documents[e.b as usize],
        );
        w.write_record([
            &*cell(&a.name),
            &*cell(&b.name),
            &format!("{:.4}", e.similarity),
            &*cell(a.id.as_deref().unwrap_or("")),
            &*cell(b.id.as_deref().unwrap_or("")),
        ])?;
    }
    w.flush().map_err(|e| Error::Report(e.into()))?;
    Ok(())
}

/// Rows and bytes per kind.
pub fn totals(result: &ScanResult) -> Vec<(Kind, usize, u64)> {
    Kind::ALL
        .iter()
        .zip(result.totals.per_kind)
        .map(|(&k, (rows, bytes))| (k, rows, bytes))
        .collect()
}

/// `part` as a percentage of `whole`, for people: two decimals under 10%, one above.
fn percent(part: u64, whole: u64) -> String {
    let p = if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    };
    if p < 10.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The bytes of the scanned documents' texts (what the report's byte offsets count).
fn document_bytes(result: &ScanResult) -> u64 {
    result.documents.iter().map(|d| d.len as u64).sum()
}

/// The one-line summary printed on stderr: rows, bytes and the share of the documents' bytes
/// cut, per kind and in all.
pub fn summary(result: &ScanResult) -> String {
    let text = document_bytes(result);
    let per_kind: Vec<String> = totals(result)
        .into_iter()
        .map(|(k, rows, bytes)| {
            format!(
                "{} {rows} ({bytes} B, {})",
                k.as_str(),
                percent(bytes, text)
            )
        })
        .collect();
    let cut: u64 = result.totals.per_kind.iter().map(|k| k.1).sum();
    format!(
        "dedup: {} documents ({} bytes), {} skipped, {} warnings, {} rows cutting {} of the text: {}",
        result.documents.len(),
        result.bytes_read,
        result.skipped.len(),
        result.notices.len(),
        result.totals.rows,
        percent(cut, text),
        per_kind.join(", ")
    )
}

/// Per source (a file, or a shard of records): its documents, their bytes, and what the report
/// cuts of them per kind; in the order of the scan's sources. Sources whose every document was
/// skipped are left out (they are in `skipped_inputs`).
pub fn per_source(result: &ScanResult) -> Vec<serde_json::Value> {
    let names: Vec<&str> = result.sources.iter().map(|s| s.name.as_str()).collect();
    breakdown(
        result,
        "source",
        &names,
        |d| d.source as usize,
        &result.totals.per_source,
    )
}

/// Per language (`--lang-field`; `""` for the documents without one): the same as
/// [`per_source`]. Empty when no document has a language.
pub fn per_language(result: &ScanResult) -> Vec<serde_json::Value> {
    if result.languages.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = std::iter::once("")
        .chain(result.languages.iter().map(String::as_str))
        .collect();
    breakdown(
        result,
        "language",
        &names,
        |d| d.lang as usize,
        &result.totals.per_lang,
    )
}

/// Documents, bytes and cuts per group (`group` of a document indexes `names` and `cuts`).
fn breakdown(
    result: &ScanResult,
    label: &str,
    names: &[&str],
    group: impl Fn(&crate::model::Document) -> usize,
    cuts: &[[(usize, u64); 4]],
) -> Vec<serde_json::Value> {
    let mut docs = vec![(0usize, 0u64); names.len()];
    for d in &result.documents {
        let slot = &mut docs[group(d)];
        slot.0 += 1;
        slot.1 += d.len as u64;
    }
    let none = [(0, 0); 4];
    names
        .iter()
        .zip(docs)
        .enumerate()
        .filter(|(_, (_, (n, _)))| *n > 0)
        .map(|(i, (name, (documents, bytes)))| {
            let kinds = cuts.get(i).unwrap_or(&none);
            let cut: u64 = kinds.iter().map(|k| k.1).sum();
            let per_kind: serde_json::Map<String, serde_json::Value> = Kind::ALL
                .iter()
                .zip(kinds)
                .map(|(k, &(rows, b))| {
                    (
                        k.as_str().to_string(),
                        serde_json::json!({"rows": rows, "bytes": b,
                                           "share": share(b, bytes)}),
                    )
                })
                .collect();
            let duplicates = kinds[2].0 + kinds[3].0;
            serde_json::json!({
                label: name,
                "documents": documents,
                "bytes": bytes,
                "bytes_cut": cut,
                "share_cut": share(cut, bytes),
                "duplicates": duplicates,
                "per_kind": per_kind,
            })
        })
        .collect()
}

/// `part / whole`, rounded to 6 decimals (0 for an empty whole).
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 1e6).round() / 1e6
    }
}

/// The LSH parameters and their S-curve, for `--explain`.
pub fn explain(result: &ScanResult, threshold: f64) -> String {
    let p = result.lsh;
    let mut s = format!(
        "LSH: {} bands × {} rows (threshold {threshold}); candidate pairs {}, verified {}, clusters {}\n\
         similarity  P(candidate)\n",
        p.bands,
        p.rows,
        result.near_dup.candidate_pairs,
        result.near_dup.verified_pairs,
        result.clusters.len()
    );
    for (sim, prob) in p.s_curve() {
        s.push_str(&format!("{sim:>10.2}  {prob:.4}\n"));
    }
    s
}

/// The statistics of a run, for `--stats FILE` (JSON) and the end-of-run summary.
pub fn stats_json(result: &ScanResult, wall_seconds: f64) -> serde_json::Value {
    use std::collections::BTreeMap;
    let text = document_bytes(result);
    let per_kind: serde_json::Map<String, serde_json::Value> = totals(result)
        .into_iter()
        .map(|(k, rows, bytes)| {
            (
                k.as_str().to_string(),
                serde_json::json!({"rows": rows, "bytes": bytes, "share": share(bytes, text)}),
            )
        })
        .collect();
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for c in &result.clusters {
        *sizes.entry(c.members.len() + 1).or_default() += 1;
    }
    // The most widespread cross-document boilerplate units.
    let top = &result.totals.top_boilerplate;
    let skipped: Vec<serde_json::Value> = result
        .skipped
        .iter()
        .map(|s| serde_json::json!({"path": s.path.display().to_string(), "reason": s.reason, "bytes": s.bytes}))
        .collect();
    serde_json::json!({
        "documents": result.documents.len(),
        "bytes": result.bytes_read,
        "sources": result.sources.len(),
        "skipped": skipped.len(),
        "skipped_bytes": result.skipped.iter().map(|s| s.bytes).sum::<u64>(),
        "skipped_inputs": skipped,
        "warnings": result.notices.iter().map(|n| serde_json::json!({"path": n.path.display().to_string(), "message": n.message})).collect::<Vec<_>>(),
        "text_bytes": text,
        "rows": result.totals.rows,
        "bytes_cut": result.totals.per_kind.iter().map(|k| k.1).sum::<u64>(),
        "per_kind": per_kind,
        "per_source": per_source(result),
        "per_language": per_language(result),
        "clusters": result.clusters.len(),
        "cluster_sizes": sizes.into_iter().map(|(size, n)| serde_json::json!({"size": size, "clusters": n})).collect::<Vec<_>>(),
        "lsh": {"bands": result.lsh.bands, "rows": result.lsh.rows,
                "candidate_pairs": result.near_dup.candidate_pairs, "verified_pairs": result.near_dup.verified_pairs},
        "top_boilerplate": top.iter().map(|(_, docs, text)| serde_json::json!({"text": text, "documents": docs})).collect::<Vec<_>>(),
        "wall_seconds": wall_seconds,
        "stage_seconds": {"fingerprint": result.stage_seconds.fingerprint,
                          "near_duplicates": result.stage_seconds.near_duplicates,
                          "boilerplate": result.stage_seconds.boilerplate,
                          "spans": result.stage_seconds.spans},
        "mb_per_second": if wall_seconds > 0.0 { result.bytes_read as f64 / 1e6 / wall_seconds } else { 0.0 },
    })
}
