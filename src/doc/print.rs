//! The document's print (document stage): its segments, words and echoes in, the compact
//! [`DocPrint`] out: what outlives the text. Per segment its offsets and 64-bit matching key, plus
//! the document's content key and the LSH band keys of its MinHash signature. The detectors and
//! the report need nothing else, so the text itself is dropped as soon as a document is printed.

use super::bands::LshParams;
use super::minhash;
use super::normalize::hash_sequence;
use super::paragraphs::Tokens;
use super::repeats::{self, Echo};
use crate::furniture::Evidence;
use crate::model::Detectors;

/// What a document leaves behind for the corpus-wide stages: a few bytes per segment, so that a
/// corpus much larger than memory can be scanned.
#[derive(Debug, Clone, Default)]
pub struct DocPrint {
    /// Length of the original document in bytes.
    pub len: usize,
    /// Number of normalised words.
    pub word_count: usize,
    /// Hash of the whole normalised word sequence; `None` for a document without words, which
    /// is never called a duplicate of anything.
    pub content_key: Option<u64>,
    /// LSH band keys of the MinHash signature over word shingles (the signature itself is not
    /// kept: grouping needs only its bands); `None` when the document has no words.
    pub bands: Option<Box<[u64]>>,
    /// Matching key of every segment, in order (what the corpus-wide boilerplate count reads).
    pub keys: Vec<u64>,
    /// Per segment, three LEB128 varints: gap since the previous segment's end, length, and
    /// `words << 1 | sentence`. About 4 bytes a segment; read back by [`DocPrint::segments`].
    layout: Vec<u8>,
    /// The segments that repeat an earlier one of the document (usually none), ascending.
    pub repeats: Vec<(u32, Echo)>,
    /// What the furniture classifier needs; `None` when it is off.
    pub furniture: Option<Box<Evidence>>,
    /// The verification sketch ([`crate::doc::minhash::sketch`]), kept only for `dedup sign`
    /// ([`crate::doc::DocConfig::sketches`]); `scan` recomputes it for candidates only.
    pub sketch: Option<Box<[u32]>>,
}

impl crate::furniture::context::Segment for SegmentPrint {
    fn bytes(&self) -> (usize, usize) {
        (self.start, self.end)
    }

    fn key(&self) -> u64 {
        self.key
    }

    fn sentence(&self) -> bool {
        self.sentence
    }

    fn words(&self) -> u32 {
        self.words
    }
}

/// One segment as the detectors see it (decoded from a [`DocPrint`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentPrint {
    pub start: usize,
    pub end: usize,
    pub key: u64,
    pub words: u32,
    pub sentence: bool,
    /// Which earlier segment of the document it repeats, if any.
    pub echo: Echo,
}

impl DocPrint {
    /// A print with the given segments (their `echo`s become [`DocPrint::repeats`]).
    pub fn new(
        len: usize,
        word_count: usize,
        content_key: Option<u64>,
        bands: Option<Box<[u64]>>,
        segments: impl IntoIterator<Item = SegmentPrint>,
    ) -> DocPrint {
        let mut print = DocPrint {
            len,
            word_count,
            content_key,
            bands,
            ..DocPrint::default()
        };
        let segments = segments.into_iter();
        let count = segments.size_hint().0;
        print.keys.reserve_exact(count);
        // Most segments take three or four bytes: one reservation for the usual case.
        print.layout.reserve(4 * count);
        let mut prev_end = 0;
        for (i, s) in segments.enumerate() {
            print.keys.push(s.key);
            put_varint(&mut print.layout, (s.start - prev_end) as u64);
            put_varint(&mut print.layout, (s.end - s.start) as u64);
            put_varint(
                &mut print.layout,
                (u64::from(s.words) << 1) | u64::from(s.sentence),
            );
            prev_end = s.end;
            if s.echo != Echo::Original {
                print.repeats.push((i as u32, s.echo));
            }
        }
        print.layout.shrink_to_fit();
        print.keys.shrink_to_fit();
        print
    }

    /// The segments, in order.
    pub fn segments(&self) -> impl Iterator<Item = SegmentPrint> + '_ {
        let mut at = 0;
        let mut prev_end = 0;
        let mut repeats = self.repeats.iter().peekable();
        self.keys.iter().enumerate().map(move |(i, &key)| {
            let start = prev_end + get_varint(&self.layout, &mut at) as usize;
            let end = start + get_varint(&self.layout, &mut at) as usize;
            let packed = get_varint(&self.layout, &mut at);
            prev_end = end;
            let echo = match repeats.peek() {
                Some(&&(j, echo)) if j as usize == i => {
                    repeats.next();
                    echo
                }
                _ => Echo::Original,
            };
            SegmentPrint {
                start,
                end,
                key,
                words: (packed >> 1).min(u64::from(u32::MAX)) as u32,
                sentence: packed & 1 == 1,
                echo,
            }
        })
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Builds the document's fingerprint from its tokens, finding in-document repeats on the way.
/// What a detector that is off would read is left out: the echoes without `repeated`, the
/// content key and band keys without `near_dup`.
pub fn doc_print(
    len: usize,
    tokens: &Tokens,
    shingle: usize,
    num_perm: usize,
    lsh: LshParams,
    detectors: Detectors,
) -> DocPrint {
    let has_words = !tokens.words.is_empty() && detectors.near_dup;
    let echoes = if detectors.repeated {
        repeats::echoes(tokens)
    } else {
        vec![Echo::Original; tokens.segments.len()]
    };
    DocPrint::new(
        len,
        tokens.words.len(),
        has_words.then(|| hash_sequence(&tokens.words)),
        has_words.then(|| {
            let signature = minhash::signature(&tokens.words, shingle, num_perm);
            lsh.band_keys(&signature).collect()
        }),
        tokens
            .segments
            .iter()
            .zip(echoes)
            .map(|(s, echo)| SegmentPrint {
                start: s.start,
                end: s.end,
                key: s.key,
                words: s.word_count() as u32,
                sentence: s.sentence,
                echo,
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::normalize::Tokenizer;
    use crate::doc::paragraphs::tokenize;

    #[test]
    fn prints_give_back_their_segments() {
        let text = "Title\n\nA first line.\nA first line.\n   \n* * *\n";
        let tokens = tokenize(text, &mut Tokenizer::new());
        let print = doc_print(
            text.len(),
            &tokens,
            5,
            16,
            LshParams { bands: 4, rows: 4 },
            Detectors::default(),
        );
        let got: Vec<_> = print.segments().collect();
        assert_eq!(got.len(), tokens.segments.len());
        for (p, s) in got.iter().zip(&tokens.segments) {
            assert_eq!((p.start, p.end, p.key), (s.start, s.end, s.key));
            assert_eq!(p.words as usize, s.word_count());
            assert_eq!(p.sentence, s.sentence);
        }
        assert_eq!(
            got[2].echo,
            Echo::Repeat {
                of: 1,
                similarity: 1.0
            }
        );
        assert_eq!(print.repeats.len(), 1);
    }
}
