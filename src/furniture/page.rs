//! Whether a document is a page (detect stage): its segments, their shape signals and the
//! corpus's key counts in, the decision to cut page furniture in it out, with the evidence.
//!
//! Page furniture exists where there is a page: a web page turned into text keeps its menus,
//! share widgets and comment forms. Documentation, newswire, source code and Markdown have none,
//! but their headings, table cells, code lines and figures read as furniture to the model. So
//! with `--furniture auto` the classifier cuts only in documents with evidence of a page:
//!
//! - **furniture phrases** ("Leave a Reply", "Publicité", "Privacy Policy") outside code;
//! - **furniture blocks**: runs of at least [`BLOCK_RUN`] consecutive segments each of which is a
//!   menu entry (one to four words without digits, code or sentence end, or short items between
//!   separators: `Home | News | Sport`), a line found in other documents (a template: at most
//!   eight words, no sentence end, digits or code), or a furniture phrase.
//!
//! and against it **code and markup**: the share of segments that read as code (brackets,
//! semicolons, `=`, `<>`) or start like Markdown (`#`, `*`, `-`, `|`, `>`, fences).
//!
//! The score is `CUE × min(phrases, 3) + BLOCK × share in blocks − CODE × share of code − 1`; a
//! document is a page when it is above 0. The weights were set on the pages of
//! `boilerplate-sites-en` against the Reuters, documentation, code and Markdown corpora of
//! `scripts/eval/quality.py` (see the README).

use super::context::Segment;
use super::signal;
use rustc_hash::FxHashMap as HashMap;

/// A run of at least this many furniture-like segments is a furniture block.
pub const BLOCK_RUN: u32 = 3;
/// Weights of the page score.
const CUE: f32 = 1.5;
const BLOCK: f32 = 5.0;
const CODE: f32 = 6.0;
const WRAPPED: f32 = 6.0;
const BIAS: f32 = 1.0;
/// A page's prose is at least this share of its bytes.
const MIN_PROSE_SHARE: f32 = 0.1;
/// A prose segment holds a sentence end and at least this many words.
const PROSE_WORDS: u32 = 15;
/// A template line (found in other documents) has at most this many words.
const TEMPLATE_WORDS: u32 = 8;

/// What made a document a page, for the report's reason (a bit set).
pub mod why {
    /// It holds furniture phrases.
    pub const PHRASES: u8 = 1;
    /// It has furniture blocks (menus, lines shared with other documents).
    pub const BLOCKS: u8 = 2;
    /// `--furniture on`: every document is treated as a page.
    pub const FORCED: u8 = 4;
}

/// The words of the `reason` column for why a document got furniture cutting.
pub fn describe(why: u8) -> &'static str {
    match (
        why & why::FORCED != 0,
        why & why::PHRASES != 0,
        why & why::BLOCKS != 0,
    ) {
        (true, ..) => "; furniture on",
        (false, true, true) => "; page: furniture phrases, furniture blocks",
        (false, true, false) => "; page: furniture phrases",
        (false, false, true) => "; page: furniture blocks",
        (false, false, false) => "",
    }
}

/// The evidence of one document.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    pub segments: u32,
    /// Furniture phrases outside code.
    pub phrases: u32,
    /// Segments in furniture blocks.
    pub in_blocks: u32,
    /// Segments that read as code or markup.
    pub code: u32,
    /// Segments that join hard-wrapped lines.
    pub wrapped: u32,
    /// Bytes of its segments, and of those that are prose (a sentence of at least
    /// [`PROSE_WORDS`] words).
    pub bytes: u64,
    pub prose_bytes: u64,
}

impl Evidence {
    /// The page score (above 0: a page).
    pub fn score(&self) -> f32 {
        let n = self.segments.max(1) as f32;
        CUE * self.phrases.min(3) as f32 + BLOCK * self.in_blocks as f32 / n
            - CODE * self.code as f32 / n
            - WRAPPED * self.wrapped as f32 / n
            - BIAS
    }

    /// Why the document is a page ([`why`]), or `None` when it is not one. A document without
    /// prose (an index, a list of links, a table) is not a page: page furniture surrounds a text.
    pub fn decide(&self) -> Option<u8> {
        let prose = self.prose_bytes as f32 >= MIN_PROSE_SHARE * self.bytes as f32;
        (prose && self.score() > 0.0).then(|| {
            let mut w = 0;
            if self.phrases > 0 {
                w |= why::PHRASES;
            }
            if self.in_blocks > 0 {
                w |= why::BLOCKS;
            }
            w
        })
    }
}

/// The page evidence of a document: its segments, what the document stage measured of them
/// (their signals, the furniture phrases, the hard-wrapped segments), and the corpus's key
/// `counts` (a key in two documents or more is a template).
pub fn evidence<S: Segment>(
    segs: &[S],
    local: &super::Evidence,
    counts: &HashMap<u64, u32>,
) -> Evidence {
    let signals = &local.signals;
    tally(segs, local.page_cues, local.wrapped, |i, s| {
        let sig = signals.get(i).copied().unwrap_or(0);
        let code = sig & signal::CODE != 0;
        let template = !code
            && !s.sentence()
            && sig & signal::DIGITS == 0
            && s.words() <= TEMPLATE_WORDS
            && counts.get(&s.key()).is_some_and(|&n| n >= 2);
        let furniture_like =
            sig & signal::MENU != 0 || template || (sig & signal::CUE != 0 && !code);
        (furniture_like, code)
    })
}

/// Whether a document can be a page at all, from what tokenizing shows, before any feature is
/// measured: the document stage skips the features of one that cannot. `cue(i)` says whether
/// segment `i` holds a furniture phrase, `separators(i)` whether it has two menu separators or
/// more. The bound counts every segment that could be a menu entry, a template or a phrase as
/// in a block, two phrases per segment that holds one (the segment's and its sentence tail's)
/// and no code, so that a document it rules out has no page [`evidence`] whatever the corpus.
pub fn may_be_page<S: Segment>(
    segs: &[S],
    wrapped: u32,
    cue: impl Fn(usize) -> bool,
    separators: impl Fn(usize) -> bool,
) -> bool {
    let mut phrases = 0;
    let bound = tally(segs, 0, wrapped, |i, s| {
        let cue = cue(i);
        phrases += 2 * u32::from(cue);
        // A menu entry has at most four words, a template at most eight, or separators.
        let short = !s.sentence() && (s.words() <= TEMPLATE_WORDS || separators(i));
        (cue || short, false)
    });
    Evidence { phrases, ..bound }.decide().is_some()
}

/// Sums a document's evidence, `like(i, segment)` saying whether a segment is furniture-like
/// and whether it is code.
fn tally<S: Segment>(
    segs: &[S],
    phrases: u32,
    wrapped: u32,
    mut like: impl FnMut(usize, &S) -> (bool, bool),
) -> Evidence {
    let mut e = Evidence {
        segments: segs.len() as u32,
        phrases,
        wrapped,
        ..Evidence::default()
    };
    let mut run = 0;
    for (i, s) in segs.iter().enumerate() {
        let (start, end) = s.bytes();
        e.bytes += (end - start) as u64;
        if s.sentence() && s.words() >= PROSE_WORDS {
            e.prose_bytes += (end - start) as u64;
        }
        let (furniture_like, code) = like(i, s);
        e.code += u32::from(code);
        if furniture_like {
            run += 1;
        } else {
            if run >= BLOCK_RUN {
                e.in_blocks += run;
            }
            run = 0;
        }
    }
    if run >= BLOCK_RUN {
        e.in_blocks += run;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Seg {
        key: u64,
        words: u32,
        sentence: bool,
    }

    impl Segment for Seg {
        fn bytes(&self) -> (usize, usize) {
            (0, 6 * self.words as usize)
        }
        fn key(&self) -> u64 {
            self.key
        }
        fn sentence(&self) -> bool {
            self.sentence
        }
        fn words(&self) -> u32 {
            self.words
        }
    }

    fn local(signals: &[u8], phrases: u32) -> crate::furniture::Evidence {
        crate::furniture::Evidence {
            signals: signals.into(),
            page_cues: phrases,
            ..Default::default()
        }
    }

    fn seg(key: u64, words: u32, sentence: bool) -> Seg {
        Seg {
            key,
            words,
            sentence,
        }
    }

    #[test]
    fn a_menu_block_makes_a_page_and_code_does_not() {
        let counts = HashMap::default();
        // Three menu entries, then two paragraphs.
        let segs = [
            seg(1, 1, false),
            seg(2, 2, false),
            seg(3, 1, false),
            seg(4, 40, true),
            seg(5, 30, true),
        ];
        let menu = [signal::MENU, signal::MENU, signal::MENU, 0, 0];
        let e = evidence(&segs, &local(&menu, 0), &counts);
        assert_eq!(e.in_blocks, 3);
        assert_eq!(e.decide(), Some(why::BLOCKS));
        // The same shape in code lines: not a page.
        let code = [signal::CODE; 5];
        assert_eq!(evidence(&segs, &local(&code, 0), &counts).decide(), None);
        // Two menu entries are no block.
        assert_eq!(
            evidence(&segs[1..], &local(&menu[1..], 0), &counts).decide(),
            None
        );
    }

    #[test]
    fn lines_shared_with_other_documents_form_blocks_and_phrases_count() {
        let mut counts = HashMap::default();
        for k in [1, 2, 3] {
            counts.insert(k, 5);
        }
        let segs = [
            seg(1, 5, false),
            seg(2, 6, false),
            seg(3, 7, false),
            seg(4, 40, true),
        ];
        let plain = [0u8; 4];
        assert_eq!(
            evidence(&segs, &local(&plain, 0), &counts).decide(),
            Some(why::BLOCKS)
        );
        // With digits they are figures (newswire tables), not templates.
        let digits = [signal::DIGITS; 4];
        assert_eq!(evidence(&segs, &local(&digits, 0), &counts).decide(), None);
        // One furniture phrase is enough evidence on its own.
        assert_eq!(
            evidence(&segs, &local(&digits, 1), &counts).decide(),
            Some(why::PHRASES)
        );
    }
}
