//! Helpers shared by the integration tests.
#![allow(dead_code)]

use dedup::{report, Options};
use std::path::{Path, PathBuf};

/// One parsed report row: the library's own row type.
pub type Row = dedup::report::Row<'static>;

pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// The CSV report of a scan, as bytes.
pub fn report_bytes(paths: &[PathBuf], options: &Options) -> Vec<u8> {
    let result = dedup::scan(paths, options).expect("scan");
    let mut out = Vec::new();
    report::write_csv(
        &mut out,
        &result.documents,
        &result.spans,
        &result.texts,
        report::Offsets::Bytes,
    )
    .expect("csv");
    out
}

/// The rows of a CSV report, their text cells as they were before the formula rule.
pub fn parse(csv_bytes: &[u8]) -> Vec<Row> {
    report::read_csv(csv_bytes)
        .map(|r| r.map(|(_, row)| row))
        .collect::<Result<_, _>>()
        .expect("report parses")
}

pub fn scan_rows(paths: &[PathBuf], options: &Options) -> Vec<Row> {
    parse(&report_bytes(paths, options))
}

/// Writes `files` (name, content) into a fresh temporary folder.
pub fn corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// Checks what every report must satisfy against the files it was made from: spans in bounds, on
/// UTF-8 boundaries, sorted and non-overlapping per document, kept copies in bounds too.
pub fn assert_well_formed(root: &Path, rows: &[Row]) {
    let text = |doc: &str| std::fs::read(root.join(doc)).expect("doc readable");
    let mut prev: Option<(&str, usize)> = None;
    for r in rows {
        let bytes = text(&r.doc);
        assert!(
            r.start <= r.end && r.end <= bytes.len(),
            "out of bounds: {r:?}"
        );
        let s = std::str::from_utf8(&bytes).expect("utf8");
        assert!(
            s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
            "not on a char boundary: {r:?}"
        );
        if let Some((doc, end)) = prev {
            if doc == r.doc {
                assert!(r.start >= end, "overlapping or unsorted: {r:?}");
            } else {
                assert!(doc < r.doc.as_ref(), "documents not sorted: {r:?}");
            }
        }
        prev = Some((&r.doc, r.end));
        if let (Some(kd), Some(ks), Some(ke)) = (&r.keep_doc, r.keep_start, r.keep_end) {
            let kept = text(kd);
            assert!(
                ks <= ke && ke <= kept.len(),
                "kept copy out of bounds: {r:?}"
            );
        }
    }
}

/// `plain` compressed as the file name says (`.gz`, `.zst`, or left as it is).
pub fn compress(name: &str, plain: &[u8]) -> Vec<u8> {
    use std::io::Write;
    if name.ends_with(".gz") {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(plain).unwrap();
        e.finish().unwrap()
    } else if name.ends_with(".zst") {
        zstd::encode_all(plain, 3).unwrap()
    } else {
        plain.to_vec()
    }
}

/// A small deterministic generator (xorshift64*), so generated corpora are the same on every run.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
