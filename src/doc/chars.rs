//! Character statistics of the furniture features: a unit's text in, its counts of visible
//! characters, punctuation, digits, words and capitalised words out ([`stats`]), and its
//! template key (its words without digits, [`template_key`]).
//!
//! Runs of ASCII are classified sixteen bytes at a time with SSE2 on x86-64 (one of the crate's
//! two `unsafe` calls, the other in `normalize::ascii`), eight at a time elsewhere (SWAR: every
//! byte of a 64-bit word compared at once); other characters one at a time through a table.

use crate::doc::lines::any_byte;
use crate::doc::normalize::{mix, ASCII_WORD};
use std::sync::atomic::{AtomicU8, Ordering};

/// What [`stats`] counts. Whitespace is not visible; a word is a maximal run of alphanumerics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CharStats {
    pub visible: u32,
    pub punct: u32,
    pub digits: u32,
    pub words: u32,
    /// Words that start with an upper-case letter.
    pub caps: u32,
    /// Whether a separator character (`|`, `»`, `›`, `·`, `•`, `©`) is present.
    pub separator: bool,
}

/// Eight copies of a byte, and of the high bit.
const L: u64 = 0x0101_0101_0101_0101;
const H: u64 = 0x8080_8080_8080_8080;

/// For eight ASCII bytes: the high bit of every byte in `lo..=hi`.
#[inline]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let ge = (x | H).wrapping_sub(L * lo as u64) & H;
    let le = ((L * hi as u64) | H).wrapping_sub(x) & H;
    ge & le
}

/// Counts the characters of `text` (see [`CharStats`]): its ASCII runs sixteen bytes at a time
/// with SSE2 where the target has it, eight at a time in a 64-bit word elsewhere.
pub fn stats(text: &str) -> CharStats {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    // SAFETY: the build enables SSE2 (the `cfg` above: every x86-64 CPU has it), which is the
    // only requirement of the function.
    return unsafe { stats_sse2(text) };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    stats_swar(text)
}

/// [`stats`] eight ASCII bytes at a time (SWAR), one character at a time elsewhere.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn stats_swar(text: &str) -> CharStats {
    let bytes = text.as_bytes();
    let mut s = CharStats::default();
    let mut lanes = Lanes::default();
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        if !ascii_pair(bytes, i) {
            i += one_char(text, i, &mut s, &mut in_word);
            continue;
        }
        i += lanes.add(&bytes[i..], &mut s, &mut in_word);
    }
    lanes.flush(&mut s);
    s
}

/// [`stats`] sixteen ASCII bytes at a time: range compares give each byte's classes as
/// all-ones lanes, which are subtracted from per-lane counters (so that a chunk costs no
/// popcount) summed by `psadbw`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn stats_sse2(text: &str) -> CharStats {
    use std::arch::x86_64::*;
    let bytes = text.as_bytes();
    let mut s = CharStats::default();
    let mut in_word = false;
    // visible, punct, digits, words, caps: per-lane counts of at most 255 chunks.
    let mut counts = [_mm_setzero_si128(); 5];
    let mut chunks = 0;
    let flush = |counts: &mut [__m128i; 5], s: &mut CharStats| {
        let [visible, punct, digits, words, caps] = counts.map(|lanes| {
            let sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
            (_mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_srli_si128(sums, 8))) as u32
        });
        s.visible += visible;
        s.punct += punct;
        s.digits += digits;
        s.words += words;
        s.caps += caps;
        *counts = [_mm_setzero_si128(); 5];
    };
    let mut i = 0;
    while i < bytes.len() {
        if !ascii_pair(bytes, i) {
            i += one_char(text, i, &mut s, &mut in_word);
            continue;
        }
        let (chunk, n) = padded::<16>(&bytes[i..]);
        let [lo, hi] = [0, 8].map(|k| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&chunk[k..k + 8]);
            i64::from_le_bytes(b)
        });
        let x = _mm_set_epi64x(hi, lo);
        // The bytes before the first non-ASCII one (at least one: `ascii_pair`); the padding is
        // not counted.
        let ascii = (_mm_movemask_epi8(x).trailing_zeros() as usize).min(n);
        let lanes = _mm_cmplt_epi8(
            _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            _mm_set1_epi8(ascii as i8),
        );
        // Within the lanes, bytes are below 0x80, so signed compares are unsigned ones.
        let within = |lo: u8, hi: u8| {
            let ge = _mm_cmpgt_epi8(x, _mm_set1_epi8(lo as i8 - 1));
            let le = _mm_cmplt_epi8(x, _mm_set1_epi8(hi as i8 + 1));
            _mm_and_si128(_mm_and_si128(ge, le), lanes)
        };
        let space = _mm_or_si128(within(0x09, 0x0d), within(b' ', b' '));
        let digit = within(b'0', b'9');
        let upper = within(b'A', b'Z');
        let alnum = _mm_or_si128(_mm_or_si128(digit, upper), within(b'a', b'z'));
        let visible = _mm_andnot_si128(space, lanes);
        // A word starts at an alphanumeric whose previous byte (the previous chunk's last for
        // the first) is not one.
        let carry = _mm_cvtsi32_si128(if in_word { 0xff } else { 0 });
        let starts = _mm_andnot_si128(_mm_or_si128(_mm_slli_si128(alnum, 1), carry), alnum);
        let [c_visible, c_punct, c_digits, c_words, c_caps] = &mut counts;
        *c_visible = _mm_sub_epi8(*c_visible, visible);
        *c_punct = _mm_sub_epi8(*c_punct, _mm_andnot_si128(alnum, visible));
        *c_digits = _mm_sub_epi8(*c_digits, digit);
        *c_words = _mm_sub_epi8(*c_words, starts);
        *c_caps = _mm_sub_epi8(*c_caps, _mm_and_si128(starts, upper));
        s.separator |= _mm_movemask_epi8(within(b'|', b'|')) != 0;
        in_word = _mm_movemask_epi8(alnum) >> (ascii - 1) & 1 != 0;
        chunks += 1;
        if chunks == 255 {
            flush(&mut counts, &mut s);
            chunks = 0;
        }
        i += ascii;
    }
    flush(&mut counts, &mut s);
    s
}

/// Whether the byte at `i` is ASCII and so is the next one, if there is one: a chunk is read
/// only there (in text of another script, an ASCII space between two words is counted as a
/// character rather than as a chunk of one byte).
#[inline]
fn ascii_pair(bytes: &[u8], i: usize) -> bool {
    bytes[i] < 0x80 && bytes.get(i + 1).is_none_or(|&b| b < 0x80)
}

/// Counts the character at byte `i` of `text` (a boundary: every step moves by whole
/// characters) and returns its length.
#[inline]
fn one_char(text: &str, i: usize, s: &mut CharStats, in_word: &mut bool) -> usize {
    let c = text[i..].chars().next().unwrap_or(' ');
    count(class_of(c), s, in_word);
    c.len_utf8()
}

/// The first `N` bytes of `bytes`, zero-padded, and how many of them are its own.
#[inline]
fn padded<const N: usize>(bytes: &[u8]) -> ([u8; N], usize) {
    match bytes.first_chunk::<N>() {
        Some(&chunk) => (chunk, N),
        None => {
            let mut chunk = [0u8; N];
            chunk[..bytes.len()].copy_from_slice(bytes);
            (chunk, bytes.len())
        }
    }
}

/// Adds one character of class `class` to the counts.
#[inline]
fn count(class: u8, s: &mut CharStats, in_word: &mut bool) {
    if class & ALNUM == 0 {
        *in_word = false;
        if class == SPACE {
            return;
        }
        s.punct += 1;
        s.separator |= class & SEPARATOR != 0;
    } else {
        s.digits += u32::from(class & DIGIT != 0);
        if !*in_word {
            s.words += 1;
            s.caps += u32::from(class & UPPER != 0);
            *in_word = true;
        }
    }
    s.visible += 1;
}

/// Counts of ASCII chunks of eight bytes kept per byte lane of 64-bit words (one byte per lane
/// and count, so that a chunk costs additions rather than popcounts), added to a [`CharStats`]
/// by [`Lanes::flush`].
#[derive(Default)]
struct Lanes {
    visible: u64,
    punct: u64,
    digits: u64,
    words: u64,
    caps: u64,
    /// Chunks added since the last flush: a lane holds at most this many, and the eight lanes
    /// of a count are summed by one multiplication, which needs their total below 256.
    chunks: u32,
}

impl Lanes {
    /// Adds the ASCII bytes that `bytes` starts with, up to eight (the same as one call of
    /// [`count`] for each), and returns how many it added: 0 when the first is not ASCII.
    #[inline]
    fn add(&mut self, bytes: &[u8], s: &mut CharStats, in_word: &mut bool) -> usize {
        let (chunk, n) = padded::<8>(bytes);
        let x = u64::from_le_bytes(chunk);
        // The bytes before the first non-ASCII one; the padding is not counted.
        let ascii = ((x & H).trailing_zeros() / 8).min(n as u32) as usize;
        if ascii == 0 {
            return 0;
        }
        let lanes = H >> (8 * (8 - ascii));
        let space = in_range(x, 0x09, 0x0d) | in_range(x, b' ', b' ');
        let digit = in_range(x, b'0', b'9') & lanes;
        let upper = in_range(x, b'A', b'Z') & lanes;
        let alnum = digit | upper | (in_range(x, b'a', b'z') & lanes);
        let punct = lanes & !space & !alnum;
        // A word starts at an alphanumeric byte whose previous byte (the previous chunk's last
        // for the first) is not one; shifting by a byte moves each flag to the next byte's place.
        let before = (alnum << 8) | if *in_word { 0x80 } else { 0 };
        let starts = alnum & !before;
        self.visible += (lanes & !space) >> 7;
        self.punct += punct >> 7;
        self.digits += digit >> 7;
        self.words += starts >> 7;
        self.caps += (starts & upper) >> 7;
        s.separator |= in_range(x, b'|', b'|') & lanes != 0;
        *in_word = alnum >> (8 * ascii - 1) & 1 != 0;
        self.chunks += 1;
        if self.chunks == 31 {
            self.flush(s);
        }
        ascii
    }

    /// Moves the lane counts into `s`.
    fn flush(&mut self, s: &mut CharStats) {
        let total = |lanes: u64| (lanes.wrapping_mul(L) >> 56) as u32;
        s.visible += total(self.visible);
        s.punct += total(self.punct);
        s.digits += total(self.digits);
        s.words += total(self.words);
        s.caps += total(self.caps);
        *self = Lanes::default();
    }
}

/// Whether `text` holds a digit as [`stats`] counts them (`0` to `9`: the class of other
/// scripts' digits is that of letters), with the same answer as `stats(text).digits > 0`
/// ([`any_byte`]: a chunk of bytes at a time).
pub fn has_digit(text: &str) -> bool {
    any_byte(text.as_bytes(), |b| b.is_ascii_digit())
}

/// The key of a segment's words without digits, lower-cased: the same template with other
/// numbers or dates gets the same key. None when fewer than `min_words` words are left:
/// "2 235 010 EUROS" in a story and "6,90 euros" in a shop widget share nothing but a unit.
///
/// Runs of ASCII letters and digits are hashed in a tight loop over a table of their lower-case
/// bytes; other characters are decoded and classified one at a time.
pub fn template_key(text: &str, min_words: usize) -> Option<u64> {
    let bytes = text.as_bytes();
    let mut key = TemplateKey::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x80 {
            let c = text[i..].chars().next().unwrap_or(' ');
            key.add(class_of(c), lower_unit(c));
            i += c.len_utf8();
            continue;
        }
        if ASCII_WORD[b as usize] == 0 {
            key.end_word();
            i += 1;
            continue;
        }
        key.start_word();
        // The run of ASCII letters and digits from here (a byte of 0x80 or more has no unit).
        let (mut hash, mut all) = (key.word_hash, u8::MAX);
        while let Some(&unit) = bytes.get(i).map(|&b| &ASCII_WORD[b as usize]) {
            if unit == 0 {
                break;
            }
            hash = (hash ^ u64::from(unit)).wrapping_mul(FNV_PRIME);
            all &= unit;
            i += 1;
        }
        key.word_hash = hash;
        // Lower-case letters (0x61 to 0x7a) have bit 0x40, digits (0x30 to 0x39) do not.
        key.word_digits |= all & 0x40 == 0;
        // The run stopped at an ASCII byte other than a letter or digit: it ends the word.
        if bytes.get(i).is_some_and(|&b| b < 0x80) {
            key.end_word();
            i += 1;
        }
    }
    key.finish(min_words)
}

/// The multiplier of the FNV-1a hash of a template word.
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// The unit a character adds to its word's hash in a template key: its first lower-case
/// character.
#[inline]
fn lower_unit(c: char) -> u32 {
    if c.is_ascii() {
        u32::from(c.to_ascii_lowercase())
    } else {
        u32::from(c.to_lowercase().next().unwrap_or(c))
    }
}

/// A template key being built, one character (its class and [`lower_unit`]) at a time.
struct TemplateKey {
    template: u64,
    kept: usize,
    in_word: bool,
    word_hash: u64,
    word_digits: bool,
}

impl TemplateKey {
    fn new() -> TemplateKey {
        TemplateKey {
            template: 0x243f_6a88_85a3_08d3,
            kept: 0,
            in_word: false,
            word_hash: 0,
            word_digits: false,
        }
    }

    #[inline]
    fn add(&mut self, class: u8, unit: u32) {
        if class & ALNUM == 0 {
            self.end_word();
            return;
        }
        self.start_word();
        self.word_digits |= class & DIGIT != 0;
        self.word_hash = (self.word_hash ^ u64::from(unit)).wrapping_mul(FNV_PRIME);
    }

    /// Starts a word unless one is under way.
    #[inline]
    fn start_word(&mut self) {
        if !self.in_word {
            self.word_hash = 0xcbf2_9ce4_8422_2325;
            self.word_digits = false;
            self.in_word = true;
        }
    }

    /// Ends the current word, if any: a word without digits joins the template.
    #[inline]
    fn end_word(&mut self) {
        if self.in_word && !self.word_digits {
            self.template = mix(self.template ^ self.word_hash);
            self.kept += 1;
        }
        self.in_word = false;
    }

    fn finish(mut self, min_words: usize) -> Option<u64> {
        self.end_word();
        (self.kept >= min_words).then_some(self.template)
    }
}

/// Characters below this (the Basic Multilingual Plane: every living script's letters,
/// punctuation with its quotes and dashes, CJK) are classified once, on first sight, in a table;
/// the others by their Unicode properties each time.
const TABLE: usize = 0x1_0000;

/// Marks a filled entry of the table (no class uses this bit).
const KNOWN: u8 = 0x80;

/// The class of a character.
fn class_of(c: char) -> u8 {
    static CLASSES: [AtomicU8; TABLE] = [const { AtomicU8::new(0) }; TABLE];
    let n = c as usize;
    if n < 0x80 {
        return ASCII_CLASS[n];
    }
    let Some(slot) = CLASSES.get(n) else {
        return classify(c);
    };
    let known = slot.load(Ordering::Relaxed);
    if known & KNOWN != 0 {
        return known & !KNOWN;
    }
    let class = classify(c);
    slot.store(class | KNOWN, Ordering::Relaxed);
    class
}

/// Character classes (bits).
const SPACE: u8 = 0;
const ALNUM: u8 = 1;
const DIGIT: u8 = 2;
const UPPER: u8 = 4;
const PUNCT: u8 = 8;
const SEPARATOR: u8 = 16;

fn classify(c: char) -> u8 {
    if c.is_whitespace() {
        SPACE
    } else if c.is_alphanumeric() {
        ALNUM
            | if c.is_ascii_digit() { DIGIT } else { 0 }
            | if c.is_uppercase() { UPPER } else { 0 }
    } else if matches!(c, '|' | '»' | '›' | '·' | '•' | '©') {
        PUNCT | SEPARATOR
    } else {
        PUNCT
    }
}

static ASCII_CLASS: [u8; 128] = {
    let mut t = [PUNCT; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_whitespace() || c == 0x0b {
            SPACE
        } else if c.is_ascii_digit() {
            ALNUM | DIGIT
        } else if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM
        } else if c == b'|' {
            PUNCT | SEPARATOR
        } else {
            PUNCT
        };
        b += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The counts one character at a time, by Unicode properties only (the reference).
    fn stats_by_char(text: &str) -> CharStats {
        let mut s = CharStats::default();
        let mut in_word = false;
        for c in text.chars() {
            count(classify(c), &mut s, &mut in_word);
        }
        s
    }

    #[test]
    fn counts_words_capitals_and_symbols() {
        let s = stats("Share this | Facebook\t12 Comments »");
        assert_eq!(
            s,
            CharStats {
                visible: 29,
                punct: 2,
                digits: 2,
                words: 5,
                caps: 3,
                separator: true,
            }
        );
    }

    #[test]
    fn long_ascii_runs_count_past_the_lane_limit() {
        // Past the 31 chunks of the eight-byte lanes and the 255 of the sixteen-byte ones.
        let text = "Ab1 | ".repeat(1000);
        assert_eq!(stats(&text), stats_by_char(&text));
        assert_eq!(stats_swar(&text), stats_by_char(&text));
    }

    /// The template key one character at a time, by Unicode properties only (the reference of
    /// [`template_key`]).
    fn template_key_by_char(text: &str, min_words: usize) -> Option<u64> {
        let mut template = 0x243f_6a88_85a3_08d3u64;
        let mut kept = 0;
        let (mut in_word, mut word_hash, mut word_digits) = (false, 0u64, false);
        for c in text.chars() {
            let class = classify(c);
            if class & ALNUM == 0 {
                if in_word && !word_digits {
                    template = mix(template ^ word_hash);
                    kept += 1;
                }
                in_word = false;
                continue;
            }
            if !in_word {
                word_hash = 0xcbf2_9ce4_8422_2325;
                word_digits = false;
                in_word = true;
            }
            word_digits |= class & DIGIT != 0;
            let unit = u32::from(c.to_lowercase().next().unwrap_or(c));
            word_hash = (word_hash ^ u64::from(unit)).wrapping_mul(0x0100_0000_01b3);
        }
        if in_word && !word_digits {
            template = mix(template ^ word_hash);
            kept += 1;
        }
        (kept >= min_words).then_some(template)
    }

    #[test]
    fn template_keys_ignore_digits_and_case() {
        let a = template_key("Posted 12 May 2013, 11:09", 2);
        assert!(a.is_some());
        assert_eq!(a, template_key("posted 3 MAY 2014 — 09:40", 2));
        assert_eq!(
            template_key("Publié le 3 ÉTÉ", 2),
            template_key("publié le 12 été", 2)
        );
        assert_eq!(template_key("2 235 010 EUROS", 2), None);
    }

    proptest! {
        #[test]
        fn template_keys_by_byte_equal_keys_by_char(
            text in "[a-zA-Z0-9 \t\n|.,:;!?()\x00-\x1f\x7féÉçßİẞ»«·•©’—…ΩωΣ日本٣४ ]{0,80}",
            min_words in 0usize..4,
        ) {
            prop_assert_eq!(template_key(&text, min_words), template_key_by_char(&text, min_words));
        }

        #[test]
        fn has_digit_is_a_digit_count_above_zero(
            text in "[a-z0-9 .,:éß»日本٣४]{0,150}"
        ) {
            prop_assert_eq!(has_digit(&text), stats_by_char(&text).digits > 0);
        }

        #[test]
        fn eight_bytes_at_a_time_count_as_one_at_a_time(
            text in "[a-zA-Z0-9 \t\r\n\x0b\x0c|.,:;!?()\\[\\]{}\x00-\x1f\x7féÉçß»«·•©’—…Ωω日本 ]{0,80}"
        ) {
            // Every offset into a chunk (the chunked paths start anywhere), with both counters.
            for (at, _) in text.char_indices().take(17) {
                let expect = stats_by_char(&text[at..]);
                prop_assert_eq!(stats_swar(&text[at..]), expect);
                prop_assert_eq!(stats(&text[at..]), expect);
            }
        }
    }
}
