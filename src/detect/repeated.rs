//! In-document repeats (detect stage): a document's segments and words in, one [`Echo`] per
//! segment out, saying which earlier segment it repeats, if any.
//!
//! A segment repeats an earlier one when
//! - its matching key is equal (same words after normalisation), or
//! - it has at least [`NEAR_MIN_WORDS`] words and its word-trigram set is nearly equal to an
//!   earlier segment's (Jaccard >= [`NEAR_JACCARD`]), or almost wholly contained in it
//!   (containment >= [`CONTAINMENT`]) while covering at least [`MIN_COVER`] of it: a copy with a
//!   few words cut. A sentence that merely occurs inside a much longer earlier block is not a
//!   repeat: on scraped pages that block is often a teaser or a whole article run together, and
//!   the later paragraph is the text a reader wants.
//!
//! The earlier copy is always the one kept. A repeated segment is never its own original, and
//! later copies point at the first occurrence, so `A A A` yields two echoes of the first `A`.
//!
//! Turning echoes into report spans (merging runs, telling furniture from paragraphs) happens in
//! [`crate::detect::assemble`], once the corpus-wide boilerplate is known.

use crate::fingerprint::Tokens;
use std::collections::HashMap;

/// Word n-gram size used for near repeats inside a document.
pub const NGRAM: usize = 3;
/// Segments shorter than this only match exactly.
pub const NEAR_MIN_WORDS: usize = 8;
/// Trigram Jaccard at which a segment nearly repeats an earlier one.
pub const NEAR_JACCARD: f64 = 0.8;
/// Share of a segment's trigrams found in one earlier segment at which it counts as contained.
pub const CONTAINMENT: f64 = 0.9;
/// Share of the earlier segment's trigrams a contained segment must cover.
pub const MIN_COVER: f64 = 0.5;
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

/// One echo per segment of `tokens`.
pub fn echoes(tokens: &Tokens) -> Vec<Echo> {
    let segs = &tokens.segments;
    let mut out = vec![Echo::Original; segs.len()];
    let mut first_by_key: HashMap<u64, u32> = HashMap::with_capacity(segs.len());
    let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut gram_counts: Vec<usize> = vec![0; segs.len()];
    let mut shared: HashMap<u32, usize> = HashMap::new();
    let mut grams: Vec<u64> = Vec::new();

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
        grams.clear();
        grams.extend(words.windows(NGRAM).map(crate::normalize::hash_sequence));
        grams.sort_unstable();
        grams.dedup();

        shared.clear();
        for g in &grams {
            if let Some(list) = postings.get(g) {
                if list.len() <= MAX_POSTINGS {
                    for &j in list {
                        *shared.entry(j).or_default() += 1;
                    }
                }
            }
        }
        let best = shared
            .iter()
            .map(|(&j, &common)| {
                let other = gram_counts[j as usize];
                let jaccard = common as f64 / (grams.len() + other - common) as f64;
                let contained = common as f64 / grams.len() as f64;
                let covers = common as f64 / other as f64;
                let contained = if covers >= MIN_COVER { contained } else { 0.0 };
                (j, jaccard, contained)
            })
            .filter(|&(_, jaccard, contained)| jaccard >= NEAR_JACCARD || contained >= CONTAINMENT)
            // Most similar first; the earliest segment on ties, so the result is deterministic.
            .max_by(|a, b| a.1.max(a.2).total_cmp(&b.1.max(b.2)).then(b.0.cmp(&a.0)));
        if let Some((j, jaccard, _)) = best {
            out[i] = Echo::Repeat {
                of: j,
                similarity: jaccard as f32,
            };
            continue;
        }
        gram_counts[i] = grams.len();
        for &g in &grams {
            postings.entry(g).or_default().push(i as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::tokenize;
    use crate::normalize::Tokenizer;

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

    #[test]
    fn a_shorter_earlier_copy_inside_a_longer_later_line_is_not_containment() {
        // The later line has much more to say: it is not a repeat.
        let text = "the talks would resume next week in Geneva\n\
                    The minister said on Tuesday that the talks would resume next week in Geneva, \
                    after three days of fighting around the northern city and a failed truce.\n";
        assert_eq!(echo_of(text), vec![None, None]);
    }
}
