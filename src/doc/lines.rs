//! Segment stage: a document's bytes in, its lines out.
//!
//! A [`Line`] is one line of the original input with exact byte offsets: `start..end` covers the
//! line's content and excludes its terminator, which may be `\n`, `\r\n` or a lone `\r` (old Mac
//! files). A final line without a terminator is still a line. Offsets always point into the
//! original bytes, so a span built from them can be cut out of the file as is.
//!
//! The line is the unit of matching. Seed 001 separates its paragraphs by single newlines, seed 002
//! by blank lines, and hard-wrapped newswire splits one paragraph over many lines; treating every
//! non-blank line as a unit handles all three, because the detectors merge consecutive repeated
//! lines back into paragraph-sized spans.

/// One line of a document, terminator excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Byte offset of the first content byte.
    pub start: usize,
    /// Byte offset one past the last content byte (before `\r`/`\n`).
    pub end: usize,
    /// 1-based line number.
    pub number: u32,
}

/// Splits `text` into lines. Every byte of `text` belongs to exactly one line or terminator.
pub fn lines(text: &[u8]) -> Vec<Line> {
    line_iter(text).collect()
}

/// The lines of `text`, one at a time, as [`lines`] gives them.
pub fn line_iter(text: &[u8]) -> Lines<'_> {
    Lines {
        text,
        start: 0,
        number: 1,
    }
}

/// The iterator of [`line_iter`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    text: &'a [u8],
    /// Where the next line starts.
    start: usize,
    /// Its number.
    number: u32,
}

impl Iterator for Lines<'_> {
    type Item = Line;

    #[inline]
    fn next(&mut self) -> Option<Line> {
        let (text, start, number) = (self.text, self.start, self.number);
        if start >= text.len() {
            return None;
        }
        // An empty line (a blank line between paragraphs) is seen without a search.
        let found = if matches!(text[start], b'\n' | b'\r') {
            Some(0)
        } else {
            memchr::memchr2(b'\n', b'\r', &text[start..])
        };
        let Some(found) = found else {
            self.start = text.len();
            return Some(Line {
                start,
                end: text.len(),
                number,
            });
        };
        let end = start + found;
        self.start = if text[end] == b'\r' && text.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
        self.number = number.saturating_add(1);
        Some(Line { start, end, number })
    }
}

/// The line's content without the whitespace around it, as byte offsets `lead..tail` into `text`
/// (`lead == tail` when the line is blank). Whitespace is what `str::trim` removes (Unicode
/// `White_Space`: a vertical tab, a form feed, NEL and U+2028 included), so that a line that is
/// not blank always keeps something. ASCII whitespace is skipped a byte at a time; `str::trim`
/// is asked only when a non-ASCII character stands at either end.
pub fn trimmed(text: &str, line: Line) -> (usize, usize) {
    let bytes = text.as_bytes();
    let space = |b: u8| matches!(b, b' ' | b'\t'..=b'\r');
    let mut lead = line.start;
    while lead < line.end && space(bytes[lead]) {
        lead += 1;
    }
    if lead < line.end && !bytes[lead].is_ascii() {
        lead = line.end - text[lead..line.end].trim_start().len();
    }
    let mut tail = line.end;
    while tail > lead && space(bytes[tail - 1]) {
        tail -= 1;
    }
    if tail > lead && !bytes[tail - 1].is_ascii() {
        tail = lead + text[lead..tail].trim_end().len();
    }
    (lead, tail)
}

/// Closing quotes and brackets that may follow a sentence end (`said."`, `(sic.)`, `。」`).
pub const CLOSERS: [char; 14] = [
    '"', '\'', '»', '”', '’', ')', ']', '」', '』', '）', '】', '〉', '》', '〕',
];

/// Marks that end a sentence wherever they stand, with or without a space after them: the
/// full stops, exclamation and question marks of Chinese and Japanese (and their half-width
/// forms), the Devanagari danda, the Khmer khan, the Myanmar section mark, the Arabic question
/// mark and the Urdu full stop. Thai and Lao have none: a long run of their letters is prose
/// by its length ([`super::paragraphs::SENTENCE_CHECK_WORDS`], each letter a word).
pub const FULL_STOPS: [char; 12] = [
    '。', '！', '？', '．', '｡', '।', '॥', '។', '៕', '။', '؟', '۔',
];

/// `text` without its trailing closing quotes and brackets ([`CLOSERS`]).
pub fn strip_closers(text: &str) -> &str {
    text.trim_end_matches(CLOSERS)
}

/// True when `text` contains a sentence end: `.`, `!`, `?` or `…` followed by whitespace, a
/// closing quote or bracket, or the end of the text, or one of the [`FULL_STOPS`] anywhere. Used
/// to tell furniture ("Publicité", "Share") from prose ("Thank you.", "ありがとう。").
///
/// A final `.`, `!` or `?` (the usual prose) is seen first. Otherwise the bytes are read
/// [`ANY_CHUNK`] at a time, and a chunk is looked into only when it holds a byte that may begin
/// a sentence end ([`may_end_sentence`]).
pub fn has_sentence_end(text: &str) -> bool {
    let bytes = text.as_bytes();
    if let Some(b'.' | b'!' | b'?') = bytes.last() {
        return true;
    }
    let mut from = 0;
    while from < bytes.len() {
        let to = (from + ANY_CHUNK).min(bytes.len());
        if any_byte(&bytes[from..to], may_end_sentence)
            && (from..to).any(|i| may_end_sentence(bytes[i]) && sentence_end_at(text, i))
        {
            return true;
        }
        from = to;
    }
    false
}

/// The first byte of a sentence end: `.`, `!`, `?`, and every lead byte from 0xD8 up, which
/// covers `…` and the [`FULL_STOPS`]. Comparisons joined with `|`, which the compiler
/// vectorises in [`any_byte`].
#[inline]
fn may_end_sentence(b: u8) -> bool {
    (b == b'.') | (b == b'!') | (b == b'?') | (b >= 0xD8)
}

/// Whether a sentence end (as [`has_sentence_end`] reads it) begins at byte `i` of `text`.
fn sentence_end_at(text: &str, i: usize) -> bool {
    let ends_at = |after: usize| match text[after..].chars().next() {
        None => true,
        Some(n) => n.is_whitespace() || CLOSERS.contains(&n),
    };
    const ELLIPSIS: &[u8] = "…".as_bytes();
    let bytes = text.as_bytes();
    match bytes[i] {
        b'.' | b'!' | b'?' => ends_at(i + 1),
        0xE2 => bytes[i..].starts_with(ELLIPSIS) && ends_at(i + ELLIPSIS.len()),
        // A lead byte: `i` is on a character boundary.
        0xD8.. => text[i..]
            .chars()
            .next()
            .is_some_and(|c| FULL_STOPS.contains(&c)),
        _ => false,
    }
}

/// Whether `bytes` holds a lead byte of one of the [`FULL_STOPS`] (most non-ASCII text, French
/// or German, holds none): a byte test before the character search.
pub fn may_hold_full_stop(bytes: &[u8]) -> bool {
    // Comparisons joined with `|`, not a `match`: the compiler turns a `match` into a bit test,
    // which it does not vectorise.
    any_byte(bytes, |b| {
        (b == 0xD8) | (b == 0xDB) | (b == 0xE0) | (b == 0xE1) | (b == 0xE3) | (b == 0xEF)
    })
}

/// Bytes tested at once by [`any_byte`].
const ANY_CHUNK: usize = 32;

/// Whether some byte of `bytes` satisfies `test`: [`ANY_CHUNK`] bytes at a time, each chunk
/// tested as a whole without a branch per byte (so that the compiler can compare the bytes of a
/// chunk together). The last, shorter chunk is tested the same way, padded with copies of its
/// own first byte (which cannot change the answer). For a cheap `test` where a byte that
/// satisfies it is rare.
#[inline]
pub fn any_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    let chunk_holds = |chunk: &[u8; ANY_CHUNK]| {
        chunk
            .iter()
            .fold(0u8, |found, &b| found | u8::from(test(b)))
            != 0
    };
    let (chunks, rest) = bytes.as_chunks::<ANY_CHUNK>();
    if chunks.iter().any(chunk_holds) {
        return true;
    }
    let Some(&first) = rest.first() else {
        return false;
    };
    let mut last = [first; ANY_CHUNK];
    last[..rest.len()].copy_from_slice(rest);
    chunk_holds(&last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(usize, usize, u32)> {
        lines(text.as_bytes())
            .into_iter()
            .map(|l| (l.start, l.end, l.number))
            .collect()
    }

    #[test]
    fn line_ends_of_every_kind() {
        assert_eq!(spans("a\nbb\n"), vec![(0, 1, 1), (2, 4, 2)]);
        assert_eq!(spans("a\r\nbb\r\n"), vec![(0, 1, 1), (3, 5, 2)]);
        assert_eq!(spans("a\rbb\r"), vec![(0, 1, 1), (2, 4, 2)]);
        assert_eq!(spans("a\nbb"), vec![(0, 1, 1), (2, 4, 2)]);
        assert_eq!(spans("\n\n"), vec![(0, 0, 1), (1, 1, 2)]);
        assert_eq!(spans(""), vec![]);
        assert_eq!(spans("é\r\nü"), vec![(0, 2, 1), (4, 6, 2)]);
    }

    #[test]
    fn trimmed_is_str_trim() {
        for text in [
            "",
            " ",
            "  a b  ",
            "\t\u{b}\u{c}x\u{85}",
            "\u{a0} \u{3000}中文\u{3000} \u{a0}",
            "\u{2028}",
            " \u{a0} ",
            "é",
            "x\u{a0}\t",
        ] {
            let line = Line {
                start: 0,
                end: text.len(),
                number: 1,
            };
            let (lead, tail) = trimmed(text, line);
            assert_eq!(&text[lead..tail], text.trim(), "{text:?}");
            assert_eq!(lead, text.len() - text.trim_start().len(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn trimmed_lines_are_str_trim(text in "[ a\t\u{b}\u{c}é\u{85}\u{a0}\u{3000}\u{2028}中\n\r]{0,12}") {
            for line in lines(text.as_bytes()) {
                let content = &text[line.start..line.end];
                let (lead, tail) = trimmed(&text, line);
                proptest::prop_assert_eq!(&text[lead..tail], content.trim());
                proptest::prop_assert_eq!(lead - line.start, content.len() - content.trim_start().len());
            }
        }
    }

    /// [`has_sentence_end`] written the obvious way.
    fn has_sentence_end_reference(text: &str) -> bool {
        let ends_at = |after: &str| {
            after
                .chars()
                .next()
                .is_none_or(|n| n.is_whitespace() || CLOSERS.contains(&n))
        };
        text.char_indices().any(|(i, c)| {
            let after = &text[i + c.len_utf8()..];
            (".!?…".contains(c) && ends_at(after)) || FULL_STOPS.contains(&c)
        })
    }

    proptest::proptest! {
        #[test]
        fn sentence_ends_match_the_reference(
            text in "([a-zé’ .!?…\"»）。！؟।]{0,12}|[a-z.]{30,40}|\\PC{0,20}){1,4}"
        ) {
            proptest::prop_assert_eq!(has_sentence_end(&text), has_sentence_end_reference(&text));
        }
    }

    #[test]
    fn sentence_ends() {
        assert!(has_sentence_end("Thank you."));
        assert!(has_sentence_end("He said \"no.\" Then left"));
        assert!(!has_sentence_end("Publicité"));
        assert!(!has_sentence_end("Rating: 0.0/5"));
        assert!(!has_sentence_end("www.example.com"));
        assert!(has_sentence_end("東京に行きました。それから"));
        assert!(has_sentence_end("「本当ですか？」と聞いた"));
        assert!(has_sentence_end("यह एक वाक्य है। दूसरा"));
        assert!(!has_sentence_end("東京タワー・スカイツリー"));
        for stop in FULL_STOPS {
            assert!(may_hold_full_stop(stop.to_string().as_bytes()), "{stop}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_byte_is_the_byte_loop(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..100),
            low in 0u8..=255,
            span in 0u8..8,
        ) {
            let test = |b: u8| b.wrapping_sub(low) < span;
            proptest::prop_assert_eq!(any_byte(&bytes, test), bytes.iter().any(|&b| test(b)));
        }
    }
}
