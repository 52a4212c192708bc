//! In-document repeats (detect stage): a document's segments and words in, one [`Echo`] per
//! segment out, saying which earlier segment it repeats, if any.
//!
//! A segment repeats an earlier one when
//! - its matching key is equal (same words after normalisation), or
//! - it has at least [`NEAR_MIN_WORDS`] words and its word-trigram set (letter 5-grams in a
//!   document read letter by letter, [`ngram`]) is nearly equal to an earlier segment's (Jaccard >= [`NEAR_JACCARD`]), or almost wholly contained in it
//!   (containment >= [`CONTAINMENT`]) while covering at least [`MIN_COVER`] of it: a copy with a
//!   few words cut. A sentence that merely occurs inside a much longer earlier block is not a
//!   repeat: on scraped pages that block is often a teaser or a whole article run together, and
//!   the later paragraph is the text a reader wants.
//!
//! The earlier copy is always the one kept. A repeated segment is never its own original, and
//! later copies point at the first occurrence, so `A A A` yields two echoes of the first `A`.
//!
//! Turning echoes into report spans (merging runs, telling furniture from paragraphs) happens in
//! [`crate::detect::assemble()`], once the corpus-wide boilerplate is known.

use crate::doc::normalize::Reading;
use crate::doc::paragraphs::Tokens;
use rustc_hash::FxHashMap as HashMap;
use std::collections::hash_map::Entry::{Occupied, Vacant};
use std::ops::Range;

/// Word n-gram size used for near repeats inside a document.
pub const NGRAM: usize = 3;
/// The n-gram size for a document read letter by letter: five letters weigh about what three
/// words do (a word of Chinese or Japanese is one to three characters, of Thai three to five
/// letters), so that two sentences that differ by one word are not near repeats.
pub const LETTER_NGRAM: usize = 5;

/// The n-gram size of near repeats in a document read as `reading`.
pub fn ngram(reading: Reading) -> usize {
    match reading {
        Reading::Words => NGRAM,
        Reading::Letters => LETTER_NGRAM,
    }
}
/// Segments shorter than this only match exactly.
pub const NEAR_MIN_WORDS: usize = 8;
/// Trigram Jaccard at which a segment nearly repeats an earlier one.
pub const NEAR_JACCARD: f64 = 0.8;
/// Share of a segment's trigrams found in one earlier segment at which it counts as contained.
pub const CONTAINMENT: f64 = 0.9;
/// Share of the earlier segment's trigrams a contained segment must cover.
pub const MIN_COVER: f64 = 0.5;
// `echoes_with` passes over an earlier segment that shares fewer than half of a segment's
// n-grams: right only while neither threshold is below one half.
const _: () = assert!(NEAR_JACCARD >= 0.5 && CONTAINMENT >= 0.5);
/// N-grams seen in more segments than this are skipped when looking for candidates.
const MAX_POSTINGS: usize = 64;

/// How a segment relates to the earlier text of its document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Echo {
    /// First occurrence (or not similar to anything earlier).
    Original,
    /// Repeats segment `of` (an index into the document's segments) with this similarity.
    Repeat { of: u32, similarity: f32 },
}

/// No posting: the end of a list in [`Postings`].
const NONE: u32 = u32::MAX;

/// For each n-gram, the original segments that contain it: singly linked lists in one arena, so
/// that indexing a segment allocates nothing per n-gram.
#[derive(Default)]
struct Postings {
    grams: GramTable,
    /// (segment, next) cells, at most one per n-gram of the document. A segment's cells follow
    /// those of every earlier segment: a list whose head is at or past the segment's first cell
    /// has met the n-gram in this segment already.
    cells: Vec<(u32, u32)>,
}

impl Postings {
    /// Empties the lists for a document whose segments to index have at most `grams` n-grams
    /// in all.
    fn reset(&mut self, grams: usize) -> Originals<'_> {
        // At most one cell per n-gram, too. A cell is written before it is linked, so the arena
        // is only grown, never cleared.
        if self.cells.len() < grams {
            self.cells.resize(grams, (0, NONE));
        }
        Originals {
            grams: self.grams.reset(grams),
            cells: &mut self.cells[..grams],
            used: 0,
        }
    }
}

/// The document's original segments so far, indexed by n-gram: [`Postings`] for one document.
struct Originals<'a> {
    grams: Grams<'a>,
    cells: &'a mut [(u32, u32)],
    /// Cells in use: those of the originals indexed so far.
    used: usize,
}

impl Originals<'_> {
    /// Indexes `segment` (of words `words`) as an original, counting in `shared` the n-grams
    /// each earlier original shares with it, and listing in `touched` the originals whose count
    /// it raised from 0. Returns the segment's cells, one per distinct n-gram, for
    /// [`Self::remove_last`] in case it turns out to be a repeat: indexing it at once takes one
    /// lookup per n-gram.
    ///
    /// Not inlined: its loop, one pass per n-gram of the document, then has the registers to
    /// itself instead of sharing them with the scoring around the call.
    #[inline(never)]
    fn add<const N: usize>(
        &mut self,
        segment: u32,
        words: &[u64],
        shared: &mut [u32],
        touched: &mut Vec<u32>,
    ) -> Range<usize> {
        let Originals { grams, cells, used } = self;
        let first = *used;
        // The next cell to fill.
        let mut free = first;
        if grams.slots.len() > CACHED_SLOTS {
            // A table larger than the caches: its slots for this segment are first read all
            // together, independent loads whose misses overlap, so that the pass below, whose
            // every step depends on the slot it reads, finds them in cache.
            grams.touch(words.array_windows::<N>().map(|w| gram_key(w)));
        }
        // A list whose head is one of these has met the n-gram in this segment already.
        let own_cells = first as u32..NONE;
        for w in words.array_windows::<N>() {
            let slot = match grams.entry(gram_key(w)) {
                // No earlier segment has this n-gram.
                Entry::Vacant(slot) => {
                    slot.insert(free as u32);
                    cells[free] = (segment, NONE);
                    free += 1;
                    continue;
                }
                Entry::Occupied(slot) => slot,
            };
            if own_cells.contains(&slot.head) {
                // Seen earlier in this segment.
                continue;
            }
            // An n-gram in very many segments is not used to find candidates.
            let mut cell = if slot.len as usize > MAX_POSTINGS {
                NONE
            } else {
                slot.head
            };
            while cell != NONE {
                let (j, rest) = cells[cell as usize];
                if shared[j as usize] == 0 {
                    touched.push(j);
                }
                shared[j as usize] += 1;
                cell = rest;
            }
            cells[free] = (segment, slot.head);
            slot.head = free as u32;
            slot.len = slot.len.saturating_add(1);
            free += 1;
        }
        *used = free;
        first..free
    }

    /// Takes back the last segment [`Self::add`]ed, of words `words`, with cells `own`.
    fn remove_last<const N: usize>(&mut self, words: &[u64], own: Range<usize>) {
        let own_cells = own.start as u32..NONE;
        // Its cells are each the head of their list (an n-gram seen twice in the segment is
        // unlinked at its first sight).
        for w in words.array_windows::<N>() {
            let Entry::Occupied(slot) = self.grams.entry(gram_key(w)) else {
                unreachable!("the segment's n-grams are all in the table")
            };
            if !own_cells.contains(&slot.head) {
                continue;
            }
            slot.head = self.cells[slot.head as usize].1;
            // A saturated length stays so: it is above MAX_POSTINGS either way.
            if slot.len != u16::MAX {
                slot.len -= 1;
            }
        }
        self.used = own.start;
    }
}

/// An n-gram's entry: the head of its list of cells and the list's length. 16 bytes: for a huge
/// document the table is its largest allocation, 24 bytes per word.
#[derive(Debug, Clone, Copy, Default)]
struct GramSlot {
    key: u64,
    head: u32,
    /// The list's length, saturating at `u16::MAX` (only whether it exceeds [`MAX_POSTINGS`]
    /// matters).
    len: u16,
    /// The document this slot was filled for: slots of earlier ones count as empty, so the
    /// table is not cleared between documents. 0 is never a live epoch.
    epoch: u16,
}

/// n-gram → [`GramSlot`]: open addressing with linear probing, sized for the document at hand.
/// One lookup per word of the document, so it is kept simpler than a general hash map: n-gram
/// hashes are already uniform, and nothing is ever removed.
#[derive(Default)]
struct GramTable {
    slots: Vec<GramSlot>,
    epoch: u16,
}

impl GramTable {
    /// Empties the table for a document of at most `grams` distinct n-grams: 3 slots per n-gram
    /// while that fits in a table a worker keeps anyway ([`KEEP_ENTRIES`]), so that a probe
    /// rarely goes past its first slot; never fewer than 3/2, so the table is at most two thirds
    /// full.
    fn reset(&mut self, grams: usize) -> Grams<'_> {
        let size = (3 * grams)
            .min(KEEP_ENTRIES)
            .max(grams + grams / 2 + 1)
            .max(64);
        if size > self.slots.len() {
            // Doubled while small, so that documents of growing sizes do not each allocate; a
            // table larger than a worker keeps ([`KEEP_ENTRIES`]) gets the size needed only.
            let grown = (self.slots.len() * 2).clamp(size, KEEP_ENTRIES.max(size));
            self.slots = vec![GramSlot::default(); grown];
            self.epoch = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.slots.fill(GramSlot::default());
            self.epoch = 1;
        }
        Grams {
            slots: &mut self.slots[..size],
            epoch: self.epoch,
        }
    }

    fn capacity(&self) -> usize {
        self.slots.len()
    }
}

/// The slots of a [`GramTable`] in use for the document at hand.
struct Grams<'a> {
    slots: &'a mut [GramSlot],
    epoch: u16,
}

/// Where [`Grams::entry`] finds an n-gram.
enum Entry<'a> {
    /// In the table already.
    Occupied(&'a mut GramSlot),
    /// Not in the table: the free slot where it goes.
    Vacant(VacantSlot<'a>),
}

struct VacantSlot<'a> {
    slot: &'a mut GramSlot,
    key: u64,
    epoch: u16,
}

impl VacantSlot<'_> {
    /// Fills the slot with the n-gram's list of one cell, `head`.
    fn insert(self, head: u32) {
        *self.slot = GramSlot {
            key: self.key,
            head,
            len: 1,
            epoch: self.epoch,
        };
    }
}

impl Grams<'_> {
    /// Where the probe for `key` starts: the key's top bits, scaled to the size (a multiply,
    /// not a modulo). They need no mixing: each is the xor of bits of finalised word hashes
    /// ([`gram_key`]).
    #[inline]
    fn home(&self, key: u64) -> usize {
        ((u128::from(key) * self.slots.len() as u128) >> 64) as usize
    }

    /// Reads the home slots of `keys` (to bring them into cache), without acting on them.
    fn touch(&self, keys: impl Iterator<Item = u64>) {
        let mut seen = 0u64;
        for key in keys {
            seen ^= self.slots[self.home(key)].key;
        }
        std::hint::black_box(seen);
    }

    /// The slot of `key`, or the free slot where it goes.
    #[inline]
    fn entry(&mut self, key: u64) -> Entry<'_> {
        let size = self.slots.len();
        let mut i = self.home(key);
        loop {
            let slot = self.slots[i];
            if slot.epoch != self.epoch {
                return Entry::Vacant(VacantSlot {
                    slot: &mut self.slots[i],
                    key,
                    epoch: self.epoch,
                });
            }
            if slot.key == key {
                return Entry::Occupied(&mut self.slots[i]);
            }
            i += 1;
            if i == size {
                i = 0;
            }
        }
    }
}

/// Working memory of [`echoes`], kept per thread and cleared per document so that scanning
/// many documents does not allocate (and fault in) fresh tables for each.
#[derive(Default)]
struct Scratch {
    first_by_key: HashMap<u64, u32>,
    postings: Postings,
    gram_counts: Vec<u32>,
    /// Shared n-gram counts with earlier segments, and which of them are non-zero.
    shared: Vec<u32>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Tables of more slots than this (16 bytes each: 64 MiB) are read ahead per segment: below it
/// the table stays in cache and the extra pass costs more than it saves. The tests read ahead
/// from small tables, so that their documents take that path too.
const CACHED_SLOTS: usize = if cfg!(test) { 64 } else { 1 << 22 };
/// Tables larger than this (entries) are released after the document instead of kept.
const KEEP_ENTRIES: usize = 1 << 20;

/// One echo per segment of `tokens`.
pub fn echoes(tokens: &Tokens) -> Vec<Echo> {
    SCRATCH.with_borrow_mut(|scratch| {
        let out = match tokens.reading {
            Reading::Words => echoes_with::<NGRAM>(tokens, scratch),
            Reading::Letters => echoes_with::<LETTER_NGRAM>(tokens, scratch),
        };
        if scratch.postings.grams.capacity() > KEEP_ENTRIES {
            *scratch = Scratch::default();
        }
        out
    })
}

/// The key of the word n-gram `w` (of [`NGRAM`] or [`LETTER_NGRAM`] words). Word hashes are
/// already uniform (SplitMix64-finalised): the rotations keep the order, and the key's bits are
/// as uniform as theirs, so the table uses them as they are.
#[inline]
fn gram_key(w: &[u64]) -> u64 {
    match *w {
        [a, b, c] => a ^ b.rotate_left(21) ^ c.rotate_left(42),
        _ => w
            .iter()
            .enumerate()
            .fold(0, |k, (i, &x)| k ^ x.rotate_left((13 * i as u32) % 64)),
    }
}

/// [`echoes`] with n-grams of `N` words.
fn echoes_with<const N: usize>(tokens: &Tokens, scratch: &mut Scratch) -> Vec<Echo> {
    let segs = &tokens.segments;
    let mut out = vec![Echo::Original; segs.len()];
    let Scratch {
        first_by_key,
        postings,
        gram_counts,
        shared,
        touched,
    } = scratch;
    first_by_key.clear();
    // At most one distinct n-gram per word of the segments that are looked into.
    let distinct = segs
        .iter()
        .filter(|seg| seg.word_count() >= NEAR_MIN_WORDS)
        .map(|seg| seg.word_count() - (N - 1))
        .sum();
    let mut originals = postings.reset(distinct);
    gram_counts.clear();
    gram_counts.resize(segs.len(), 0);
    shared.clear();
    shared.resize(segs.len(), 0);
    touched.clear();

    for (i, seg) in segs.iter().enumerate() {
        match first_by_key.entry(seg.key) {
            Occupied(first) => {
                out[i] = Echo::Repeat {
                    of: *first.get(),
                    similarity: 1.0,
                };
                continue;
            }
            Vacant(first) => {
                first.insert(i as u32);
            }
        }
        if seg.word_count() < NEAR_MIN_WORDS {
            continue;
        }
        let words = &tokens.words[seg.words.start as usize..seg.words.end as usize];
        let own = originals.add::<N>(i as u32, words, shared, touched);
        let n = own.len();
        let best = touched
            .iter()
            // Sharing fewer than half the segment's n-grams, an earlier segment is neither near
            // (Jaccard <= common / n < 1/2) nor containing it: the ratios below are not needed.
            .filter(|&&j| 2 * shared[j as usize] as usize >= n)
            .map(|&j| {
                let common = shared[j as usize] as usize;
                let other = gram_counts[j as usize] as usize;
                let jaccard = common as f64 / (n + other - common) as f64;
                let contained = common as f64 / n as f64;
                let covers = common as f64 / other as f64;
                let contained = if covers >= MIN_COVER { contained } else { 0.0 };
                (j, jaccard, contained)
            })
            .filter(|&(_, jaccard, contained)| jaccard >= NEAR_JACCARD || contained >= CONTAINMENT)
            // Most similar first; the earliest segment on ties, so the result is deterministic.
            .max_by(|a, b| a.1.max(a.2).total_cmp(&b.1.max(b.2)).then(b.0.cmp(&a.0)));
        for &j in touched.iter() {
            shared[j as usize] = 0;
        }
        touched.clear();
        if let Some((j, jaccard, _)) = best {
            out[i] = Echo::Repeat {
                of: j,
                similarity: jaccard as f32,
            };
            originals.remove_last::<N>(words, own);
            continue;
        }
        gram_counts[i] = n as u32;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::normalize::Tokenizer;
    use crate::doc::paragraphs::tokenize;

    #[test]
    fn the_gram_table_forgets_the_previous_document() {
        let is_new = |grams: &mut Grams, key| matches!(grams.entry(key), Entry::Vacant(_));
        let mut t = GramTable::default();
        let mut grams = t.reset(100);
        for k in 0..100u64 {
            // Keys that share low bits.
            let Entry::Vacant(slot) = grams.entry(k * 64) else {
                panic!("{k} found in an empty table")
            };
            slot.insert(k as u32);
        }
        for k in 0..100u64 {
            let Entry::Occupied(slot) = grams.entry(k * 64) else {
                panic!("{k} lost")
            };
            assert_eq!((slot.head, slot.len), (k as u32, 1));
        }
        assert!(is_new(&mut t.reset(10), 64));
        t.epoch = u16::MAX; // the epoch wraps: the table is cleared
        assert!(is_new(&mut t.reset(10), 128));
    }

    fn echo_of(text: &str) -> Vec<Option<u32>> {
        let t = tokenize(text, &mut Tokenizer::new());
        echoes(&t)
            .into_iter()
            .map(|e| match e {
                Echo::Original => None,
                Echo::Repeat { of, .. } => Some(of),
            })
            .collect()
    }

    #[test]
    fn exact_repeats_point_at_the_first_copy() {
        assert_eq!(
            echo_of("A cat sat.\nA dog ran.\na CAT sat!\nA cat sat.\n"),
            vec![None, None, Some(0), Some(0)]
        );
    }

    #[test]
    fn near_repeats_and_containment() {
        let para = |day: &str| {
            format!(
                "The minister said on {day} that the talks between the two delegations would resume \
                 next week in Geneva, after three days of fighting around the northern city and a \
                 truce that both sides accused each other of breaking before it even began."
            )
        };
        // A shortened copy: its last clause cut.
        let cut = para("Tuesday")
            .split(" before it")
            .next()
            .unwrap()
            .to_string();
        let text = format!(
            "{}\nSomething else entirely different is written in this line of text.\n{}\n{cut}\n",
            para("Tuesday"),
            para("Wednesday")
        );
        assert_eq!(echo_of(&text), vec![None, None, Some(0), Some(0)]);
    }

    #[test]
    fn a_paragraph_inside_a_long_earlier_block_is_not_a_repeat() {
        let p1 = "The minister said on Tuesday that the talks between the two delegations would resume next week.";
        let p2 = "Both sides accused each other of breaking the truce before it even began, officials said.";
        let p3 = "Aid convoys were still waiting at the border crossing on Wednesday evening, the agency said.";
        let text = format!("{p1} {p2} {p3}\n{p1}\n{p2}\n{p3}\n");
        assert_eq!(echo_of(&text), vec![None, None, None, None]);
    }

    /// What [`echoes`] computes, written for clarity: every earlier original's trigram set in a
    /// plain list, compared one by one.
    fn reference(tokens: &Tokens) -> Vec<Echo> {
        use std::collections::HashSet;
        let segs = &tokens.segments;
        let mut out = vec![Echo::Original; segs.len()];
        // (segment, its distinct trigrams) of the originals indexed so far.
        let mut originals: Vec<(u32, HashSet<u64>)> = Vec::new();
        let mut first_by_key = std::collections::HashMap::new();
        for (i, seg) in segs.iter().enumerate() {
            if let Some(&j) = first_by_key.get(&seg.key) {
                out[i] = Echo::Repeat {
                    of: j,
                    similarity: 1.0,
                };
                continue;
            }
            first_by_key.insert(seg.key, i as u32);
            if seg.word_count() < NEAR_MIN_WORDS {
                continue;
            }
            let words = &tokens.words[seg.words.start as usize..seg.words.end as usize];
            let grams: HashSet<u64> = words.windows(ngram(tokens.reading)).map(gram_key).collect();
            // Shared trigrams, counting only those in at most MAX_POSTINGS earlier originals.
            let mut shared = vec![0usize; segs.len()];
            for g in &grams {
                let holders: Vec<u32> = originals
                    .iter()
                    .filter(|(_, set)| set.contains(g))
                    .map(|&(j, _)| j)
                    .collect();
                if holders.len() <= MAX_POSTINGS {
                    for j in holders {
                        shared[j as usize] += 1;
                    }
                }
            }
            let n = grams.len();
            let mut best: Option<(u32, f64, f64)> = None;
            for (j, set) in &originals {
                let common = shared[*j as usize];
                if common == 0 {
                    continue;
                }
                let other = set.len();
                let jaccard = common as f64 / (n + other - common) as f64;
                let covers = common as f64 / other as f64;
                let contained = if covers >= MIN_COVER {
                    common as f64 / n as f64
                } else {
                    0.0
                };
                if jaccard < NEAR_JACCARD && contained < CONTAINMENT {
                    continue;
                }
                let score = jaccard.max(contained);
                // Most similar first, the earliest segment on ties.
                if best.is_none_or(|b| score > b.1.max(b.2)) {
                    best = Some((*j, jaccard, contained));
                }
            }
            match best {
                Some((j, jaccard, _)) => {
                    out[i] = Echo::Repeat {
                        of: j,
                        similarity: jaccard as f32,
                    }
                }
                None => originals.push((i as u32, grams)),
            }
        }
        out
    }

    proptest::proptest! {
        /// Lines drawn from a small vocabulary, so that trigrams, whole lines and near copies
        /// recur; several documents in a row through one thread's reused tables.
        #[test]
        fn echoes_are_what_the_plain_comparison_gives(
            docs in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::collection::vec(0usize..7, 0..16), 0..24), 1..4)
        ) {
            const VOCAB: [&str; 7] = ["the", "cat", "sat", "on", "a", "mat", "today"];
            for lines in docs {
                let text: String = lines
                    .iter()
                    .map(|l| l.iter().map(|&w| VOCAB[w]).collect::<Vec<_>>().join(" ") + ".\n")
                    .collect();
                let t = tokenize(&text, &mut Tokenizer::new());
                proptest::prop_assert_eq!(echoes(&t), reference(&t), "{}", text);
            }
        }
    }

    #[test]
    fn a_shorter_earlier_copy_inside_a_longer_later_line_is_not_containment() {
        // The later line has much more to say: it is not a repeat.
        let text = "the talks would resume next week in Geneva\n\
                    The minister said on Tuesday that the talks would resume next week in Geneva, \
                    after three days of fighting around the northern city and a failed truce.\n";
        assert_eq!(echo_of(text), vec![None, None]);
    }
}
