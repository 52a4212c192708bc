//! The page-furniture model: the features of a segment, the weights of both stages, and the
//! score. Page furniture is what a reader skips: menus, share and rating widgets, comment forms,
//! bylines, "Related stories". A small logistic model scores each segment in two stages:
//!
//! 1. **The segment itself** ([`LOCAL`]): its length in words, the share of stop words of the
//!    document's language, whether it has or ends with a sentence, its shares of punctuation and
//!    symbols, of digits and of capitalised words, separators (`|`, `»`, `©`…) and known furniture
//!    phrases ("Leave a Reply", "Publicité", …). The document stage measures these
//!    ([`crate::doc::evidence`]) into an [`Evidence`] per document; the corpus evidence ([`CORPUS`]:
//!    in how many documents the segment is, whether its digit-free template is in others) is added
//!    by [`context::scores`].
//! 2. **Its context** ([`CONTEXT`], [`context`]): the stage-1 scores of its neighbours, whether it
//!    lies before or after the document's main block of text and how far, and whether it is in the
//!    first or last tenth of the document.
//!
//! The stage-1 weights were fit by `scripts/fit/furniture.py` (logistic regression weighted by
//! bytes) on the pages of `boilerplate-sites-en` outside its held-out sites and on seeds 001–004,
//! the stage-2 weights by `scripts/fit/context.py` on every site; the cue phrases' weight,
//! [`CONTENT_PHRASE`], [`HEADLINE`] and [`INTERIOR`] are set by hand (see the README). Whether a
//! document gets furniture cutting at all is [`page`]'s decision.

pub mod context;
pub mod dump;
pub mod page;
pub mod signal;

use std::sync::OnceLock;

/// Stage-1 weights: the segment's own features (see [`Features`] for their order).
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
/// Subtracted from the stage-1 score of a segment holding a phrase of an article's own text
/// (credit lines: "contributed to this report"). Set by hand, like the cue weight.
pub const CONTENT_PHRASE: f32 = 6.0;
/// Subtracted from the stage-2 score of a headline: a segment of [`HEADLINE_WORDS`] words without
/// a sentence end, within [`HEADLINE_REACH`] segments before the main block, without cue phrase
/// or corpus evidence. Set by hand.
pub const HEADLINE: f32 = 3.0;
pub const HEADLINE_WORDS: std::ops::RangeInclusive<u32> = 5..=24;
pub const HEADLINE_REACH: usize = 5;
/// Stage-1 intercept.
pub const LOCAL_BIAS: f32 = -0.607;
/// Stage-1 weights of corpus evidence: in 2+ documents, ln(documents), template in 2+ documents.
pub const CORPUS: [f32; 3] = [2.407, 1.395, 2.286];
/// Stage-2 weights: own stage-1 score, previous, next, mean over ±3 segments, before the main
/// block, after it, ln(1 + distance to it), in the first tenth, in the last tenth. Fit by
/// `scripts/fit/context.py --content-weight 2` on the binary's own stage-2 inputs over every
/// site of `boilerplate-sites-en` (a content byte weighing twice a boilerplate byte); its
/// leave-publisher-out cross-validation gives the held-out figures of the README.
pub const CONTEXT: [f32; 9] = [
    0.683, 0.136, 0.111, 0.018, -0.389, 3.180, 0.407, -0.874, 1.203,
];
/// Subtracted from the stage-2 score of a segment in an interior run (furniture-like segments
/// between two content-like ones inside the main block, without cue phrase or corpus evidence).
/// Set by hand, like the cue weight: it keeps the table of figures of fr-web-pages' infocomcgt
/// page (1.5 and 3.0 give the same evaluation figures); boilerplate-sites-en moves by at most
/// 0.001 either way.
pub const INTERIOR: f32 = 2.0;
/// Stage-2 intercept.
pub const CONTEXT_BIAS: f32 = -1.670;
/// The stage-1 score given to the missing neighbour of a document's first and last segment (a
/// document edge counts as furniture-like).
pub const EDGE_SCORE: f32 = 3.0;

/// Default of `--boilerplate-threshold`: the furniture probability at which a segment is cut.
pub const DEFAULT_THRESHOLD: f32 = 0.8;
/// A sentence tail is cut only at this probability or above (it has no context score).
pub const TAIL_THRESHOLD: f32 = 0.9;

/// What the detect stage needs of one document to score its furniture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Per segment, the stage-1 score without corpus evidence.
    pub local: Box<[f32]>,
    /// Per segment that contains digits: its index and the key of its words without digits.
    pub templates: Box<[(u32, u64)]>,
    /// Sentence tails of long segments that read as furniture (ascending by segment).
    pub tails: Box<[Tail]>,
    /// Per segment, a bit set of [`signal`]s that held (for the report's reason, and the shape
    /// that [`page`] reads).
    pub signals: Box<[u8]>,
    /// Furniture phrases in the document outside code (segments that hold one, and long lines
    /// whose furniture tail holds one): evidence that it is a page.
    pub page_cues: u32,
    /// Segments that join several lines (hard-wrapped paragraphs): evidence against a page, as
    /// a page turned into text has one line per block.
    pub wrapped: u32,
    /// `--furniture auto` found that the document cannot be a page
    /// ([`page::may_be_page`]): only `templates` and `wrapped` were measured.
    pub no_page: bool,
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
    /// It holds a phrase of an article's own text (a credit line): [`CONTENT_PHRASE`].
    pub content_phrase: bool,
    pub separator: bool,
    /// Whether it reads as code or markup, as a menu entry, and whether it holds a digit: the
    /// shape [`page`] reads (not weighed here).
    pub code: bool,
    pub menu: bool,
    pub has_digits: bool,
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
        let content = if self.content_phrase {
            CONTENT_PHRASE
        } else {
            0.0
        };
        LOCAL_BIAS - content
            + self
                .vector()
                .iter()
                .zip(LOCAL)
                .map(|(x, w)| x * w)
                .sum::<f32>()
    }

    /// The signals that held, for the report's reason.
    pub fn signals(&self) -> u8 {
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
        if self.code {
            s |= signal::CODE;
        }
        if self.menu {
            s |= signal::MENU;
        }
        if self.has_digits {
            s |= signal::DIGITS;
        }
        s
    }
}

/// `ln(1 + n)`, read from a table for the small counts that most segments have (the same
/// values: the table is filled by the same expression).
pub(crate) fn ln_1p_count(n: usize) -> f32 {
    static TABLE: OnceLock<[f32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| std::array::from_fn(|i| (i as f32).ln_1p()));
    table.get(n).copied().unwrap_or_else(|| (n as f32).ln_1p())
}

/// The logistic function: a score in, a probability out.
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}
