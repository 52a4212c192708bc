//! The furniture lexicon (document stage): the cue phrases of page furniture, the phrases of an
//! article's own text and the stop words of the [`LANGUAGES`], as word hashes of the tokenizer,
//! built once; in: a segment's word hashes, out: whether it holds a phrase, and each word's
//! stop-word languages.

use super::normalize::Tokenizer;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Furniture phrases (normalised words), English and French first, a few more languages after.
pub(super) const CUES: &[&str] = &[
    "leave a reply",
    "leave a comment",
    "you may also like",
    "you might also like",
    "share this",
    "please wait",
    "advertisement",
    "all rights reserved",
    "privacy policy",
    "terms of use",
    "terms of service",
    "related stories",
    "related articles",
    "read more",
    "sign up for",
    "subscribe to",
    "follow us",
    "skip to content",
    "your email address will not be published",
    "required fields are marked",
    "akismet",
    "publicité",
    "participer à la discussion",
    "votre adresse e mail ne sera pas publiée",
    "champs obligatoires",
    "lire aussi",
    "articles liés",
    "newsletter",
    "abonnez vous",
    "faire un don",
    "je fais un don",
    "articles gratuits",
    "tous droits réservés",
    "mentions légales",
    "politique de confidentialité",
    "vous aimerez aussi",
    "laisser un commentaire",
    "werbung",
    "publicidad",
    "pubblicità",
];

/// Phrases of an article's own text that read like furniture: its credit lines ("CNN's Rick
/// Sanchez contributed to this report", "(Additional reporting by …)"). A segment holding one,
/// or starting with a dash as the attribution of a quote or an embedded post does, is not
/// furniture ([`crate::furniture::CONTENT_PHRASE`]).
pub(super) const CONTENT_PHRASES: &[&str] = &[
    "contributed to this report",
    "contributed reporting",
    "contributed to this story",
    "additional reporting by",
    "reporting by",
    "writing by",
    "editing by",
    "a contribué à cet article",
];

/// Languages whose stop words are looked up (ISO 639-1, NLTK lists), at most 8.
pub(super) const LANGUAGES: [&str; 7] = ["en", "fr", "de", "es", "it", "pt", "nl"];

pub(super) struct Lexicon {
    /// Word hash → bit set of the [`LANGUAGES`] it is a stop word of, behind a filter that
    /// answers "no" for most other words without the lookup.
    stop: FxHashMap<u64, u8>,
    stop_filter: Filter,
    /// The cue phrases ([`CUES`]).
    pub(super) cues: Phrases,
    /// The phrases of an article's own text ([`CONTENT_PHRASES`]).
    pub(super) content: Phrases,
}

impl Lexicon {
    /// The stop-word languages of a word (a bit set over [`LANGUAGES`]).
    pub(super) fn stop_mask(&self, word: &u64) -> u8 {
        if !self.stop_filter.may_hold(*word) {
            return 0;
        }
        self.stop.get(word).copied().unwrap_or(0)
    }
}

/// Phrases as word-hash sequences, looked up by their first word.
pub(super) struct Phrases {
    /// First word → the words after it of each phrase that starts with it (none for a one-word
    /// phrase).
    by_first: FxHashMap<u64, Vec<Vec<u64>>>,
    /// The first words.
    filter: ByteFilter,
}

impl Phrases {
    pub(super) fn new(phrases: Vec<Vec<u64>>) -> Phrases {
        let mut by_first: FxHashMap<u64, Vec<Vec<u64>>> = FxHashMap::default();
        for p in phrases {
            by_first.entry(p[0]).or_default().push(p[1..].to_vec());
        }
        Phrases {
            filter: ByteFilter::new(by_first.keys()),
            by_first,
        }
    }

    /// Whether `words` hold one of the phrases, of more than one word if `long`. Most hold no
    /// first word of one, which the filter tells in one pass.
    pub(super) fn found_in(&self, words: &[u64], long: bool) -> bool {
        self.filter.may_hold_any(words) && (0..words.len()).any(|i| self.starts(&words[i..], long))
    }

    /// Whether `words` start with one of the phrases, of more than one word if `long`: the filter
    /// inline, the phrases only past it.
    #[inline]
    pub(super) fn starts(&self, words: &[u64], long: bool) -> bool {
        words.first().is_some_and(|&first| {
            self.filter.may_hold(first) && self.starts_past_filter(words, long)
        })
    }

    #[inline(never)]
    fn starts_past_filter(&self, words: &[u64], long: bool) -> bool {
        let [first, after @ ..] = words else {
            return false;
        };
        self.by_first.get(first).is_some_and(|rests| {
            rests
                .iter()
                .any(|rest| (!long || !rest.is_empty()) && after.starts_with(rest))
        })
    }
}

/// A set of word hashes as 2^16 bits indexed by a hash's top 16 bits: no false "no", and a false
/// "maybe" for about 2% of other words with the ~1,300 stop words it holds.
struct Filter(Box<[u64; 1024]>);

impl Filter {
    fn new<'a>(hashes: impl Iterator<Item = &'a u64>) -> Filter {
        let mut bits = Box::new([0u64; 1024]);
        for &h in hashes {
            let i = (h >> 48) as usize;
            bits[i >> 6] |= 1 << (i & 63);
        }
        Filter(bits)
    }

    fn may_hold(&self, h: u64) -> bool {
        let i = (h >> 48) as usize;
        self.0[i >> 6] >> (i & 63) & 1 != 0
    }
}

/// A small set of word hashes (the first words of phrases) as 2^13 bytes indexed by a hash's top
/// 13 bits: no false "no", and a false "maybe" for about 0.5% of other words with the ~40 words
/// it holds. A byte per entry lets a scan merge the entries of four words with no bit to extract.
struct ByteFilter(Box<[u8; 1 << 13]>);

impl ByteFilter {
    fn new<'a>(hashes: impl Iterator<Item = &'a u64>) -> ByteFilter {
        let mut entries = Box::new([0u8; 1 << 13]);
        for &h in hashes {
            entries[(h >> 51) as usize] = 1;
        }
        ByteFilter(entries)
    }

    #[inline]
    fn entry(&self, h: u64) -> u8 {
        self.0[(h >> 51) as usize]
    }

    #[inline]
    fn may_hold(&self, h: u64) -> bool {
        self.entry(h) != 0
    }

    /// Whether the set may hold any of `hashes`, four at a time with one branch for each four.
    #[inline]
    fn may_hold_any(&self, hashes: &[u64]) -> bool {
        let mut fours = hashes.chunks_exact(4);
        fours
            .by_ref()
            .any(|f| self.entry(f[0]) | self.entry(f[1]) | self.entry(f[2]) | self.entry(f[3]) != 0)
            || fours.remainder().iter().any(|&h| self.may_hold(h))
    }
}

/// The lexicon, built on first use.
pub(super) fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut tokenizer = Tokenizer::new();
        let mut words = Vec::new();
        let mut stop = FxHashMap::default();
        for (bit, lang) in LANGUAGES.iter().enumerate() {
            for w in stop_words::get(lang) {
                words.clear();
                tokenizer.words(w, &mut words);
                // "you're" is two words to the tokenizer: only single words are looked up.
                if let [h] = words[..] {
                    *stop.entry(h).or_insert(0u8) |= 1 << bit;
                }
            }
        }
        let mut phrases = |list: &[&str]| -> Vec<Vec<u64>> {
            list.iter()
                .map(|c| {
                    let mut w = Vec::new();
                    tokenizer.words(c, &mut w);
                    w
                })
                .collect()
        };
        let cues = Phrases::new(phrases(CUES));
        let content = Phrases::new(phrases(CONTENT_PHRASES));
        Lexicon {
            stop_filter: Filter::new(stop.keys()),
            stop,
            cues,
            content,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn phrases_are_found_as_by_trying_each(
            words in proptest::collection::vec(0u64..8, 0..24),
            long: bool,
        ) {
            // Few distinct words, spread over the filter's bits, so that phrases do occur.
            let spread = |w: u64| w.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let list = [vec![1, 2], vec![3], vec![1, 4, 5], vec![6, 6]];
            let list: Vec<Vec<u64>> = list.iter().map(|p| p.iter().map(|&w| spread(w)).collect()).collect();
            let words: Vec<u64> = words.into_iter().map(spread).collect();
            let phrases = Phrases::new(list.clone());
            let expect = (0..words.len())
                .any(|i| list.iter().any(|p| (!long || p.len() > 1) && words[i..].starts_with(p)));
            proptest::prop_assert_eq!(phrases.found_in(&words, long), expect);
            let any = words.iter().any(|&w| phrases.filter.may_hold(w));
            proptest::prop_assert_eq!(phrases.filter.may_hold_any(&words), any);
        }
    }
}
