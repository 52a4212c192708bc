//! The HTML report (`scan --html FILE`): the scan's result and a sample of its documents in, one
//! self-contained page out (inline CSS and JavaScript, no network, no server).
//!
//! The page has three views: the overview (exact totals per kind, histograms of near-duplicate
//! similarities and cluster sizes, the sources, the most frequent boilerplate units), the
//! documents (a searchable, sortable list of the sample, each opening on its text with every cut
//! marked in place: an element with the row's `data-kind`, its reason on hover, a repeat linked
//! to its kept copy), and the clusters (the kept document, its members with their similarity, and
//! a word diff of the first member against the kept copy). The sample ([`sample`]) is bounded and
//! deterministic; every sampled document's view is in the page's markup, hidden until opened.
//! The page is the same bytes for any thread count.

mod page;
pub mod sample;

use crate::pipeline::ScanResult;
use crate::read::ReadOptions;
use crate::Error;
pub use sample::Sampler;
use std::path::Path;

/// Clusters shown: the largest, and as many drawn at random.
const CLUSTERS_LARGEST: usize = 30;
const CLUSTERS_RANDOM: usize = 30;
/// Members listed per cluster.
const MEMBERS_SHOWN: usize = 20;
/// Text shown of a document, and of each side of a diff (bytes).
const TEXT_SHOWN: usize = 200_000;
const DIFF_SHOWN: usize = 20_000;

/// Writes the page to `path` (beside it, then renamed into place).
pub fn write_html(
    path: &Path,
    result: &ScanResult,
    sampler: Sampler,
    read: &ReadOptions,
    threshold: f64,
) -> Result<(), Error> {
    let docs = sampler.finish(&result.documents);
    let clusters = page::sample_clusters(result, CLUSTERS_LARGEST, CLUSTERS_RANDOM);
    // Texts to read again: the sampled documents, and the two sides of each cluster's diff.
    let mut wanted: Vec<u32> = docs.iter().map(|(d, _)| *d).collect();
    for c in &clusters {
        wanted.push(c.kept);
        wanted.extend(c.members.first().map(|m| m.doc));
    }
    wanted.sort_unstable();
    wanted.dedup();
    let texts = crate::read::with_texts(
        &result.sources,
        &result.documents,
        read,
        &wanted,
        |_, text, lossy| (text.to_string(), lossy.cloned()),
    )?;
    let texts: std::collections::HashMap<u32, (String, Option<crate::read::Lossy>)> =
        texts.into_iter().collect();
    let html = page::render(&page::Input {
        result,
        docs: &docs,
        clusters: &clusters,
        texts: &texts,
        threshold,
        text_shown: TEXT_SHOWN,
        diff_shown: DIFF_SHOWN,
        members_shown: MEMBERS_SHOWN,
    });
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, e))?;
    std::fs::write(tmp.path(), html).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(tmp.path(), mode).map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
