//! The ASCII fast path of the tokenizer: ASCII text in, its word hashes out ([`ascii_words`]),
//! a 64-byte block at a time from one bit mask of its alphanumerics. The block is classified
//! 16 bytes at a time, with SSE2 on x86-64 (one of the crate's two `unsafe` calls, the other in
//! `furniture::chars`) and with 64-bit words (SWAR) elsewhere; runs of alphanumerics are
//! measured eight bytes at a time.

use super::hasher::WordHasher;

/// Lower-cased ASCII alphanumerics; 0 for every other byte (separators and non-ASCII). 256
/// entries, so that any byte indexes it without a bounds check.
pub(crate) static ASCII_WORD: [u8; 256] = {
    let mut t = [0u8; 256];
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

/// Bytes classified at once by [`ascii_words`].
pub(super) const BLOCK: usize = 64;

/// A block and the sixteen bytes after it: a word that starts in the block and ends in it is
/// hashed from loads at its start.
const WINDOW: usize = BLOCK + 16;

/// Hashes the words of the ASCII text from `bytes[at..]` on, a [`BLOCK`] at a time, each from
/// one bit mask of its alphanumerics: no branch per byte, and none per word but the loop's.
/// Blocks are read in place while a whole [`WINDOW`] is left, the last one from a zero-padded
/// copy. Returns where the scan goes on: at the end of the text; at the first non-ASCII byte,
/// with the ASCII start of a word it cuts already in `word`; or at a word that fills a block.
/// Returns `at` when it read nothing (the text there is not ASCII, or one word fills the
/// block): the caller then steps on a character at a time.
// Inlined into the scan: most calls read one or two blocks (lines are short), so the call
// itself would be a large share of their cost.
#[inline(always)]
pub(super) fn ascii_words(
    bytes: &[u8],
    at: usize,
    word: &mut WordHasher,
    out: &mut Vec<u64>,
) -> usize {
    debug_assert!(word.is_empty());
    let mut at = at;
    let mut padded;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let window = match rest.first_chunk::<WINDOW>() {
            Some(window) => window,
            None => {
                // Zero is a separator: it ends the word the text ends with, if the text ends
                // in the block.
                padded = [0u8; WINDOW];
                padded[..rest.len()].copy_from_slice(rest);
                &padded
            }
        };
        let step = block_words(window, word, out);
        at += step.read.min(rest.len());
        if !step.go_on {
            break;
        }
    }
    at
}

/// What [`block_words`] read of its block, and whether the text after it is ASCII to read on.
struct Step {
    read: usize,
    go_on: bool,
}

/// Hashes the words of the block at the start of `window` up to its first non-ASCII byte. A
/// word that may go on past the block is left to the next block, which starts at it; a word
/// cut by a non-ASCII byte is left in `word`.
#[inline(always)]
fn block_words(window: &[u8; WINDOW], word: &mut WordHasher, out: &mut Vec<u64>) -> Step {
    let (alnum, high) = classify64(window);
    // The bytes before the first non-ASCII one.
    let ascii = !high & high.wrapping_sub(1);
    let alnum = alnum & ascii;
    let before = alnum << 1;
    let mut starts = alnum & !before;
    // A word ends at an ASCII separator; not at a non-ASCII byte (it may be a letter of the
    // word) nor at the block's end.
    let mut ends = !alnum & before & ascii;
    // Starts and ends alternate, a start first: the block opens outside a word.
    while ends != 0 {
        let s = starts.trailing_zeros() as usize;
        let e = ends.trailing_zeros() as usize;
        out.push(ascii_word(window, s, e - s));
        starts &= starts - 1;
        ends &= ends - 1;
    }
    let limit = high.trailing_zeros() as usize;
    let whole = limit == BLOCK;
    if starts == 0 {
        return Step {
            read: limit,
            go_on: whole,
        };
    }
    let open = starts.trailing_zeros() as usize;
    if whole {
        // The word may go on past the block: read again from its start.
        Step {
            read: open,
            go_on: open > 0,
        }
    } else {
        // Cut by a non-ASCII byte: the word goes on in the caller's hands.
        word.push_ascii_alnum(&window[open..], limit - open);
        Step {
            read: limit,
            go_on: false,
        }
    }
}

/// Per byte of the first [`BLOCK`] bytes of `window`, as bits 0 to 63: whether it is an ASCII
/// alphanumeric (exact for the bytes before the first non-ASCII one only), and whether it is
/// not ASCII.
#[inline(always)]
fn classify64(window: &[u8; WINDOW]) -> (u64, u64) {
    let (mut alnum, mut high) = (0u64, 0u64);
    for k in 0..BLOCK / 16 {
        let (a, h) = classify16(lane16(&window[16 * k..]));
        alnum |= u64::from(a) << (16 * k);
        high |= u64::from(h) << (16 * k);
    }
    (alnum, high)
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
pub(super) fn classify16_swar(chunk: [u8; 16]) -> (u32, u32) {
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

/// The hash of the word of the `len` bytes of `window` from `s` (a place in the block), all
/// ASCII alphanumerics: from one or two 8-byte loads under sixteen bytes.
#[inline(always)]
fn ascii_word(window: &[u8; WINDOW], s: usize, len: usize) -> u64 {
    if len >= 16 {
        return long_ascii_word(&window[s..], len);
    }
    let lane = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&window[s + i..s + i + 8]);
        u64::from_le_bytes(b)
    };
    if len < 8 {
        WordHasher::short_ascii(lane(0), len)
    } else {
        WordHasher::two_lanes(lane(0), lane(8), len)
    }
}

/// [`ascii_word`] of a word of sixteen bytes or more: rare, kept out of the loop over words.
#[cold]
#[inline(never)]
fn long_ascii_word(from: &[u8], len: usize) -> u64 {
    let mut word = WordHasher::new();
    word.push_ascii_alnum(from, len);
    word.finish()
}

/// The high bits of the eight bytes of `x` (all its other bits clear) as the low eight bits of
/// the result, byte 0's first: each lands alone on bit 56 + its byte number, without carries.
#[inline]
fn byte_mask(x: u64) -> u64 {
    (x >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Length of the run of ASCII alphanumerics that `bytes` starts with, eight bytes at a time
/// (SWAR: every byte of a 64-bit word classified at once), so that the end of a word costs one
/// branch rather than one per byte.
#[inline]
pub(super) fn ascii_alnum_run(bytes: &[u8]) -> usize {
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
pub(super) fn alnum_bits(x: u64) -> u64 {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = SWAR_HIGH;
    // For bytes below 0x80: high bit set where lo <= byte (ge) or byte <= hi (le).
    let ge = |x: u64, lo: u8| (x | H).wrapping_sub(L * lo as u64) & H;
    let le = |x: u64, hi: u8| ((L * hi as u64) | H).wrapping_sub(x) & H;
    let folded = x | (L * 0x20);
    let ascii = !x & H;
    ascii & ((ge(x, b'0') & le(x, b'9')) | (ge(folded, b'a') & le(folded, b'z')))
}

pub(super) const SWAR_HIGH: u64 = 0x8080_8080_8080_8080;

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
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
}
