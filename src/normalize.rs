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
//! Text whose characters NFKC cannot change (ASCII, accented Latin, Cyrillic, common punctuation)
//! is scanned in one pass over its bytes, hashing each word as it goes: no allocation, no copy.
//! Other text is normalised first.

use std::sync::atomic::{AtomicU32, Ordering};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Turns text into word hashes, reusing its buffers between calls.
#[derive(Default)]
pub struct Tokenizer {
    nfkc: String,
}

impl Tokenizer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the hash of every normalised word of `text` to `out`.
    ///
    /// One pass over the bytes while every character is NFKC-inert (ASCII, accented Latin, common
    /// punctuation: the usual case). A line holding a character that is not is normalised first
    /// and scanned again, on its own: words never cross a line end, and NFKC neither reorders nor
    /// composes across one (`\n` is a starter that composes with nothing), so the words are those
    /// of the whole text normalised, without normalising a whole book for one combining accent.
    pub fn words(&mut self, text: &str, out: &mut Vec<u64>) {
        let mark = out.len();
        if let Err(bad) = scan_inert(text, out) {
            out.truncate(mark);
            self.words_with_nfkc(text, bad, out);
        }
    }

    /// [`Tokenizer::words`] of a text whose character at byte `bad` is not NFKC-inert.
    #[cold]
    fn words_with_nfkc(&mut self, text: &str, mut bad: usize, out: &mut Vec<u64>) {
        let mut rest = text;
        loop {
            // The lines before the one holding `bad` are all inert: scanned again (the
            // interrupted pass's words were dropped with its unfinished last word), then that
            // line alone is normalised. At most twice the inert text, and only on this path.
            let bytes = rest.as_bytes();
            let line_start = memchr::memrchr(b'\n', &bytes[..bad]).map_or(0, |i| i + 1);
            let line_end = memchr::memchr(b'\n', &bytes[bad..]).map_or(rest.len(), |i| bad + i);
            let inert = scan_inert(&rest[..line_start], out);
            debug_assert!(inert.is_ok());
            self.normalised(&rest[line_start..line_end], out);
            rest = &rest[line_end..];
            let mark = out.len();
            match scan_inert(rest, out) {
                Ok(()) => return,
                Err(next) => {
                    out.truncate(mark);
                    bad = next;
                }
            }
        }
    }

    /// Words of `text` after NFKC.
    fn normalised(&mut self, text: &str, out: &mut Vec<u64>) {
        let mut nfkc = std::mem::take(&mut self.nfkc);
        nfkc.clear();
        nfkc.extend(text.nfkc());
        scan_chars(&nfkc, out);
        self.nfkc = nfkc;
    }
}

/// Lower-cased ASCII alphanumerics; 0 for every other byte (separators and non-ASCII).
static ASCII_WORD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

/// Scans `text` on the assumption that NFKC leaves it unchanged. Stops at the first character
/// for which that is not certain, with its byte offset, leaving partial output behind.
#[inline(always)]
fn scan_inert(text: &str, out: &mut Vec<u64>) -> Result<(), usize> {
    let bytes = text.as_bytes();
    let classes = class_table();
    let mut word = WordHasher::new();
    let mut i = 0;
    while i < bytes.len() {
        if word.is_empty() && bytes[i] < 0x80 {
            let next = ascii_block(bytes, i, &mut word, out);
            if next > i {
                i = next;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x80 {
            if ASCII_WORD[b as usize] == 0 {
                if !word.is_empty() {
                    out.push(word.finish());
                }
                i += 1;
                continue;
            }
            // The usual word: under eight ASCII alphanumerics and an ASCII separator, all in the
            // next eight bytes. Hashed from one load, and the separator is passed over too.
            if word.is_empty() {
                if let Some(&chunk) = bytes[i..].first_chunk::<8>() {
                    let x = u64::from_le_bytes(chunk);
                    let stop = !alnum_bits(x) & SWAR_HIGH;
                    let run = (stop.trailing_zeros() / 8) as usize;
                    // `run` is 8 when the chunk is all alphanumerics; the stop byte must be ASCII,
                    // or the word may go on with a non-ASCII letter.
                    if run < 8 && (x >> (8 * run)) & 0x80 == 0 {
                        out.push(WordHasher::short_ascii(x, run));
                        i += run + 1;
                        continue;
                    }
                }
            }
            // A run of ASCII alphanumerics, hashed eight bytes at a time.
            let run = ascii_alnum_run(&bytes[i..]);
            word.push_ascii_alnum(&bytes[i..], run);
            i += run;
            continue;
        }
        // A multi-byte character: `i` is on a boundary because every step moves by whole chars.
        let c = text[i..].chars().next().unwrap_or_default();
        let class = classes.of(c);
        if class & INERT == 0 {
            return Err(i);
        }
        classified_char(c, class, &mut word, out);
        i += c.len_utf8();
    }
    if !word.is_empty() {
        out.push(word.finish());
    }
    Ok(())
}

/// Bytes classified at once by [`ascii_block`].
const BLOCK: usize = 64;

/// Hashes the words of the ASCII text at `bytes[at..]`, up to [`BLOCK`] bytes of it, from one
/// bit mask of its alphanumerics: no branch per byte, and none per word but the loop's. Returns
/// where the scan goes on: past the block; at a word that may go on past it (read again from its
/// start); or at the first non-ASCII byte, with the ASCII start of a word it cuts already in
/// `word`. Returns `at` when it read nothing (the text there is not ASCII, or one word fills the
/// block): the caller then steps on a character at a time.
#[inline]
fn ascii_block(bytes: &[u8], at: usize, word: &mut WordHasher, out: &mut Vec<u64>) -> usize {
    debug_assert!(word.is_empty());
    let rest = &bytes[at..];
    let n = rest.len().min(BLOCK);
    // The block, zero-padded (zero is a separator) so that sixteen bytes can be loaded from any
    // place in it.
    let mut window = [0u8; BLOCK + 16];
    window[..n].copy_from_slice(&rest[..n]);
    // Sixteen bytes at a time, up to the first non-ASCII byte (`limit`).
    let (mut alnum, mut limit) = (0u64, 0usize);
    while limit < n {
        let (chunk_alnum, high) = classify16(lane16(&window[limit..]));
        let ascii = if high == 0 {
            (n - limit).min(16)
        } else {
            high.trailing_zeros() as usize
        };
        alnum |= (u64::from(chunk_alnum) & below(ascii)) << limit;
        limit += ascii;
        if ascii < 16 {
            break;
        }
    }
    let before = alnum << 1;
    let mut starts = alnum & !before;
    // A word ends at an ASCII separator before `limit`, or at the end of the text; not at a
    // non-ASCII byte (it may be a letter of the word) nor at the block's end.
    let at_text_end = limit == rest.len();
    let mut ends = !alnum & before & below(limit + usize::from(at_text_end));
    // Starts and ends alternate, a start first: the block opens outside a word.
    while ends != 0 {
        let s = starts.trailing_zeros() as usize;
        let e = ends.trailing_zeros() as usize;
        out.push(ascii_word(&window[s..], e - s));
        starts &= starts - 1;
        ends &= ends - 1;
    }
    if starts == 0 {
        return at + limit;
    }
    let open = starts.trailing_zeros() as usize;
    if limit < BLOCK && !at_text_end {
        // Cut by a non-ASCII byte: the word goes on in the caller's hands.
        word.push_ascii_alnum(&window[open..], limit - open);
        at + limit
    } else {
        at + open
    }
}

/// Per byte of `chunk`, as bits 0 to 15: whether it is an ASCII alphanumeric (exact for the
/// bytes before the first non-ASCII one only), and whether it is not ASCII.
#[inline]
fn classify16(chunk: [u8; 16]) -> (u32, u32) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    // SAFETY: the build enables SSE2 (the `cfg` above: every x86-64 CPU has it), which is the
    // only requirement of the function.
    return unsafe { classify16_sse2(chunk) };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    classify16_swar(chunk)
}

/// [`classify16`] with SSE2: two signed range compares and a `movemask` for 16 bytes at once.
/// Bytes from 0x80 are negative as `i8`, so outside both ranges.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn classify16_sse2(chunk: [u8; 16]) -> (u32, u32) {
    use std::arch::x86_64::*;
    let [lo, hi] = [&chunk[..8], &chunk[8..]].map(|half| {
        let mut b = [0u8; 8];
        b.copy_from_slice(half);
        i64::from_le_bytes(b)
    });
    let x = _mm_set_epi64x(hi, lo);
    let digit = _mm_and_si128(
        _mm_cmpgt_epi8(x, _mm_set1_epi8(b'0' as i8 - 1)),
        _mm_cmplt_epi8(x, _mm_set1_epi8(b'9' as i8 + 1)),
    );
    let folded = _mm_or_si128(x, _mm_set1_epi8(0x20));
    let letter = _mm_and_si128(
        _mm_cmpgt_epi8(folded, _mm_set1_epi8(b'a' as i8 - 1)),
        _mm_cmplt_epi8(folded, _mm_set1_epi8(b'z' as i8 + 1)),
    );
    let alnum = _mm_movemask_epi8(_mm_or_si128(digit, letter)) as u32;
    (alnum, _mm_movemask_epi8(x) as u32)
}

/// [`classify16`] without vector instructions: eight bytes at a time in a 64-bit word.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn classify16_swar(chunk: [u8; 16]) -> (u32, u32) {
    let [lo, hi] = [&chunk[..8], &chunk[8..]].map(|half| {
        let mut b = [0u8; 8];
        b.copy_from_slice(half);
        u64::from_le_bytes(b)
    });
    let mask = |f: fn(u64) -> u64| (byte_mask(f(lo)) | byte_mask(f(hi)) << 8) as u32;
    (mask(alnum_bits), mask(|x| x & SWAR_HIGH))
}

/// The first sixteen bytes of `from` (zero-padded).
#[inline]
fn lane16(from: &[u8]) -> [u8; 16] {
    match from.first_chunk::<16>() {
        Some(chunk) => *chunk,
        None => {
            let mut chunk = [0u8; 16];
            chunk[..from.len()].copy_from_slice(from);
            chunk
        }
    }
}

/// The hash of the word of the first `len` bytes of `from`, all ASCII alphanumerics: from one
/// or two 8-byte loads under sixteen bytes.
#[inline]
fn ascii_word(from: &[u8], len: usize) -> u64 {
    match from.first_chunk::<16>() {
        Some(chunk) if len < 16 => {
            let [a, b] = [0, 8].map(|i| {
                let mut lane = [0u8; 8];
                lane.copy_from_slice(&chunk[i..i + 8]);
                u64::from_le_bytes(lane)
            });
            if len < 8 {
                WordHasher::short_ascii(a, len)
            } else {
                WordHasher::two_lanes(a, b, len)
            }
        }
        _ => {
            let mut word = WordHasher::new();
            word.push_ascii_alnum(from, len);
            word.finish()
        }
    }
}

/// The high bits of the eight bytes of `x` (all its other bits clear) as the low eight bits of
/// the result, byte 0's first: each lands alone on bit 56 + its byte number, without carries.
#[inline]
fn byte_mask(x: u64) -> u64 {
    (x >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The `k` lowest bits set (all of them from 64 on).
#[inline]
fn below(k: usize) -> u64 {
    if k >= 64 {
        u64::MAX
    } else {
        (1 << k) - 1
    }
}

/// Length of the run of ASCII alphanumerics that `bytes` starts with, eight bytes at a time
/// (SWAR: every byte of a 64-bit word classified at once), so that the end of a word costs one
/// branch rather than one per byte.
#[inline]
fn ascii_alnum_run(bytes: &[u8]) -> usize {
    const H: u64 = SWAR_HIGH;
    let mut run = 0;
    while let Some(&chunk) = bytes[run..].first_chunk::<8>() {
        let alnum = alnum_bits(u64::from_le_bytes(chunk));
        if alnum != H {
            return run + ((!alnum & H).trailing_zeros() / 8) as usize;
        }
        run += 8;
    }
    run + bytes[run..]
        .iter()
        .position(|&b| b >= 0x80 || ASCII_WORD[b as usize] == 0)
        .unwrap_or(bytes.len() - run)
}

/// The high bit of each byte of the 64-bit chunk `x` (little-endian) set where that byte is an
/// ASCII alphanumeric, every other bit clear.
#[inline]
fn alnum_bits(x: u64) -> u64 {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = SWAR_HIGH;
    // For bytes below 0x80: high bit set where lo <= byte (ge) or byte <= hi (le).
    let ge = |x: u64, lo: u8| (x | H).wrapping_sub(L * lo as u64) & H;
    let le = |x: u64, hi: u8| ((L * hi as u64) | H).wrapping_sub(x) & H;
    let folded = x | (L * 0x20);
    let ascii = !x & H;
    ascii & ((ge(x, b'0') & le(x, b'9')) | (ge(folded, b'a') & le(folded, b'z')))
}

const SWAR_HIGH: u64 = 0x8080_8080_8080_8080;

/// Scans already-normalised text character by character.
fn scan_chars(text: &str, out: &mut Vec<u64>) {
    let classes = class_table();
    let mut word = WordHasher::new();
    for c in text.chars() {
        if c.is_ascii() {
            let lower = ASCII_WORD[c as usize];
            if lower != 0 {
                word.push(lower);
            } else if !word.is_empty() {
                out.push(word.finish());
            }
            continue;
        }
        // From the class table, as in `scan_inert`: the Unicode properties are looked up
        // once per character of the table, not at every occurrence.
        classified_char(c, classes.of(c), &mut word, out);
    }
    if !word.is_empty() {
        out.push(word.finish());
    }
}

/// Adds the non-ASCII character `c` of class `class` to the word (lower-cased) or ends the word.
#[inline(always)]
fn classified_char(c: char, class: u32, word: &mut WordHasher, out: &mut Vec<u64>) {
    if class & ALNUM == 0 {
        if !word.is_empty() {
            out.push(word.finish());
        }
    } else if class & SIMPLE_LOWER != 0 {
        let lower = char::from_u32(class & LOWER_MASK).unwrap_or(c);
        let mut buf = [0u8; 4];
        for &b in lower.encode_utf8(&mut buf).as_bytes() {
            word.push(b);
        }
    } else {
        word_char(c, word, out);
    }
}

/// Adds a non-ASCII character to the word (lower-cased) or ends the word.
#[inline]
fn word_char(c: char, word: &mut WordHasher, out: &mut Vec<u64>) {
    if c.is_alphanumeric() {
        let mut buf = [0u8; 4];
        for l in c.to_lowercase() {
            for &b in l.encode_utf8(&mut buf).as_bytes() {
                word.push(b);
            }
        }
    } else if !word.is_empty() {
        out.push(word.finish());
    }
}

/// Class bits of a character (see [`compute_class`]).
const INERT: u32 = 1 << 31;
const ALNUM: u32 = 1 << 30;
/// Lower-cases to the single character in the low bits.
const SIMPLE_LOWER: u32 = 1 << 29;
const LOWER_MASK: u32 = (1 << 21) - 1;

/// What the tokenizer needs to know of `c`, from a table built once for the characters below
/// U+10000 (the Basic Multilingual Plane: every living script, CJK and Hangul included),
/// computed for the others: whether it is NFKC-inert ([`is_inert`]), alphanumeric, and its lower
/// case when that is one character.
#[cfg(test)]
fn class_of(c: char) -> u32 {
    class_table().of(c)
}

/// The classes of the characters of the Basic Multilingual Plane, each computed on first use (0:
/// not yet). 256 KB of zeroes until used: only the pages of the scripts a corpus uses are touched.
fn class_table() -> &'static ClassTable {
    static CLASSES: ClassTable = ClassTable([const { AtomicU32::new(0) }; TABLE]);
    &CLASSES
}

const TABLE: usize = 0x1_0000;
/// Marks a computed entry of the class table.
const KNOWN: u32 = 1 << 28;

struct ClassTable([AtomicU32; TABLE]);

impl ClassTable {
    /// The class of `c`: from the table, or computed above it.
    #[inline(always)]
    fn of(&self, c: char) -> u32 {
        match self.get(c as usize) {
            Some(class) => class,
            None => compute_class(c),
        }
    }

    /// The class of `c`, or `None` above the table.
    #[inline]
    fn get(&self, c: usize) -> Option<u32> {
        let slot = self.0.get(c)?;
        let class = slot.load(Ordering::Relaxed);
        if class != 0 {
            return Some(class);
        }
        let class = char::from_u32(c as u32).map_or(0, compute_class) | KNOWN;
        slot.store(class, Ordering::Relaxed);
        Some(class)
    }
}

fn compute_class(c: char) -> u32 {
    let mut class = 0;
    if check_inert(c) {
        class |= INERT;
    }
    if c.is_alphanumeric() {
        class |= ALNUM;
    }
    let mut lower = c.to_lowercase();
    if let (Some(l), None) = (lower.next(), lower.next()) {
        class |= SIMPLE_LOWER | l as u32;
    }
    class
}

/// True when NFKC cannot change the words around `c`: either NFKC leaves `c` as it is and cannot
/// combine it with its neighbours (quick-check Yes, canonical combining class 0), or `c` is a
/// separator that NFKC turns into other separators only (a no-break space, `…`).
#[cfg(test)]
fn is_inert(c: char) -> bool {
    class_of(c) & INERT != 0
}

fn check_inert(c: char) -> bool {
    use unicode_normalization::char::canonical_combining_class as ccc;
    if ccc(c) != 0 || is_composing_starter(c) {
        return false;
    }
    match is_nfkc_quick(std::iter::once(c)) {
        IsNormalized::Yes => true,
        IsNormalized::Maybe => false,
        IsNormalized::No => {
            !c.is_alphanumeric()
                && std::iter::once(c)
                    .nfkc()
                    .all(|d| !d.is_alphanumeric() && ccc(d) == 0)
        }
    }
}

/// Starters that NFKC can compose with a preceding character (Hangul vowel and trailing jamo,
/// and a few others flagged "maybe" by the quick check are already excluded by it).
fn is_composing_starter(c: char) -> bool {
    matches!(c as u32, 0x1161..=0x1175 | 0x11A8..=0x11C2)
}

/// Hash of one normalised word, fed its lower-cased UTF-8 bytes one at a time. Bytes are packed
/// eight to a 64-bit lane, and each full lane is folded in with one multiply; the length and a
/// SplitMix64 finaliser close it. Every path (ASCII, inert, normalised) feeds the same bytes,
/// so a word has one hash whatever path read it.
#[derive(Clone, Copy)]
struct WordHasher {
    state: u64,
    lane: u64,
    len: u32,
}

impl WordHasher {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    #[inline]
    fn new() -> Self {
        WordHasher {
            state: 0,
            lane: 0,
            len: 0,
        }
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn push(&mut self, b: u8) {
        self.lane |= (b as u64) << ((self.len & 7) * 8);
        self.len += 1;
        if self.len & 7 == 0 {
            self.state = (self.state ^ self.lane)
                .wrapping_mul(Self::K)
                .rotate_left(29);
            self.lane = 0;
        }
    }

    /// Pushes the ASCII alphanumerics `from[..run]`, lower-casing them: for these bytes (digits
    /// and letters), setting bit 0x20 is exactly `to_ascii_lowercase`. Same result as pushing
    /// them one by one; bytes of `from` past `run` may be read (and masked off), never used.
    #[inline]
    fn push_ascii_alnum(&mut self, from: &[u8], run: usize) {
        const LOWER: u64 = 0x2020_2020_2020_2020;
        if self.len & 7 != 0 {
            for &b in &from[..run] {
                self.push(b | 0x20);
            }
            return;
        }
        let mut k = 0;
        while let Some(&chunk) = from[k..run].first_chunk::<8>() {
            let lane = u64::from_le_bytes(chunk);
            self.state = (self.state ^ (lane | LOWER))
                .wrapping_mul(Self::K)
                .rotate_left(29);
            k += 8;
        }
        let rest = run - k;
        if rest == 0 {
        } else if let Some(&chunk) = from[k..].first_chunk::<8>() {
            // Fewer than eight bytes left, into an empty lane: one masked load.
            let lane = u64::from_le_bytes(chunk);
            self.lane = (lane | LOWER) & (u64::MAX >> (64 - 8 * rest));
        } else {
            for (n, &b) in from[k..run].iter().enumerate() {
                self.lane |= ((b | 0x20) as u64) << (8 * n);
            }
        }
        self.len += run as u32;
    }

    /// The hash of the word of the first `run` (1 to 7) bytes of the chunk `x`, all ASCII
    /// alphanumerics: what pushing them into a new hasher and finishing gives, from one load.
    #[inline]
    fn short_ascii(x: u64, run: usize) -> u64 {
        const LOWER: u64 = 0x2020_2020_2020_2020;
        debug_assert!((1..8).contains(&run));
        let lane = (x | LOWER) & (u64::MAX >> (64 - 8 * run));
        mix(lane ^ ((run as u64) << 56).wrapping_mul(Self::K))
    }

    /// The hash of the word of the 8 bytes of `a` and the first `len - 8` (0 to 7) of `b`, all
    /// ASCII alphanumerics: what pushing them into a new hasher and finishing gives.
    #[inline]
    fn two_lanes(a: u64, b: u64, len: usize) -> u64 {
        const LOWER: u64 = 0x2020_2020_2020_2020;
        debug_assert!((8..16).contains(&len));
        let state = (a | LOWER).wrapping_mul(Self::K).rotate_left(29);
        let lane = (b | LOWER) & below(8 * (len - 8));
        mix(state ^ lane ^ ((len as u64) << 56).wrapping_mul(Self::K))
    }

    /// The word's hash; resets the hasher for the next word.
    #[inline]
    fn finish(&mut self) -> u64 {
        let h = mix(self.state ^ self.lane ^ ((self.len as u64) << 56).wrapping_mul(Self::K));
        *self = WordHasher::new();
        h
    }
}

/// Hash of one normalised word (lower-case UTF-8), as the tokenizer computes it.
pub fn hash_word(word: &[u8]) -> u64 {
    let mut h = WordHasher::new();
    for &b in word {
        h.push(b);
    }
    h.finish()
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
    fn a_word_has_one_hash_on_every_path() {
        assert_eq!(words("Ｃafé"), vec![hash_word("café".as_bytes())]);
        assert_eq!(words("CAFÉ"), vec![hash_word("café".as_bytes())]);
        assert_eq!(words("cafe\u{301}"), vec![hash_word("café".as_bytes())]);
        let long = "Anticonstitutionnellement-Été-".repeat(5);
        let expect: Vec<u64> = long
            .split('-')
            .filter(|w| !w.is_empty())
            .map(|w| hash_word(w.to_lowercase().as_bytes()))
            .collect();
        assert_eq!(words(&long), expect);
    }

    #[test]
    fn inert_table_is_conservative() {
        for c in ['²', 'ﬁ', '\u{301}', 'Ａ', '½', '™', '\u{1161}', '¨', '①'] {
            assert!(!is_inert(c), "{c:?}");
        }
        for c in [
            'é', 'É', 'ç', '’', '«', '—', '€', 'я', '中', '\u{a0}', '\u{202f}', '…',
        ] {
            assert!(is_inert(c), "{c:?}");
        }
    }

    #[test]
    fn separators_that_nfkc_rewrites_still_separate() {
        assert_eq!(words("a\u{a0}b…c\u{202f}d"), words("a b c d"));
        assert_eq!(words("x¨y"), words("x y"));
    }

    #[test]
    fn hashes_differ_by_length_and_content() {
        let ws = [
            "a",
            "aa",
            "aaaaaaaa",
            "aaaaaaaaa",
            "ab",
            "ba",
            "12345678",
            "123456780",
        ];
        for (i, a) in ws.iter().enumerate() {
            for b in &ws[i + 1..] {
                assert_ne!(hash_word(a.as_bytes()), hash_word(b.as_bytes()), "{a} {b}");
            }
        }
    }

    /// The specification, written the slow and obvious way.
    fn reference(text: &str) -> Vec<u64> {
        let nfkc: String = text.nfkc().collect();
        nfkc.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            // Character by character (no final-sigma rule), as the tokenizer lower-cases.
            .map(|w| {
                hash_word(
                    w.chars()
                        .flat_map(char::to_lowercase)
                        .collect::<String>()
                        .as_bytes(),
                )
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn alnum_runs_match_the_byte_loop(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let expect = bytes
                .iter()
                .position(|&b| !b.is_ascii_alphanumeric())
                .unwrap_or(bytes.len());
            proptest::prop_assert_eq!(ascii_alnum_run(&bytes), expect);
        }

        #[test]
        fn fast_paths_match_the_specification(
            text in "[a-zA-Z0-9 ,.'\\-]{0,40}|[a-zA-Zé É0-9\u{a0}’ﬁ²\u{301}ÀÇ…Ａ\n\t]{0,60}|\\PC{0,30}"
        ) {
            proptest::prop_assert_eq!(words(&text), reference(&text));
        }

        /// Texts longer than a block, with words that cross its end, fill it, or run into a
        /// non-ASCII letter, and texts that end mid-word.
        #[test]
        fn the_block_scanner_matches_the_specification(
            text in "(([a-zA-Z0-9]{1,17}|[a-z]{60,70}|[éÀ’Ａ\u{301}]|[a-z]{3}é[a-z]{2})[ ,.\n\u{a0}]{0,3}){0,40}",
            skip in 0usize..70,
        ) {
            proptest::prop_assert_eq!(words(&text), reference(&text));
            // Every start offset, so that blocks begin at every place in a word.
            let from = text.char_indices().map(|(i, _)| i).find(|&i| i >= skip).unwrap_or(text.len());
            proptest::prop_assert_eq!(words(&text[from..]), reference(&text[from..]));
        }

        #[test]
        fn both_classifiers_agree(chunk in proptest::array::uniform16(proptest::num::u8::ANY)) {
            let alnum = (0..16).fold(0u32, |m, k| m | u32::from(chunk[k].is_ascii_alphanumeric()) << k);
            let high = (0..16).fold(0u32, |m, k| m | u32::from(!chunk[k].is_ascii()) << k);
            // Only the bytes before the first non-ASCII one are read.
            let ascii = if high == 0 { u32::MAX } else { (1 << high.trailing_zeros()) - 1 };
            for (a, h) in [classify16(chunk), classify16_swar(chunk)] {
                proptest::prop_assert_eq!((a & ascii, h), (alnum & ascii, high));
            }
        }

        #[test]
        fn byte_masks_gather_the_high_bits(x in proptest::num::u64::ANY) {
            let expect = (0..8).fold(0u64, |m, k| m | ((x >> (8 * k + 7)) & 1) << k);
            proptest::prop_assert_eq!(byte_mask(x & SWAR_HIGH), expect);
        }
    }

    #[test]
    fn only_the_lines_that_need_nfkc_are_normalised_and_the_words_are_the_same() {
        // A ligature mid-text, a combining accent opening a line (it cannot reach back across
        // the line end), `<` + U+0338 (which NFKC composes into `≮`), half-width kana at the end.
        let text = "plain first line\nthe ﬁrst e\u{301}te\u{301}\n\u{301}accent opens\na \u{3c}\u{338} b\nend ﾀﾜｰ";
        assert_eq!(words(text), reference(text));
        let mut per_line = Vec::new();
        for line in text.split('\n') {
            Tokenizer::new().words(line, &mut per_line);
        }
        assert_eq!(words(text), per_line);
    }

    #[test]
    fn cjk_and_hangul_read_from_the_table_as_computed() {
        // Ideographs, kana, Hangul syllables and half-width kana (which NFKC widens), each
        // twice, so that the second time reads the class table the first filled.
        let text = "東京タワー 한국어 가 ﾀﾜｰ。東京タワー 한국어 가 ﾀﾜｰ";
        assert_eq!(words(text), reference(text));
        assert_eq!(words(text).len(), 8);
    }

    #[test]
    fn digits_are_kept() {
        assert_ne!(words("12 cts"), words("10 cts"));
    }
}
