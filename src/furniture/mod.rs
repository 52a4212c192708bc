//! Furniture evidence (fingerprint stage): a document's text and [`Tokens`] in, per segment the
//! local part of its page-furniture score out ([`Evidence`]), plus the keys of its segments with
//! the digits taken out (templates) and the sentence tails of long lines that read as furniture.
//!
//! Page furniture is what a reader skips: menus, share and rating widgets, comment forms, bylines,
//! "Related stories". A small logistic model scores each segment in two stages:
//!
//! 1. **The segment itself** ([`LOCAL`]), computed here while the text is at hand: its length in
//!    words, the share of stop words of the document's language (guessed from stop-word hits, NLTK
//!    lists of the `stop-words` crate), whether it has or ends with a sentence, its shares of
//!    punctuation and symbols, of digits and of capitalised words, separators (`|`, `»`, `©`…) and
//!    known furniture phrases ("Leave a Reply", "Publicité", …). Corpus evidence is added by the
//!    detect stage: the number of documents holding the segment, and whether its template (the
//!    segment with its digits taken out) is in other documents.
//! 2. **Its context** ([`CONTEXT`], in `detect::furniture`): the stage-1 scores of its neighbours,
//!    whether it lies before or after the document's main block of text and how far, and whether
//!    it is in the first or last tenth of the document.
//!
//! The weights were fit by `scripts/fit_furniture.py` (logistic regression weighted by bytes) on
//! the pages of `boilerplate-sites-en` outside the held-out sites and on seeds 001–004; the cue
//! phrases' weight is set by hand (they are too rare in that data to fit), see the README.

use crate::fingerprint::Tokens;
use crate::normalize::Tokenizer;
use crate::segment::strip_closers;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

mod chars;

/// Stage-1 weights: the segment's own features (see [`features`] for their order).
pub const LOCAL: [f32; 15] = [
    -0.183, // ln(1 + words)
    -0.704, // at most 1 word
    0.040,  // at most 3 words
    0.048,  // at most 6 words
    0.422,  // at most 10 words
    1.131,  // at most 20 words
    -1.021, // share of stop words
    0.508,  // under 20% stop words, more than 3 words
    0.567,  // has a sentence end
    -1.993, // ends with a sentence end
    3.796,  // share of punctuation and symbols (of non-space characters)
    4.426,  // share of digits
    2.616,  // share of capitalised words
    4.000,  // a known furniture phrase, at most 40 words (set by hand)
    -0.212, // a separator character: | » › · • ©
];
/// Stage-1 intercept.
pub const LOCAL_BIAS: f32 = -0.607;
/// Stage-1 weights of corpus evidence: in 2+ documents, ln(documents), template in 2+ documents.
pub const CORPUS: [f32; 3] = [2.407, 1.395, 2.286];
/// Stage-2 weights: own stage-1 score, previous, next, mean over ±3 segments, before the main
/// block, after it, ln(1 + distance to it), in the first tenth, in the last tenth.
pub const CONTEXT: [f32; 9] = [
    0.573, 0.101, 0.046, 0.331, -1.581, 1.517, 0.495, -1.196, 0.935,
];
/// Subtracted from the stage-2 score of a segment in an interior run (furniture-like segments
/// between two content-like ones inside the main block, without cue phrase or corpus evidence).
/// Set by hand, like the cue weight: it keeps the table of figures of fr-web-pages' infocomcgt
/// page (1.5 and 3.0 give the same evaluation figures); boilerplate-sites-en moves by at most
/// 0.001 either way.
pub const INTERIOR: f32 = 2.0;
/// Stage-2 intercept.
pub const CONTEXT_BIAS: f32 = -1.170;
/// The stage-1 score given to the missing neighbour of a document's first and last segment (a
/// document edge counts as furniture-like).
pub const EDGE_SCORE: f32 = 3.0;

/// Default of `--boilerplate-threshold`: the furniture probability at which a segment is cut.
pub const DEFAULT_THRESHOLD: f32 = 0.8;
/// A sentence tail is cut only at this probability or above (it has no context score).
pub const TAIL_THRESHOLD: f32 = 0.9;
/// Lines with fewer words are not split into sentences.
const TAIL_MIN_WORDS: usize = 20;
/// A tail has at least this many words (a closing `»` or a lone `#hashtag` stays with its line).
const TAIL_MIN_TAIL_WORDS: usize = 3;
/// A template (a segment's words without its digits) must keep at least this many words.
const TEMPLATE_MIN_WORDS: usize = 2;
/// The document's language is guessed from this many first words.
const LANGUAGE_WORDS: usize = 2048;
/// The character shares of a segment are measured on at most this many first bytes, and its
/// stop-word share on at most this many first words (a long paragraph is sampled).
const SAMPLE_BYTES: usize = 192;
const SAMPLE_WORDS: usize = 64;
/// A cue phrase counts only in segments of at most this many words.
const CUE_MAX_WORDS: usize = 40;

/// Furniture phrases (normalised words), English and French first, a few more languages after.
const CUES: &[&str] = &[
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
    "follow us",
    "skip to content",
    "your email address will not be published",
    "required fields are marked",
    "akismet",
    "publicité",
    "participer à la discussion",
    "votre adresse e mail ne sera pas publiée",
    "champs obligatoires",
    "à lire aussi",
    "tous droits réservés",
    "mentions légales",
    "politique de confidentialité",
    "vous aimerez aussi",
    "laisser un commentaire",
    "werbung",
    "publicidad",
    "pubblicità",
];

/// Languages whose stop words are looked up (ISO 639-1, NLTK lists), at most 8.
const LANGUAGES: [&str; 7] = ["en", "fr", "de", "es", "it", "pt", "nl"];

/// What the detect stage needs of one document to score its furniture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Per segment, the stage-1 score without corpus evidence.
    pub local: Box<[f32]>,
    /// Per segment that contains digits: its index and the key of its words without digits.
    pub templates: Box<[(u32, u64)]>,
    /// Sentence tails of long segments that read as furniture (ascending by segment).
    pub tails: Box<[Tail]>,
    /// Per segment, a bit set of [`Signal`]s that held (for the report's reason).
    pub signals: Box<[u8]>,
}

/// The end of a long segment, from a sentence boundary on, that scores as furniture on its own
/// (seed 000's share and rating widget after the article on the same line).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tail {
    pub segment: u32,
    /// Byte offset (into the document) where the tail starts.
    pub start: usize,
    /// Its furniture probability (the lowest of its sentences').
    pub score: f32,
    /// The [`signal`]s that held in all of its sentences.
    pub signals: u8,
}

/// Local signals named in the report's reason.
pub mod signal {
    pub const CUE: u8 = 1;
    pub const SHORT: u8 = 2;
    pub const NO_SENTENCE: u8 = 4;
    pub const FEW_STOP_WORDS: u8 = 8;
    pub const SYMBOLS: u8 = 16;
}

struct Lexicon {
    /// Word hash → bit set of the [`LANGUAGES`] it is a stop word of, behind a filter that
    /// answers "no" for most other words without the lookup.
    stop: FxHashMap<u64, u8>,
    stop_filter: Filter,
    /// Cue phrases as word-hash sequences, and the set of their first words (with its filter).
    cues: Vec<Vec<u64>>,
    cue_first: FxHashSet<u64>,
    cue_filter: Filter,
}

impl Lexicon {
    /// The stop-word languages of a word (a bit set over [`LANGUAGES`]).
    fn stop_mask(&self, word: &u64) -> u8 {
        if !self.stop_filter.may_hold(*word) {
            return 0;
        }
        self.stop.get(word).copied().unwrap_or(0)
    }

    /// Whether a cue phrase starts with this word.
    fn starts_cue(&self, word: &u64) -> bool {
        self.cue_filter.may_hold(*word) && self.cue_first.contains(word)
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

fn lexicon() -> &'static Lexicon {
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
        let cues: Vec<Vec<u64>> = CUES
            .iter()
            .map(|c| {
                let mut w = Vec::new();
                tokenizer.words(c, &mut w);
                w
            })
            .collect();
        let cue_first: FxHashSet<u64> = cues.iter().map(|c| c[0]).collect();
        Lexicon {
            stop_filter: Filter::new(stop.keys()),
            stop,
            cue_filter: Filter::new(cue_first.iter()),
            cues,
            cue_first,
        }
    })
}

/// The furniture evidence of a document (`text` as tokenized into `tokens`).
pub fn evidence(text: &str, tokens: &Tokens, tokenizer: &mut Tokenizer) -> Evidence {
    let lex = lexicon();
    let stop_mask = |w: &u64| lex.stop_mask(w);
    // The document's language: the one with the most stop-word hits in its first words. Their
    // masks are kept for the segments among them, which then look nothing up again.
    let first: Vec<u8> = tokens
        .words
        .iter()
        .take(LANGUAGE_WORDS)
        .map(stop_mask)
        .collect();
    let lang = language_bit(first.iter().copied());
    let mut local = Vec::with_capacity(tokens.segments.len());
    let mut signals = Vec::with_capacity(tokens.segments.len());
    let mut templates = Vec::new();
    let mut tails = Vec::new();
    let mut scratch = Vec::new();
    let mut masks = Vec::new();
    for (i, seg) in tokens.segments.iter().enumerate() {
        let seg_text = &text[seg.start..seg.end];
        let words = &tokens.words[seg.words.start as usize..seg.words.end as usize];
        masks.clear();
        let sample = seg.words.start as usize
            ..(seg.words.start as usize + SAMPLE_WORDS).min(seg.words.end as usize);
        masks.extend(sample.map(|j| {
            first
                .get(j)
                .copied()
                .unwrap_or_else(|| stop_mask(&tokens.words[j]))
        }));
        let f = features(seg_text, words, &masks, lang, seg.sentence);
        local.push(f.score());
        signals.push(f.signals());
        if let Some(key) = f.template {
            templates.push((i as u32, key));
        }
        if words.len() >= TAIL_MIN_WORDS && seg.sentence {
            if let Some(tail) = furniture_tail(seg_text, lang, tokenizer, &mut scratch, &mut masks)
            {
                tails.push(Tail {
                    segment: i as u32,
                    start: seg.start + tail.start,
                    ..tail
                });
            }
        }
    }
    Evidence {
        local: local.into(),
        templates: templates.into(),
        tails: tails.into(),
        signals: signals.into(),
    }
}

/// `ln(1 + n)`, read from a table for the small counts that most segments have (the same
/// values: the table is filled by the same expression).
pub(crate) fn ln_1p_count(n: usize) -> f32 {
    static TABLE: OnceLock<[f32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| std::array::from_fn(|i| (i as f32).ln_1p()));
    table.get(n).copied().unwrap_or_else(|| (n as f32).ln_1p())
}

/// The bit of the language with the most stop-word hits (English when there are none).
fn language_bit(masks: impl Iterator<Item = u8>) -> u8 {
    let mut hits = [0u32; 8];
    for m in masks.filter(|&m| m != 0) {
        for (bit, h) in hits.iter_mut().enumerate() {
            *h += u32::from(m >> bit & 1);
        }
    }
    let best = (0..LANGUAGES.len())
        .max_by_key(|&b| (hits[b], std::cmp::Reverse(b)))
        .unwrap_or(0);
    1 << best
}

/// A segment's own features, in the order of [`LOCAL`].
#[derive(Debug, Clone, Copy)]
pub struct Features {
    pub words: usize,
    pub stop: f32,
    pub sentence: bool,
    pub ends_sentence: bool,
    pub punct: f32,
    pub digits: f32,
    pub caps: f32,
    pub cue: bool,
    pub separator: bool,
    /// Key of its words without digits (to find the same template with other numbers), when it
    /// has digits.
    pub template: Option<u64>,
}

impl Features {
    fn vector(&self) -> [f32; 15] {
        let n = self.words;
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        [
            ln_1p_count(n),
            b(n <= 1),
            b(n <= 3),
            b(n <= 6),
            b(n <= 10),
            b(n <= 20),
            self.stop,
            b(self.stop < 0.2 && n > 3),
            b(self.sentence),
            b(self.ends_sentence),
            self.punct,
            self.digits,
            self.caps,
            b(self.cue),
            b(self.separator),
        ]
    }

    /// The stage-1 score without corpus evidence.
    pub fn score(&self) -> f32 {
        LOCAL_BIAS
            + self
                .vector()
                .iter()
                .zip(LOCAL)
                .map(|(x, w)| x * w)
                .sum::<f32>()
    }

    fn signals(&self) -> u8 {
        let mut s = 0;
        if self.cue {
            s |= signal::CUE;
        }
        if self.words <= 6 {
            s |= signal::SHORT;
        }
        if !self.sentence {
            s |= signal::NO_SENTENCE;
        }
        if self.stop < 0.2 && self.words > 3 {
            s |= signal::FEW_STOP_WORDS;
        }
        if self.punct + self.digits > 0.3 {
            s |= signal::SYMBOLS;
        }
        s
    }
}

/// The features of one unit of text with its normalised `words` and the stop-word `masks` of
/// (at least the first [`SAMPLE_WORDS`] of) them.
///
/// The character shares come from one pass over the first [`SAMPLE_BYTES`] ([`chars::stats`]);
/// a short unit with digits is read again for its template key.
pub fn features(text: &str, words: &[u64], masks: &[u8], lang: u8, sentence: bool) -> Features {
    let whole = text.len() <= SAMPLE_BYTES;
    let c = chars::stats(&text[..text.floor_char_boundary(SAMPLE_BYTES)]);
    let share = |n: u32, of: u32| n as f32 / of.max(1) as f32;
    let stop_hits = masks.iter().filter(|&&m| m & lang != 0).count();
    Features {
        words: words.len(),
        stop: share(stop_hits as u32, masks.len() as u32),
        sentence,
        ends_sentence: ends_with_sentence_end(text),
        punct: share(c.punct, c.visible),
        digits: share(c.digits, c.visible),
        caps: share(c.caps, c.words),
        cue: words.len() <= CUE_MAX_WORDS && has_cue(words),
        separator: c.separator,
        // Only a short segment with digits has a template (a second pass, rarely taken).
        template: if whole && c.digits > 0 {
            chars::template_key(text, TEMPLATE_MIN_WORDS)
        } else {
            None
        },
    }
}

/// Whether the text ends with `.`, `!`, `?` or `…`, possibly followed by closing quotes or
/// brackets.
fn ends_with_sentence_end(text: &str) -> bool {
    strip_closers(text.trim_end()).ends_with(['.', '!', '?', '…'])
}

fn has_cue(words: &[u64]) -> bool {
    let lex = lexicon();
    words
        .iter()
        .enumerate()
        .any(|(i, w)| lex.starts_cue(w) && lex.cues.iter().any(|c| words[i..].starts_with(c)))
}

/// The longest run of final sentences of `text` that each score as furniture on their own, if it
/// leaves at least one sentence before it (`start` is an offset into `text`, `segment` is 0).
/// Sentences that end with `.`, `!` or `?` are prose and stop the run.
fn furniture_tail(
    text: &str,
    lang: u8,
    tokenizer: &mut Tokenizer,
    words: &mut Vec<u64>,
    masks: &mut Vec<u8>,
) -> Option<Tail> {
    // A line that ends a sentence has no furniture tail (its last piece would stop the walk
    // below at once): most prose lines are settled here, without splitting them.
    if strip_closers(text.trim_end()).ends_with(['.', '!', '?']) {
        return None;
    }
    let lex = lexicon();
    let bounds = sentence_starts(text);
    let mut tail: Option<Tail> = None;
    let mut tail_words = 0;
    let mut end = text.len();
    for &start in bounds.iter().rev() {
        if start == 0 {
            break;
        }
        let piece = text[start..end].trim();
        if piece.is_empty() || strip_closers(piece).ends_with(['.', '!', '?']) {
            break;
        }
        words.clear();
        tokenizer.words(piece, words);
        masks.clear();
        masks.extend(words.iter().take(SAMPLE_WORDS).map(|w| lex.stop_mask(w)));
        let f = features(piece, words, masks, lang, false);
        let p = sigmoid(f.score());
        if p < TAIL_THRESHOLD {
            break;
        }
        tail_words += words.len();
        tail = Some(Tail {
            segment: 0,
            start,
            score: tail.map_or(p, |t| t.score.min(p)),
            signals: tail.map_or(f.signals(), |t| t.signals & f.signals()),
        });
        end = start;
    }
    tail.filter(|_| tail_words >= TAIL_MIN_TAIL_WORDS)
}

/// Byte offsets where sentences start: 0, then after each `.`, `!`, `?` or `…` that is followed by
/// whitespace (the whitespace is skipped). The marks are found with `memchr`, not char by char.
fn sentence_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let ellipsis = memchr::memmem::find_iter(bytes, "…".as_bytes()).map(|i| i + "…".len());
    let mut ends: Vec<usize> = memchr::memchr3_iter(b'.', b'!', b'?', bytes)
        .map(|i| i + 1)
        .chain(ellipsis)
        .collect();
    ends.sort_unstable();
    let mut starts = vec![0];
    for end in ends {
        let rest = &text[end..];
        let after = rest.trim_start();
        if after.len() < rest.len() && !after.is_empty() {
            let start = text.len() - after.len();
            if starts.last() != Some(&start) {
                starts.push(start);
            }
        }
    }
    starts
}

pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::tokenize;

    fn evidence_of(text: &str) -> (Tokens, Evidence) {
        let mut t = Tokenizer::new();
        let tokens = tokenize(text, &mut t);
        let e = evidence(text, &tokens, &mut t);
        (tokens, e)
    }

    #[test]
    fn guesses_the_language_from_stop_words() {
        let lex = lexicon();
        let mut t = Tokenizer::new();
        let mut mask = |s: &str| {
            let mut w = Vec::new();
            t.words(s, &mut w);
            w.iter().map(|h| lex.stop_mask(h)).collect::<Vec<u8>>()
        };
        assert_eq!(
            language_bit(mask("Les chefs de la diplomatie sont dans le pays et ils").into_iter()),
            2
        );
        assert_eq!(
            language_bit(mask("The cat is on the mat and it is").into_iter()),
            1
        );
    }

    #[test]
    fn prose_scores_low_and_widgets_high() {
        let (_, e) = evidence_of(
            "Famine early warning systems have a good track record of predicting food shortages \
             but are poor at triggering early action, a report has concluded.\n\
             Share this page | Facebook | Twitter\n\
             Last updated 5 April 2013 at 11:09 GMT\n",
        );
        assert!(e.local[0] < -1.0, "{:?}", e.local);
        assert!(e.local[1] > 1.0, "{:?}", e.local);
        assert!(e.local[2] > 1.0, "{:?}", e.local);
        assert_eq!(e.templates.len(), 1);
        assert_eq!(e.templates[0].0, 2);
    }

    #[test]
    fn templates_ignore_the_digits() {
        let key = |s: &str| features(s, &[], &[], 1, false).template;
        let a = key("Posted 12 May 2013, 11:09");
        assert!(a.is_some());
        assert_eq!(a, key("posted 3 MAY 2014, 09:40"));
        assert_ne!(a, key("Posted 3 June 2014, 09:40"));
        assert_eq!(key("Posted in May"), None);
        // One word left is a unit, not a template.
        assert_eq!(key("2 235 010 EUROS"), None);
        assert!(key("12 Comments so far").is_some());
    }

    #[test]
    fn cue_phrases_match_on_normalised_words() {
        let (_, e) = evidence_of("LEAVE A REPLY\nVotre adresse e-mail ne sera pas publiée.\n");
        assert!(e.signals.iter().all(|s| s & signal::CUE != 0));
    }

    #[test]
    fn a_widget_after_the_last_sentence_is_a_tail() {
        let text = "Et selon l'ONU, le risque est grand de voir ce nombre doubler pour atteindre \
                    1,1 million d'ici juin 2013 si les hostilités perdurent. * Tweet * * * VN:F \
                    [1.9.21_1169] please wait… Rating: 0.0/5 (0 votes cast) VN:F [1.9.21_1169] \
                    Rating: 0 (from 0 votes)";
        let (_, e) = evidence_of(text);
        assert_eq!(e.tails.len(), 1, "{e:?}");
        assert_eq!(&text[e.tails[0].start..e.tails[0].start + 7], "* Tweet");
        // A paragraph that ends in a sentence has no tail.
        let (_, e) = evidence_of(&text[..text.find(" * Tweet").unwrap()]);
        assert!(e.tails.is_empty());
    }

    #[test]
    fn sentence_starts_skip_the_space() {
        assert_eq!(sentence_starts("A b. C d… E?F"), vec![0, 5, 12]);
    }
}
