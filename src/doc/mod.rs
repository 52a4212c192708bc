//! Document stage: one document's text in, one [`DocPrint`] out, the text dropped afterwards.
//!
//! [`lines`] → [`paragraphs`] (segments, with [`normalize`]'s word hashes) → [`repeats`]
//! (in-document echoes) → [`minhash`] and [`bands`] (signature, LSH band keys) → [`evidence`]
//! (the page-furniture features, with `lexicon`'s phrases and stop words) → [`print`](mod@print)
//! (the compact record the corpus-wide stages read).
//! [`fingerprint`] runs them all for one text; [`sketch`] gives the verification sketch of a
//! text read again for a candidate pair.

pub mod bands;
mod chars;
pub mod evidence;
mod lexicon;
pub mod lines;
pub mod minhash;
pub mod normalize;
pub mod paragraphs;
pub mod print;
pub mod repeats;

pub use bands::LshParams;
pub use print::{DocPrint, SegmentPrint};

use crate::model::Detectors;
use normalize::Tokenizer;
use paragraphs::Tokens;

/// What the document stage computes, and with which parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocConfig {
    /// Words per shingle.
    pub shingle: usize,
    /// MinHash signature length.
    pub num_perm: usize,
    /// How the signature is cut into bands.
    pub lsh: LshParams,
    /// What the detectors that run need: segments (repeats, boilerplate) and whole-document
    /// keys (near duplicates).
    pub detectors: Detectors,
    /// Measure the furniture evidence (the furniture classifier is on).
    pub furniture: bool,
    /// Furniture is cut only in pages (`--furniture auto`): measure it only in documents that
    /// can be one ([`evidence::evidence_if_page`]).
    pub pages_only: bool,
    /// Keep the verification sketch in the print (`dedup sign` writes it out).
    pub sketches: bool,
}

/// Segments, normalises and fingerprints one document's text.
pub fn fingerprint(text: &str, c: &DocConfig) -> DocPrint {
    let detectors = c.detectors;
    TOKENIZER.with_borrow_mut(|(tokenizer, tokens)| {
        if detectors.segments() {
            paragraphs::tokenize_into(text, tokenizer, tokens);
        } else {
            // Only whole documents are compared: the words without the segments (the same
            // words, since line ends only separate them).
            tokens.segments.clear();
            tokens.words.clear();
            tokens.reading = normalize::reading_of(text);
            tokenizer.tokens(text, tokens.reading, &mut tokens.words);
        }
        let mut print =
            print::doc_print(text.len(), tokens, c.shingle, c.num_perm, c.lsh, detectors);
        if detectors.boilerplate && c.furniture {
            let evidence = if c.pages_only {
                evidence::evidence_if_page(text, tokens, tokenizer)
            } else {
                evidence::evidence(text, tokens, tokenizer)
            };
            print.furniture = Some(Box::new(evidence));
        }
        if c.sketches && detectors.near_dup {
            let sketch = minhash::sketch(&tokens.words, c.shingle, minhash::SKETCH_LEN);
            print.sketch = Some(sketch.into_boxed_slice());
        }
        // A huge document's buffers are not kept for the small ones that follow.
        if tokens.words.capacity() > KEEP_WORDS {
            *tokens = Tokens::default();
        }
        print
    })
}

/// The verification sketch ([`minhash::sketch`]) of a text: the words of the whole text are the
/// segments' words, as line ends only separate them.
pub fn sketch(text: &str, shingle: usize) -> Vec<u32> {
    let mut words = Vec::new();
    let reading = normalize::reading_of(text);
    TOKENIZER.with_borrow_mut(|(t, _)| t.tokens(text, reading, &mut words));
    minhash::sketch(&words, shingle, minhash::SKETCH_LEN)
}

/// Words (8 bytes each) a worker's tokens buffer may keep between documents.
const KEEP_WORDS: usize = 1 << 20;

thread_local! {
    /// Each worker's tokenizer and tokens buffer, reused from one document to the next.
    static TOKENIZER: std::cell::RefCell<(Tokenizer, Tokens)> =
        std::cell::RefCell::new((Tokenizer::new(), Tokens::default()));
}
