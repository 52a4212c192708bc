//! Furniture evidence (document stage): a document's text and [`Tokens`] in, its
//! [`Evidence`] out: per segment the local part of its page-furniture score (the
//! [`Features`] of [`crate::furniture`], weighed by its [`LOCAL`](crate::furniture::LOCAL)
//! weights), the keys of its segments with the digits taken out (templates), and the sentence
//! tails of long lines that read as furniture.
//!
//! Stop words are the NLTK lists of the `stop-words` crate for the [`LANGUAGES`]; the document's
//! language is the one with the most stop-word hits in its first words.

use super::chars;
use super::lexicon::{lexicon, LANGUAGES};
use super::lines::{strip_closers, CLOSERS, FULL_STOPS};
use super::normalize::{Reading, Tokenizer};
use super::paragraphs::{Segment, Tokens};
use crate::furniture::{context, page, sigmoid, Evidence, Features, Tail, TAIL_THRESHOLD};

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
/// A segment with this many separators (`Home | News | Sport`) reads as a menu.
const MENU_SEPARATORS: u32 = 2;
const SAMPLE_WORDS: usize = 64;
/// A cue phrase counts only in segments of at most this many words.
const CUE_MAX_WORDS: usize = 40;

/// [`evidence`] for `--furniture auto`: a document that cannot be a page ([`page::may_be_page`]:
/// no furniture phrase, too few short lines in runs, or too little prose) gets only what the
/// corpus counts need of it, its template keys, and is marked as no page; its segments are not
/// scored, as nothing of it will be cut as furniture.
pub fn evidence_if_page(text: &str, tokens: &Tokens, tokenizer: &mut Tokenizer) -> Evidence {
    let segs = &tokens.segments;
    let words = |i: usize| &tokens.words[segs[i].words.start as usize..segs[i].words.end as usize];
    let sample = |i: usize| {
        let t = &text[segs[i].start..segs[i].end];
        &t[..t.floor_char_boundary(SAMPLE_BYTES)]
    };
    let wrapped = segs.iter().filter(|s| s.last_line > s.first_line).count() as u32;
    // Whether each segment holds a cue phrase: the page bound needs it, and so do the features
    // of a page.
    let cues: Vec<bool> = (0..segs.len()).map(|i| has_cue(words(i))).collect();
    let may_be_page = page::may_be_page(
        segs,
        wrapped,
        |i| cues[i],
        |i| separators(sample(i)) >= MENU_SEPARATORS,
    );
    if may_be_page {
        return evidence_with(text, tokens, tokenizer, |i| cues[i]);
    }
    let templates = segs
        .iter()
        .enumerate()
        .filter_map(|(i, seg)| {
            let t = &text[seg.start..seg.end];
            if t.len() > SAMPLE_BYTES || !chars::has_digit(t) {
                return None;
            }
            Some((i as u32, chars::template_key(t, TEMPLATE_MIN_WORDS)?))
        })
        .collect();
    Evidence {
        templates,
        wrapped,
        no_page: true,
        ..Evidence::default()
    }
}

impl context::Segment for Segment {
    fn bytes(&self) -> (usize, usize) {
        (self.start, self.end)
    }
    fn key(&self) -> u64 {
        self.key
    }
    fn sentence(&self) -> bool {
        self.sentence
    }
    fn words(&self) -> u32 {
        self.words.end - self.words.start
    }
}

/// The furniture evidence of a document (`text` as tokenized into `tokens`).
pub fn evidence(text: &str, tokens: &Tokens, tokenizer: &mut Tokenizer) -> Evidence {
    evidence_with(text, tokens, tokenizer, |i| {
        let s = &tokens.segments[i];
        has_cue(&tokens.words[s.words.start as usize..s.words.end as usize])
    })
}

/// [`evidence`], `cue(i)` saying whether segment `i` holds a cue phrase (asked only of segments
/// of at most [`CUE_MAX_WORDS`] words).
fn evidence_with(
    text: &str,
    tokens: &Tokens,
    tokenizer: &mut Tokenizer,
    cue: impl Fn(usize) -> bool,
) -> Evidence {
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
    let lang = language_bit(&first);
    let mut local = Vec::with_capacity(tokens.segments.len());
    let mut signals = Vec::with_capacity(tokens.segments.len());
    let mut templates = Vec::new();
    let mut tails = Vec::new();
    let mut scratch = Vec::new();
    let mut masks = Vec::new();
    let mut page_cues = 0;
    let mut wrapped = 0;
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
        let cue = words.len() <= CUE_MAX_WORDS && cue(i);
        let f = measure(seg_text, words, &masks, lang, seg.sentence, cue);
        local.push(f.score());
        signals.push(f.signals());
        // A one-word cue ("Advertisement", "Publicité") is evidence of a page only as a line of
        // its own: inside a sentence it is a word ("Router Advertisement").
        page_cues += u32::from(f.cue && !f.code && (words.len() == 1 || !one_word_cue(words)));
        wrapped += u32::from(seg.last_line > seg.first_line);
        if let Some(key) = f.template {
            templates.push((i as u32, key));
        }
        if words.len() >= TAIL_MIN_WORDS && seg.sentence {
            if let Some((tail, cue)) = furniture_tail(
                seg_text,
                lang,
                tokens.reading,
                tokenizer,
                &mut scratch,
                &mut masks,
            ) {
                page_cues += u32::from(cue);
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
        page_cues,
        wrapped,
        no_page: false,
    }
}

/// The bit of the language with the most stop-word hits among the stop-word `masks` of a
/// document's first words (English when there are none), or 0 when no list covers the document:
/// at least [`UNKNOWN_MIN_WORDS`] words of which fewer than [`UNKNOWN_SHARE`] are stop words of
/// that language (Polish, Swedish, Greek…). The stop-word share then means nothing, and the
/// features give it a neutral value instead of reading its absence as furniture.
fn language_bit(masks: &[u8]) -> u8 {
    // Each language's hits are counted in bytes over chunks of 255 masks, a loop the compiler
    // vectorizes.
    let mut hits = [0u32; 8];
    for chunk in masks.chunks(255) {
        for (bit, h) in hits.iter_mut().enumerate() {
            *h += u32::from(chunk.iter().fold(0u8, |n, &m| n + (m >> bit & 1)));
        }
    }
    let best = (0..LANGUAGES.len())
        .max_by_key(|&b| (hits[b], std::cmp::Reverse(b)))
        .unwrap_or(0);
    if masks.len() >= UNKNOWN_MIN_WORDS && (hits[best] as f32) < UNKNOWN_SHARE * masks.len() as f32
    {
        return 0;
    }
    1 << best
}

/// A document of at least this many words is in no known language when fewer than
/// [`UNKNOWN_SHARE`] of its first words are stop words of its best language.
const UNKNOWN_MIN_WORDS: usize = 30;
const UNKNOWN_SHARE: f32 = 0.05;
/// The stop-word share given to every segment of a document in no known language: about that of
/// prose, so that the absence of stop words does not read as furniture.
const NEUTRAL_STOP_SHARE: f32 = 0.4;

/// The features of one unit of text with its normalised `words` and the stop-word `masks` of
/// (at least the first [`SAMPLE_WORDS`] of) them.
///
/// The character shares come from one pass over the first [`SAMPLE_BYTES`] ([`chars::stats`]);
/// a short unit with digits is read again for its template key.
pub fn features(text: &str, words: &[u64], masks: &[u8], lang: u8, sentence: bool) -> Features {
    let cue = words.len() <= CUE_MAX_WORDS && has_cue(words);
    measure(text, words, masks, lang, sentence, cue)
}

/// [`features`], `cue` saying whether the unit has at most [`CUE_MAX_WORDS`] words and holds a
/// cue phrase.
fn measure(
    text: &str,
    words: &[u64],
    masks: &[u8],
    lang: u8,
    sentence: bool,
    cue: bool,
) -> Features {
    let whole = text.len() <= SAMPLE_BYTES;
    let c = chars::stats(&text[..text.floor_char_boundary(SAMPLE_BYTES)]);
    let share = |n: u32, of: u32| n as f32 / of.max(1) as f32;
    let stop_hits = masks.iter().filter(|&&m| m & lang != 0).count();
    let (code_chars, separators, markup) = shape(&text[..text.floor_char_boundary(SAMPLE_BYTES)]);
    let code = markup || (code_chars >= 2 && code_chars * 20 >= c.visible);
    Features {
        words: words.len(),
        stop: if lang == 0 {
            NEUTRAL_STOP_SHARE
        } else {
            share(stop_hits as u32, masks.len() as u32)
        },
        sentence,
        ends_sentence: ends_with_sentence_end(text),
        punct: share(c.punct, c.visible),
        digits: share(c.digits, c.visible),
        caps: share(c.caps, c.words),
        cue,
        // An attribution line (a quote's, an embedded post's) starts with a dash: "— Name
        // (@name) February 17, 2020".
        content_phrase: words.len() <= CUE_MAX_WORDS
            && (has_content_phrase(words) || text.starts_with(['—', '―'])),
        separator: c.separator,
        code,
        menu: !sentence
            && !code
            && ((1..=4).contains(&words.len()) && c.digits == 0 || separators >= MENU_SEPARATORS),
        has_digits: c.digits > 0,
        // Only a short segment with digits has a template (a second pass, rarely taken).
        template: if whole && c.digits > 0 {
            chars::template_key(text, TEMPLATE_MIN_WORDS)
        } else {
            None
        },
    }
}

/// Whether a byte is a code character for [`shape`]: `{}[]();=<>\\` or a backquote. Written as
/// ranges and comparisons, so that a loop over bytes tests sixteen at a time.
#[inline]
fn is_code_mark(b: u8) -> bool {
    matches!(b, b'(' | b')')
        | matches!(b, b';'..=b'>')
        | matches!(b, b'['..=b']')
        | (b == b'`')
        | (b == b'{')
        | (b == b'}')
}

/// How many separators between items a unit's first bytes hold: `|`, `»`, `›`, `·` and `•`.
fn separators(sample: &str) -> u32 {
    let bytes = sample.as_bytes();
    count_bytes(bytes, |b| b == b'|') + wide_separators(bytes)
}

/// How many of `bytes` are `wanted`: counted in bytes over chunks of 255, a loop the compiler
/// vectorizes when `wanted` is made of comparisons.
#[inline]
fn count_bytes(bytes: &[u8], wanted: impl Fn(u8) -> bool) -> u32 {
    bytes
        .chunks(255)
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &b| n + u8::from(wanted(b)));
            u32::from(n)
        })
        .sum()
}

/// How many of the separators `»` (C2 BB), `·` (C2 B7), `›` (E2 80 BA) and `•` (E2 80 A2) the
/// UTF-8 `bytes` hold, found from their first bytes with `memchr`.
fn wide_separators(bytes: &[u8]) -> u32 {
    memchr::memchr2_iter(0xC2, 0xE2, bytes)
        .filter(|&i| match bytes[i] {
            0xC2 => matches!(bytes.get(i + 1), Some(0xBB | 0xB7)),
            _ => bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xBA | 0xA2)),
        })
        .count() as u32
}

/// The shape of a unit's first bytes: how many code characters it holds (brackets, braces,
/// parentheses, `;`, `=`, `<`, `>`, `\\`, backquotes), how many separators between items
/// ([`separators`]), and whether it starts like Markdown or a quote (`#`, a list bullet, `|`,
/// `>`, a code fence).
fn shape(sample: &str) -> (u32, u32, bool) {
    let bytes = sample.as_bytes();
    // Code characters and bars in one pass, counted in bytes over chunks of 255.
    let (code, bars) = bytes.chunks(255).fold((0, 0), |(code, bars), chunk| {
        let (c, b) = chunk.iter().fold((0u8, 0u8), |(c, n), &b| {
            (c + u8::from(is_code_mark(b)), n + u8::from(b == b'|'))
        });
        (code + u32::from(c), bars + u32::from(b))
    });
    let separators = bars + wide_separators(bytes);
    let start = sample.trim_start();
    let markup = start.starts_with(['#', '|', '>'])
        || start.starts_with("```")
        || ["* ", "- ", "+ "].iter().any(|b| start.starts_with(b))
        || is_path_like(start.trim_end());
    (code, separators, markup)
}

/// One token holding a path, URL or identifier separator (`/lib/Paket/`, `https://…`,
/// `AF_INET6`, `file.conf`): the entries of a documentation list, not of a menu.
fn is_path_like(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && text
            .trim_end_matches(['.', ':', ',', ';'])
            .contains(['/', '_', '.', ':', '\\', '@', '$', '~'])
}

/// Whether the text ends with `.`, `!`, `?` or `…`, possibly followed by closing quotes or
/// brackets.
fn ends_with_sentence_end(text: &str) -> bool {
    let end = strip_closers(text.trim_end());
    end.ends_with(['.', '!', '?', '…']) || end.ends_with(FULL_STOPS)
}

/// Whether the text ends with `.`, `!`, `?` or one of the [`FULL_STOPS`], possibly followed by
/// closing quotes or brackets: a sentence, not furniture.
fn ends_prose(text: &str) -> bool {
    let end = strip_closers(text.trim_end());
    end.ends_with(['.', '!', '?']) || end.ends_with(FULL_STOPS)
}

/// Whether every cue phrase in `words` is one word long.
fn one_word_cue(words: &[u64]) -> bool {
    !lexicon().cues.found_in(words, true)
}

fn has_content_phrase(words: &[u64]) -> bool {
    lexicon().content.found_in(words, false)
}

fn has_cue(words: &[u64]) -> bool {
    lexicon().cues.found_in(words, false)
}

/// The longest run of final sentences of `text` that each score as furniture on their own, if it
/// leaves at least one sentence before it (`start` is an offset into `text`, `segment` is 0), and
/// whether one of its sentences holds a furniture phrase. Sentences that end with `.`, `!` or `?`
/// are prose and stop the run.
fn furniture_tail(
    text: &str,
    lang: u8,
    reading: Reading,
    tokenizer: &mut Tokenizer,
    words: &mut Vec<u64>,
    masks: &mut Vec<u8>,
) -> Option<(Tail, bool)> {
    // A line that ends a sentence has no furniture tail (its last piece would stop the walk
    // below at once): most prose lines are settled here, without splitting them.
    if ends_prose(text) {
        return None;
    }
    let lex = lexicon();
    let bounds = sentence_starts(text);
    let mut tail: Option<Tail> = None;
    let mut tail_words = 0;
    let mut cue = false;
    let mut end = text.len();
    for &start in bounds.iter().rev() {
        if start == 0 {
            break;
        }
        let piece = text[start..end].trim();
        if piece.is_empty() || ends_prose(piece) {
            break;
        }
        words.clear();
        tokenizer.tokens(piece, reading, words);
        masks.clear();
        masks.extend(words.iter().take(SAMPLE_WORDS).map(|w| lex.stop_mask(w)));
        let f = features(piece, words, masks, lang, false);
        let p = sigmoid(f.score());
        if p < TAIL_THRESHOLD {
            break;
        }
        tail_words += words.len();
        cue |= f.cue;
        tail = Some(Tail {
            segment: 0,
            start,
            score: tail.map_or(p, |t| t.score.min(p)),
            signals: tail.map_or(f.signals(), |t| t.signals & f.signals()),
        });
        end = start;
    }
    tail.filter(|_| tail_words >= TAIL_MIN_TAIL_WORDS)
        .map(|t| (t, cue))
}

/// Byte offsets where sentences start: 0, then after each `.`, `!`, `?` or `…` that is followed by
/// whitespace (the whitespace is skipped), and after each of the [`FULL_STOPS`] (with the closing
/// quotes and whitespace after it). The ASCII marks are found with `memchr`, not char by char.
fn sentence_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let ellipsis = memchr::memmem::find_iter(bytes, "…".as_bytes()).map(|i| i + "…".len());
    let mut ends: Vec<usize> = memchr::memchr3_iter(b'.', b'!', b'?', bytes)
        .map(|i| i + 1)
        .chain(ellipsis)
        .collect();
    let mut full_stops = Vec::new();
    if crate::doc::lines::may_hold_full_stop(bytes) {
        for (i, c) in text.match_indices(FULL_STOPS) {
            let after = &text[i + c.len()..];
            full_stops.push(text.len() - after.trim_start_matches(CLOSERS).len());
        }
        ends.extend(&full_stops);
    }
    ends.sort_unstable();
    let mut starts = vec![0];
    for end in ends {
        let rest = &text[end..];
        let after = rest.trim_start();
        let stops = full_stops.binary_search(&end).is_ok();
        if (after.len() < rest.len() || stops) && !after.is_empty() {
            let start = text.len() - after.len();
            if starts.last() != Some(&start) {
                starts.push(start);
            }
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::paragraphs::tokenize;

    #[test]
    fn shape_counts_marks_and_separators_by_character() {
        let by_char = |s: &str| {
            let code = s.chars().filter(|c| "{}[]();=<>\\`".contains(*c)).count() as u32;
            let seps = s.chars().filter(|c| "|»›·•".contains(*c)).count() as u32;
            (code, seps)
        };
        for s in [
            "Home » News › Sport · Tennis • Live | Scores",
            "fn f(x: &[u8]) -> bool { x == b\"<>\" }; `a\\b`",
            "〺 U+303A, ƺ U+01BA, ¢ U+00A2, 𐂺 four bytes, » at the end»",
            "",
        ] {
            let (code, seps, _) = shape(s);
            assert_eq!((code, seps), by_char(s), "{s}");
            assert_eq!(separators(s), seps, "{s}");
        }
    }

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
            language_bit(&mask("Les chefs de la diplomatie sont dans le pays et ils")),
            2
        );
        assert_eq!(language_bit(&mask("The cat is on the mat and it is")), 1);
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
        assert!(e
            .signals
            .iter()
            .all(|s| s & crate::furniture::signal::CUE != 0));
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
        // No space after a Japanese full stop; the closing bracket stays with its sentence.
        let text = "東京。「はい。」大阪";
        let starts: Vec<&str> = sentence_starts(text).iter().map(|&i| &text[i..]).collect();
        assert_eq!(starts, ["東京。「はい。」大阪", "「はい。」大阪", "大阪"]);
    }
}
