//! The second stage's inputs, written out for fitting its weights (`scripts/fit/context.py`):
//! with the environment variable `DEDUP_FURNITURE_FEATURES=FILE`, every scored segment appends a
//! tab-separated line to FILE: the document's index in corpus order, the segment's byte offsets,
//! the stage-2 features in the order of [`super::CONTEXT`], whether it is in an interior run,
//! whether it reads as a headline, and its probability. Without the variable nothing is written
//! and nothing is slower than one check per document.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

/// Where the lines go.
pub struct Dump(Mutex<std::fs::File>);

/// The dump file, when `DEDUP_FURNITURE_FEATURES` names one.
pub fn sink() -> Option<&'static Dump> {
    static SINK: OnceLock<Option<Dump>> = OnceLock::new();
    SINK.get_or_init(|| {
        let path = std::env::var_os("DEDUP_FURNITURE_FEATURES")?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
            .map(|f| Dump(Mutex::new(f)))
    })
    .as_ref()
}

thread_local! {
    static DOC: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Names the document whose segments this thread scores next.
pub fn set_doc(doc: u32) {
    DOC.set(doc);
}

impl Dump {
    /// One segment's line.
    pub fn line(
        &self,
        start: usize,
        end: usize,
        x: &[f32],
        interior: bool,
        headline: bool,
        p: f32,
    ) {
        let mut line = format!("{}\t{start}\t{end}", DOC.get());
        for v in x {
            line.push_str(&format!("\t{v}"));
        }
        line.push_str(&format!(
            "\t{}\t{}\t{p}\n",
            u8::from(interior),
            u8::from(headline)
        ));
        if let Ok(mut f) = self.0.lock() {
            let _ = f.write_all(line.as_bytes());
        }
    }
}
