//! Decoding: a file's bytes in, its text out — as it is when it is UTF-8, or a lossy decode with
//! the [`Lossy`] map back to the original bytes when it is not.
//!
//! Invalid UTF-8 (a Latin-1 file, a damaged byte) does not stop a document from being scanned:
//! each maximal invalid byte sequence becomes one U+FFFD, exactly as Rust's
//! `String::from_utf8_lossy` and Python's `bytes.decode("utf-8", "replace")` do, detection runs on
//! that text, and every offset is mapped back to the original bytes before it is reported. A span
//! therefore never starts or ends inside an invalid sequence or a character, and cutting it keeps
//! every other original byte. A NUL byte marks a binary file, as ripgrep decides; it is refused.

use std::borrow::Cow;

/// Where a lossy decode replaced invalid bytes, so that offsets into the decoded text can be
/// mapped to the original bytes and back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lossy {
    fixes: Vec<Fix>,
}

/// One invalid sequence: `len` original bytes at `original`, one U+FFFD at `decoded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fix {
    decoded: usize,
    original: usize,
    len: usize,
}

/// Bytes of U+FFFD in UTF-8.
const REPLACEMENT_LEN: usize = '\u{FFFD}'.len_utf8();

impl Lossy {
    /// Invalid sequences replaced.
    pub fn replaced(&self) -> usize {
        self.fixes.len()
    }

    /// Offset of the first invalid byte in the original.
    pub fn first_bad_byte(&self) -> usize {
        self.fixes.first().map_or(0, |f| f.original)
    }

    /// The original offset of a character boundary `d` of the decoded text.
    pub fn to_original(&self, d: usize) -> usize {
        let i = self.fixes.partition_point(|f| f.decoded < d);
        match i.checked_sub(1).map(|i| self.fixes[i]) {
            None => d,
            Some(f) => d - (f.decoded + REPLACEMENT_LEN) + f.original + f.len,
        }
    }

    /// The decoded offset of original offset `o`, or `None` when `o` lies inside an invalid
    /// sequence. (Whether it lies inside a valid character is for the decoded text to say.)
    pub fn to_decoded(&self, o: usize) -> Option<usize> {
        let i = self.fixes.partition_point(|f| f.original < o);
        match i.checked_sub(1).map(|i| self.fixes[i]) {
            None => Some(o),
            Some(f) if o < f.original + f.len => None,
            Some(f) => Some(o - (f.original + f.len) + f.decoded + REPLACEMENT_LEN),
        }
    }
}

/// The text of `bytes`: borrowed when they are UTF-8, a lossy decode with its map when not;
/// or the reason they are not text (a NUL byte).
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Option<Lossy>), String> {
    if let Some(pos) = memchr::memchr(0, bytes) {
        return Err(format!("binary file (NUL byte at offset {pos})"));
    }
    // simdutf8 validates at memory speed; the slow path runs only on invalid input.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), None));
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut lossy = Lossy::default();
    let mut original = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        original += chunk.valid().len();
        let bad = chunk.invalid();
        if !bad.is_empty() {
            lossy.fixes.push(Fix {
                decoded: text.len(),
                original,
                len: bad.len(),
            });
            text.push('\u{FFFD}');
            original += bad.len();
        }
    }
    Ok((Cow::Owned(text), Some(lossy)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_borrowed() {
        let (text, lossy) = decode("héllo".as_bytes()).unwrap();
        assert!(matches!(text, Cow::Borrowed("héllo")));
        assert!(lossy.is_none());
        assert!(decode(b"a\0b").unwrap_err().contains("binary"));
    }

    #[test]
    fn lossy_decode_maps_every_boundary_back() {
        // Latin-1 é, a truncated 3-byte sequence, a lone continuation byte, valid ü.
        let bytes = b"caf\xe9 \xe2\x82 x\x80y \xc3\xbc";
        let (text, lossy) = decode(bytes).unwrap();
        assert_eq!(text, String::from_utf8_lossy(bytes));
        let lossy = lossy.unwrap();
        assert_eq!((lossy.replaced(), lossy.first_bad_byte()), (3, 3));
        // Every character boundary of the decode maps to an original boundary, and back.
        let mut originals = Vec::new();
        for (d, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let o = lossy.to_original(d);
            assert_eq!(lossy.to_decoded(o), Some(d), "{d} -> {o}");
            originals.push(o);
        }
        assert_eq!(originals, [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14]);
        // Inside an invalid sequence there is no decoded offset.
        assert_eq!(lossy.to_decoded(6), None);
    }
}
