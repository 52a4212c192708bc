//! Word and key hashes: a normalised word's lower-cased UTF-8 bytes in, its 64-bit hash out
//! ([`WordHasher`], with shortcuts for ASCII words read in 8-byte lanes), and the order-sensitive
//! hash of a sequence of word hashes (the matching key of a line or a document).

/// Hash of one normalised word, fed its lower-cased UTF-8 bytes one at a time. Bytes are packed
/// eight to a 64-bit lane, and each full lane is folded in with one multiply; the length and a
/// SplitMix64 finaliser close it. Every path (ASCII, inert, normalised) feeds the same bytes,
/// so a word has one hash whatever path read it.
#[derive(Clone, Copy)]
pub(super) struct WordHasher {
    state: u64,
    lane: u64,
    len: u32,
    /// The word is one letter of a script written without spaces (and its marks): any other
    /// letter ends it.
    letter: bool,
}

impl WordHasher {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    #[inline]
    pub(super) fn new() -> Self {
        WordHasher {
            state: 0,
            lane: 0,
            len: 0,
            letter: false,
        }
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the word is one letter of a script written without spaces.
    #[inline]
    pub(super) fn is_letter(&self) -> bool {
        self.letter
    }

    /// Marks the word as one such letter.
    #[inline]
    pub(super) fn set_letter(&mut self) {
        self.letter = true;
    }

    #[inline]
    pub(super) fn push(&mut self, b: u8) {
        self.lane |= (b as u64) << ((self.len & 7) * 8);
        self.len += 1;
        if self.len & 7 == 0 {
            self.state = (self.state ^ self.lane)
                .wrapping_mul(Self::K)
                .rotate_left(29);
            self.lane = 0;
        }
    }

    /// Pushes the `n` (1 to 4) bytes packed little-endian in `bytes` (the bytes above them zero):
    /// the same as pushing them one by one, with one shift into the lane.
    #[inline]
    pub(super) fn push_utf8(&mut self, bytes: u32, n: u32) {
        debug_assert!((1..=4).contains(&n) && u64::from(bytes) >> (8 * n) == 0);
        let used = self.len & 7;
        let shift = used * 8;
        self.lane |= u64::from(bytes) << shift;
        self.len += n;
        if used + n >= 8 {
            // The lane is full (`shift` is at least 32 here): fold it, keep the bytes past it.
            self.state = (self.state ^ self.lane)
                .wrapping_mul(Self::K)
                .rotate_left(29);
            self.lane = u64::from(bytes) >> (64 - shift);
        }
    }

    /// Pushes the ASCII alphanumerics `from[..run]`, lower-casing them: for these bytes (digits
    /// and letters), setting bit 0x20 is exactly `to_ascii_lowercase`. Same result as pushing
    /// them one by one; bytes of `from` past `run` may be read (and masked off), never used.
    #[inline]
    pub(super) fn push_ascii_alnum(&mut self, from: &[u8], run: usize) {
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
    pub(super) fn short_ascii(x: u64, run: usize) -> u64 {
        const LOWER: u64 = 0x2020_2020_2020_2020;
        debug_assert!((1..8).contains(&run));
        let lane = (x | LOWER) & LOW_BYTES[run & 7];
        mix(lane ^ ((run as u64) << 56).wrapping_mul(Self::K))
    }

    /// The hash of the word of the 8 bytes of `a` and the first `len - 8` (0 to 7) of `b`, all
    /// ASCII alphanumerics: what pushing them into a new hasher and finishing gives.
    #[inline]
    pub(super) fn two_lanes(a: u64, b: u64, len: usize) -> u64 {
        const LOWER: u64 = 0x2020_2020_2020_2020;
        debug_assert!((8..16).contains(&len));
        let state = (a | LOWER).wrapping_mul(Self::K).rotate_left(29);
        let lane = (b | LOWER) & LOW_BYTES[len & 7];
        mix(state ^ lane ^ ((len as u64) << 56).wrapping_mul(Self::K))
    }

    /// The word's hash; resets the hasher for the next word.
    #[inline]
    pub(super) fn finish(&mut self) -> u64 {
        let h = mix(self.state ^ self.lane ^ ((self.len as u64) << 56).wrapping_mul(Self::K));
        *self = WordHasher::new();
        h
    }
}

/// The low `k` bytes of a 64-bit lane set, for `k` from 0 to 7: the bytes of a word in its
/// last lane, from a table rather than a shift by a variable count.
const LOW_BYTES: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut k = 1;
    while k < 8 {
        t[k] = u64::MAX >> (64 - 8 * k);
        k += 1;
    }
    t
};

/// Hash of one normalised word (lower-case UTF-8), as the tokenizer computes it.
pub fn hash_word(word: &[u8]) -> u64 {
    let mut h = WordHasher::new();
    for &b in word {
        h.push(b);
    }
    h.finish()
}

/// Order-sensitive hash of a sequence of word hashes: the matching key of a line or a document.
/// Four chains, each over every fourth word from its own seed, are mixed one after the other,
/// then the last words: the chains do not wait on each other, so a long sequence costs about
/// a quarter of one chain's latency per word. A chain's step is a multiply and a rotation (the
/// word hashes are uniform already): one-to-one in the chain and in the word, so sequences that
/// differ in one word never share a key.
pub fn hash_sequence(words: &[u64]) -> u64 {
    const SEEDS: [u64; 4] = [
        0x9e37_79b9_7f4a_7c15,
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
    ];
    let mut lanes = SEEDS;
    lanes[0] ^= words.len() as u64;
    let quads = words.chunks_exact(4);
    let rest = quads.remainder();
    for quad in quads {
        for (lane, &w) in lanes.iter_mut().zip(quad) {
            *lane = (*lane ^ w)
                .wrapping_mul(0x9fb2_1c65_1e98_df25)
                .rotate_left(29);
        }
    }
    let mut h = lanes[0];
    if words.len() >= 4 {
        for &lane in &lanes[1..] {
            h = mix(h ^ lane);
        }
    }
    for &w in rest {
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
