//! Normalise stage (for matching only): text in, a stream of 64-bit word hashes out.
//!
//! Two texts match when their word sequences are equal after:
//! - Unicode NFKC (ligatures, full-width forms and compatibility characters folded),
//! - lower-casing (Unicode `to_lowercase`, so `É` matches `é`),
//! - punctuation, symbols and whitespace folded away: a word is a maximal run of alphanumeric
//!   characters, everything else only separates words (`l'Iran` is `l`, `iran`).
//!
//! Digits are kept as they are: two earnings reports that differ only in their figures are not
//! duplicates. Spans never point at normalised text; the original bytes are never changed.
//!
//! Lines that are pure ASCII or already in NFKC skip the normalisation pass, which is the common
//! case and keeps this stage allocation-free per word.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::xxh3_64;

/// Turns text into word hashes, reusing its buffers between calls.
#[derive(Default)]
pub struct Tokenizer {
    word: String,
    nfkc: String,
}

impl Tokenizer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the hash of every normalised word of `text` to `out`.
    pub fn words(&mut self, text: &str, out: &mut Vec<u64>) {
        if text.is_ascii() {
            self.ascii_words(text.as_bytes(), out);
            return;
        }
        let mut nfkc = std::mem::take(&mut self.nfkc);
        let source = if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
            text
        } else {
            nfkc.clear();
            nfkc.extend(text.nfkc());
            nfkc.as_str()
        };
        self.word.clear();
        for c in source.chars() {
            if c.is_alphanumeric() {
                if c.is_ascii() {
                    self.word.push(c.to_ascii_lowercase());
                } else {
                    self.word.extend(c.to_lowercase());
                }
            } else if !self.word.is_empty() {
                out.push(hash_word(self.word.as_bytes()));
                self.word.clear();
            }
        }
        if !self.word.is_empty() {
            out.push(hash_word(self.word.as_bytes()));
            self.word.clear();
        }
        self.nfkc = nfkc;
    }

    fn ascii_words(&mut self, bytes: &[u8], out: &mut Vec<u64>) {
        let mut buf = [0u8; 64];
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let word = &bytes[start..i];
            if word.len() <= buf.len() {
                for (b, w) in buf.iter_mut().zip(word) {
                    *b = w.to_ascii_lowercase();
                }
                out.push(hash_word(&buf[..word.len()]));
            } else {
                self.word.clear();
                self.word
                    .push_str(&String::from_utf8_lossy(word).to_ascii_lowercase());
                out.push(hash_word(self.word.as_bytes()));
            }
        }
    }
}

/// Hash of one normalised word.
#[inline]
pub fn hash_word(word: &[u8]) -> u64 {
    xxh3_64(word)
}

/// Order-sensitive hash of a sequence of word hashes: the matching key of a line or a document.
pub fn hash_sequence(words: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ words.len() as u64;
    for &w in words {
        h = mix(h ^ w);
    }
    h
}

/// A 64-bit finaliser (from SplitMix64): spreads every input bit over the output.
#[inline]
pub fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        Tokenizer::new().words(text, &mut out);
        out
    }

    #[test]
    fn folds_case_punctuation_and_whitespace() {
        assert_eq!(words("Hello,   World!"), words("hello world"));
        assert_eq!(words("L'ÉTÉ"), words("l’été"));
        assert_eq!(words("  "), Vec::<u64>::new());
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        assert_eq!(words("ﬁn"), words("fin"));
        assert_eq!(words("ＡＢＣ"), words("abc"));
        // Decomposed é (e + combining acute) matches the composed one.
        assert_eq!(words("e\u{301}te\u{301}"), words("été"));
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        let long = "x".repeat(100);
        assert_eq!(words(&format!("{long} café")), {
            let mut v = words(&long);
            v.extend(words("café"));
            v
        });
        assert_eq!(words("Abc déf"), {
            let mut v = words("abc");
            v.extend(words("DÉF"));
            v
        });
    }

    #[test]
    fn digits_are_kept() {
        assert_ne!(words("12 cts"), words("10 cts"));
    }
}
