//! Paragraphs (document stage): a document's text in, its [`Segment`]s and word hashes out
//! ([`Tokens`]).
//!
//! A segment is the unit of matching: a non-blank line, or several lines when a paragraph is
//! hard-wrapped. A line joins the previous one when that one is long (at least
//! [`WRAP_MIN_BYTES`]) and does not end a sentence, the new line is not indented deeper (newswire
//! starts each paragraph with an indent), and it reads as a continuation: it starts in lower case
//! or with a digit, or the previous line ends with a comma or hyphen, or the whole document is
//! hard-wrapped (no line over [`WRAPPED_MAX_BYTES`], most lines over [`WRAP_MIN_BYTES`] + 16) and
//! the previous line is not an all-capitals headline, or, in a script written without spaces
//! (Chinese, Japanese…), the line is broken between two letters and fills the document's width
//! (within [`UNSPACED_WRAP_SLACK`] columns of its widest line, at least
//! [`UNSPACED_WRAP_MIN_COLUMNS`]): such text has no case to tell a continuation by, but a
//! heading is shorter than the lines of the paragraph it heads. A headline followed by its
//! article stays two segments. Every segment keeps exact byte offsets into the original text.

use super::lines::{self, Line};
use super::normalize::{hash_sequence, is_unspaced_letter, reading_of, Reading, Tokenizer};
use std::ops::Range;
use unicode_width::UnicodeWidthStr;

/// A line shorter than this never continues into the next one.
pub const WRAP_MIN_BYTES: usize = 24;

/// A line of a script written without spaces, broken between two of its letters, continues into
/// the next when it is at least this wide (in terminal columns: two per CJK character) and within
/// [`UNSPACED_WRAP_SLACK`] columns of the document's widest line, itself at most
/// [`UNSPACED_WRAP_MAX_COLUMNS`] wide (a document with longer lines is not hard-wrapped).
pub const UNSPACED_WRAP_MIN_COLUMNS: usize = 40;
pub const UNSPACED_WRAP_SLACK: usize = 4;
pub const UNSPACED_WRAP_MAX_COLUMNS: usize = 160;

/// Segments with more words than this are prose (`sentence` is true without checking).
pub const SENTENCE_CHECK_WORDS: usize = 32;

/// A document whose lines are all at most this long (and mostly long) is hard-wrapped text.
pub const WRAPPED_MAX_BYTES: usize = 100;

/// The unit of matching: one line or one hard-wrapped paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte offsets into the original text (first content byte, one past the last).
    pub start: usize,
    pub end: usize,
    /// 1-based numbers of its first and last line.
    pub first_line: u32,
    pub last_line: u32,
    /// Matching key: hash of the normalised word sequence, or of the trimmed bytes when the
    /// segment has no word (a row of `* * *`).
    pub key: u64,
    /// Range of this segment's words in [`Tokens::words`].
    pub words: Range<u32>,
    /// Whether the segment contains a sentence end (prose rather than furniture).
    pub sentence: bool,
}

impl Segment {
    pub fn word_count(&self) -> usize {
        (self.words.end - self.words.start) as usize
    }
}

/// A document's text as the detectors see it.
#[derive(Debug, Default)]
pub struct Tokens {
    pub segments: Vec<Segment>,
    /// Every normalised word of the document, in order.
    pub words: Vec<u64>,
    /// How the document was cut into words ([`reading_of`]).
    pub reading: Reading,
    /// The lines of the document, a buffer reused by [`tokenize_into`].
    rows: Vec<Row>,
}

/// Splits `text` into segments and words.
pub fn tokenize(text: &str, tokenizer: &mut Tokenizer) -> Tokens {
    let mut tokens = Tokens::default();
    tokenize_into(text, tokenizer, &mut tokens);
    tokens
}

/// [`tokenize`] into `tokens` (cleared first), reusing its buffers: a worker that fingerprints
/// many documents does not grow fresh vectors for each.
pub fn tokenize_into(text: &str, tokenizer: &mut Tokenizer, tokens: &mut Tokens) {
    let mut rows = std::mem::take(&mut tokens.rows);
    rows.clear();
    rows.extend(lines::line_iter(text.as_bytes()).map(|line| Row::new(text, line)));
    // Hard-wrapped in bytes: Latin text. A document read letter by letter is measured in columns
    // instead ([`continues_unspaced`]).
    tokens.reading = reading_of(text);
    let wrapped = tokens.reading == Reading::Words && is_hard_wrapped(&rows);
    // The widest line in columns, measured on the first line break between two unspaced letters.
    let mut widest: Option<usize> = None;
    tokens.segments.clear();
    tokens.words.clear();
    let mut open: Option<(Row, Row)> = None; // first line, last line
    let mut prev_nonblank: Option<Row> = None;
    for &row in &rows {
        if row.is_blank() {
            if let Some(seg) = open.take() {
                close(text, seg, tokenizer, tokens);
            }
            prev_nonblank = None;
            continue;
        }
        let continues = prev_nonblank.is_some_and(|prev| {
            continues_paragraph(text, prev, row, wrapped)
                || continues_unspaced(text, prev, row, || {
                    *widest.get_or_insert_with(|| widest_line(text, &rows))
                })
        });
        if !continues {
            if let Some(seg) = open.take() {
                close(text, seg, tokenizer, tokens);
            }
            open = Some((row, row));
        } else if let Some(seg) = open.as_mut() {
            seg.1 = row;
        }
        prev_nonblank = Some(row);
    }
    if let Some(seg) = open.take() {
        close(text, seg, tokenizer, tokens);
    }
    // The buffer of a document with very many lines is not kept for the next.
    if rows.capacity() <= KEEP_ROWS {
        tokens.rows = rows;
    }
}

/// Lines ([`Row`]s, 40 bytes each) whose buffer [`Tokens`] keeps from one document to the next.
const KEEP_ROWS: usize = 1 << 16;

/// A line with the bounds of its content without the whitespace around it
/// ([`lines::trimmed`]), found once and read by every test of the line.
#[derive(Debug, Clone, Copy)]
struct Row {
    line: Line,
    /// Byte offsets of the trimmed content: its first byte and one past its last (`lead == tail`
    /// when the line is blank).
    lead: usize,
    tail: usize,
}

impl Row {
    fn new(text: &str, line: Line) -> Self {
        let (lead, tail) = lines::trimmed(text, line);
        Row { line, lead, tail }
    }

    fn is_blank(self) -> bool {
        self.lead == self.tail
    }

    /// The line without the whitespace around it.
    fn trimmed(self, text: &str) -> &str {
        &text[self.lead..self.tail]
    }

    /// Bytes of whitespace before the content.
    fn indent(self) -> usize {
        self.lead - self.line.start
    }
}

/// Newswire-style text: at least three non-blank lines, none longer than [`WRAPPED_MAX_BYTES`],
/// and most of them longer than `WRAP_MIN_BYTES + 16`.
fn is_hard_wrapped(rows: &[Row]) -> bool {
    let (mut nonblank, mut long) = (0, 0);
    for r in rows {
        let n = r.tail - r.lead;
        if n > WRAPPED_MAX_BYTES {
            return false;
        }
        nonblank += usize::from(n > 0);
        long += usize::from(n > WRAP_MIN_BYTES + 16);
    }
    nonblank >= 3 && long * 2 >= nonblank
}

/// Whether the non-blank line `line` continues the non-blank line `prev` (see the module
/// documentation). Both are read trimmed: whitespace at the start of `prev` changes none of the
/// tests of its end.
fn continues_paragraph(text: &str, prev: Row, line: Row, wrapped: bool) -> bool {
    let prev_trim = prev.trimmed(text);
    if prev_trim.len() < WRAP_MIN_BYTES || ends_sentence(prev_trim) || line.indent() > prev.indent()
    {
        return false;
    }
    // A line opening with a digit continues running text ("... rose to\n5 per cent"), but not an
    // all-caps label above it: "MONTANT REVERSÉ\n1 545 500 EUROS" is a label and its figure.
    let first = line.trimmed(text).chars().next();
    first.is_some_and(|c| c.is_lowercase() || (c.is_numeric() && !is_headline(prev_trim)))
        || prev_trim.ends_with([',', '-'])
        || (wrapped && !is_headline(prev_trim) && !first.is_some_and(is_unspaced_letter))
}

/// Whether `line` continues `prev` in hard-wrapped text of an unspaced script: `prev` ends with a
/// letter (or a comma) of such a script, `line` starts with one, and `prev` fills the document's
/// width (`widest`, in columns, asked only then).
fn continues_unspaced(text: &str, prev: Row, line: Row, widest: impl FnOnce() -> usize) -> bool {
    let prev_trim = prev.trimmed(text);
    let first = line.trimmed(text).chars().next();
    if !(first.is_some_and(is_unspaced_letter)
        && prev_trim
            .chars()
            .next_back()
            .is_some_and(|c| is_unspaced_letter(c) || ['、', '，', '・'].contains(&c))
        && !ends_sentence(prev_trim))
    {
        return false;
    }
    let width = prev_trim.width();
    let widest = widest();
    width >= UNSPACED_WRAP_MIN_COLUMNS
        && widest <= UNSPACED_WRAP_MAX_COLUMNS
        && width + UNSPACED_WRAP_SLACK >= widest
}

/// The width in columns of the widest line of `text`.
fn widest_line(text: &str, rows: &[Row]) -> usize {
    rows.iter()
        .map(|r| r.trimmed(text).width())
        .max()
        .unwrap_or(0)
}

/// A line without a lower-case letter (an all-caps headline), and not in a script without case
/// and spaces either.
fn is_headline(line: &str) -> bool {
    !(line.bytes().any(|b| b.is_ascii_lowercase())
        || (!line.is_ascii()
            && line
                .chars()
                .any(|c| c.is_lowercase() || is_unspaced_letter(c))))
}

/// Whether a line ends a sentence: a final `.`, `!`, `?`, `…`, `:`, `;` or one of the
/// [`lines::FULL_STOPS`] (`：` and `；` too), possibly followed by closing quotes or brackets
/// (`said."`, `。」`), but not a quote after a comma (`fall,"`).
fn ends_sentence(trimmed: &str) -> bool {
    // The usual last byte: ASCII and not a closer, so the last character itself decides.
    if let Some(&last) = trimmed.as_bytes().last() {
        if last.is_ascii() && !lines::CLOSERS.contains(&char::from(last)) {
            return matches!(last, b'.' | b'!' | b'?' | b':' | b';');
        }
    }
    let core = lines::strip_closers(trimmed);
    core.chars()
        .last()
        .is_some_and(|c| ".!?…:;：；".contains(c) || lines::FULL_STOPS.contains(&c))
        || (core.len() == trimmed.len() && trimmed.ends_with(['"', '»']))
}

/// Ends the segment of the non-blank lines `first..=last`: hashes its words into `tokens.words`
/// (line ends only separate words, so the lines are read together) and pushes the segment.
fn close(text: &str, (first, last): (Row, Row), tokenizer: &mut Tokenizer, tokens: &mut Tokens) {
    let word_start = tokens.words.len() as u32;
    tokenizer.tokens(
        &text[first.line.start..last.line.end],
        tokens.reading,
        &mut tokens.words,
    );
    // Spans never start or end on whitespace that belongs to the layout: from the first line's
    // first content byte to one past the last line's last (both lines have content).
    let (start, end) = (first.lead, last.tail);
    let words = word_start..tokens.words.len() as u32;
    let prose = words.len() > SENTENCE_CHECK_WORDS;
    let key = if words.is_empty() {
        // No word at all: match on the exact trimmed bytes, tagged apart from word sequences.
        xxhash_rust::xxh3::xxh3_64_with_seed(&text.as_bytes()[start..end], 0x5eed)
    } else {
        hash_sequence(&tokens.words[words.start as usize..words.end as usize])
    };
    tokens.segments.push(Segment {
        start,
        end,
        first_line: first.line.number,
        last_line: last.line.number,
        key,
        words,
        // Only short segments can be furniture; a long one is taken as prose without a look.
        sentence: prose || lines::has_sentence_end(&text[start..end]),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(text: &str) -> Vec<(usize, usize, u32, u32)> {
        tokenize(text, &mut Tokenizer::new())
            .segments
            .iter()
            .map(|s| (s.start, s.end, s.first_line, s.last_line))
            .collect()
    }

    #[test]
    fn hard_wrapped_chinese_joins_its_lines_and_not_its_heading() {
        // A heading, then a paragraph wrapped at 44 columns (22 characters), then a list.
        let text = "第一章 系统简介\n\
                    这座城市的公共自行车系统今年扩大到了郊区，新\n\
                    增了两百多个站点，市交通局表示每天的平均骑行\n\
                    次数比前年增加了将近三成。\n\
                    首页\n\
                    新闻\n";
        let lines: Vec<(u32, u32)> = segs(text).iter().map(|s| (s.2, s.3)).collect();
        assert_eq!(lines, [(1, 1), (2, 4), (5, 5), (6, 6)]);
        // Lines of a document that is not wrapped (one is far wider) stay apart.
        let wide = text.replace("首页", &"很长的一行".repeat(12));
        let lines: Vec<(u32, u32)> = segs(&wide).iter().map(|s| (s.2, s.3)).collect();
        assert_eq!(lines[..3], [(1, 1), (2, 2), (3, 3)]);
    }

    #[test]
    fn one_segment_per_line_when_lines_end_sentences() {
        assert_eq!(
            segs("First line is here.\nSecond one.\n\nThird\n"),
            vec![(0, 19, 1, 1), (20, 31, 2, 2), (33, 38, 4, 4)]
        );
    }

    #[test]
    fn hard_wrapped_paragraphs_join() {
        let text = "TITLE LINE\nShowers continued throughout the week in\nthe Bahia zone, it said.\n    The dry period means the harvest will be\nlate this year.\nA long headline without any final stop here\nStarts the article.\n\
                    \"The dollar will fall further,\"\nhe said.\n";
        let s = segs(text);
        assert_eq!(s.len(), 6, "{s:?}");
        assert_eq!(
            &text[s[5].0..s[5].1],
            "\"The dollar will fall further,\"\nhe said."
        );
        assert_eq!((s[1].2, s[1].3), (2, 3));
        assert_eq!((s[2].2, s[2].3), (4, 5));
        assert_eq!(
            &text[s[2].0..s[2].1],
            "The dry period means the harvest will be\nlate this year."
        );
    }

    #[test]
    fn hard_wrapped_documents_join_upper_case_continuations() {
        let text = "PROPOSED OFFERINGS RECENTLY FILED WITH THE\n\
                    The federation said in its request that the U.S. Agriculture\n\
                    Department said.\n    A second paragraph that is long enough to count\n\
                    here as well.\n";
        let s = segs(text);
        assert_eq!(
            s.iter().map(|s| (s.2, s.3)).collect::<Vec<_>>(),
            vec![(1, 1), (2, 3), (4, 5)]
        );
    }

    #[test]
    fn a_figure_under_an_all_caps_label_stands_alone() {
        let text = "MONTANT REVERSÉ AUX GRÉVISTES DEPUIS 2016\n1 545 500 EUROS\n\
                    Prices of the contract rose to about\n5 per cent in the week.\n";
        let s = segs(text);
        assert_eq!(
            s.iter().map(|s| (s.2, s.3)).collect::<Vec<_>>(),
            vec![(1, 1), (2, 2), (3, 4)]
        );
    }

    #[test]
    fn segment_words_are_the_words_of_the_whole_text() {
        let text = "Line one,\r\nline two…\rthird\u{a0}line\n\n  e\u{301}te\u{301}\nﬁn";
        let mut whole = Vec::new();
        Tokenizer::new().words(text, &mut whole);
        assert_eq!(tokenize(text, &mut Tokenizer::new()).words, whole);
    }

    #[test]
    fn a_reused_tokens_buffer_gives_what_a_fresh_one_gives() {
        let mut t = Tokenizer::new();
        let mut reused = tokenize(
            "A long first document.\n\nWith two paragraphs here.\n",
            &mut t,
        );
        tokenize_into("Second one,\nshorter.\n", &mut t, &mut reused);
        let fresh = tokenize("Second one,\nshorter.\n", &mut t);
        assert_eq!(reused.segments, fresh.segments);
        assert_eq!(reused.words, fresh.words);
    }

    /// [`ends_sentence`] without its shortcut for an ASCII last byte.
    fn ends_sentence_reference(trimmed: &str) -> bool {
        let core = lines::strip_closers(trimmed);
        core.chars()
            .last()
            .is_some_and(|c| ".!?…:;：；".contains(c) || lines::FULL_STOPS.contains(&c))
            || (core.len() == trimmed.len() && trimmed.ends_with(['"', '»']))
    }

    proptest::proptest! {
        #[test]
        fn ends_sentence_matches_the_reference(text in "[a-zé .,!?:;…\"'»)\\]）。」：]{0,8}") {
            proptest::prop_assert_eq!(ends_sentence(&text), ends_sentence_reference(&text));
        }
    }

    #[test]
    fn wordless_segments_match_on_bytes() {
        let t = tokenize("* * *\n---\n* * *\n", &mut Tokenizer::new());
        assert_eq!(t.segments.len(), 3);
        assert_eq!(t.segments[0].key, t.segments[2].key);
        assert_ne!(t.segments[0].key, t.segments[1].key);
    }
}
