//! Span texts (between detect and report): one document's spans, found on its text, in; the
//! spans as the report gives them out, with their previews, code-point offsets and lines.
//!
//! Two things happen to a span on the way out. It is shrunk to whole user-perceived characters
//! (extended grapheme clusters, UAX #29): a span never cuts an accent off its letter or a flag in
//! half. And when the document was not UTF-8, its offsets are mapped from the lossy decode that
//! detection ran on back to the original bytes ([`Lossy`]). Code-point offsets and line numbers
//! are those of the decoded text, which has the same lines; they are counted only when the run
//! asks for them ([`Locating::code_points`]). With [`Locating::whole_lines`] (`--rows runs`), a
//! span that covers whole lines takes their line ends with it, and the blank lines after them
//! (its preview and lines stay those of its text): cutting it leaves no blank line behind.

use crate::model::Document;
use crate::model::Span;
use crate::read::Lossy;
use unicode_segmentation::GraphemeCursor;

/// What [`locate`] does besides shrinking spans to whole characters and giving their previews
/// and lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locating {
    /// A span that covers whole lines takes their line ends and the blank lines after them
    /// (`--rows runs`).
    pub whole_lines: bool,
    /// Count the code-point offsets ([`SpanText::chars`]; all 0 otherwise): only the report's
    /// `--offsets chars` and Dolma's attributes print them, and counting them reads the text
    /// once more.
    pub code_points: bool,
}

/// The report's spans of one document and their texts: `spans` (on `text`, which is `lossy`'s
/// decode when there is one) shrunk to whole characters and given in original byte offsets.
pub fn locate(
    spans: Vec<Span>,
    text: &str,
    lossy: Option<&Lossy>,
    documents: &[Document],
    how: Locating,
) -> (Vec<Span>, Vec<SpanText>) {
    let mut cursor = Cursor::default();
    locate_from(spans, text, lossy, documents, how, &mut cursor)
}

/// [`locate`] for a document with very many spans: `spans` (sorted by start) located `piece`
/// at a time and handed to `f` in order, so that only one piece's texts exist at once. The
/// code points and lines are counted on from where the previous piece stopped (a kept range
/// before it is counted from the start). The pieces together are what [`locate`] gives.
pub fn locate_in_pieces<E>(
    spans: Vec<Span>,
    piece: usize,
    text: &str,
    lossy: Option<&Lossy>,
    documents: &[Document],
    how: Locating,
    mut f: impl FnMut(Vec<Span>, Vec<SpanText>) -> Result<(), E>,
) -> Result<(), E> {
    let mut cursor = Cursor::default();
    let mut rest = spans.into_iter().peekable();
    while rest.peek().is_some() {
        let spans: Vec<Span> = rest.by_ref().take(piece.max(1)).collect();
        let (spans, texts) = locate_from(spans, text, lossy, documents, how, &mut cursor);
        f(spans, texts)?;
    }
    Ok(())
}

/// A place in a document's text whose code-point count and line number are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    byte: usize,
    chars: usize,
    line: u32,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            byte: 0,
            chars: 0,
            line: 1,
        }
    }
}

/// [`locate`], counting code points and lines from `cursor` for the offsets at or after it (and
/// from the start for any before it), and moving it to the last offset counted.
fn locate_from(
    mut spans: Vec<Span>,
    text: &str,
    lossy: Option<&Lossy>,
    documents: &[Document],
    how: Locating,
    cursor: &mut Cursor,
) -> (Vec<Span>, Vec<SpanText>) {
    // In place: a document can have millions of rows.
    spans.retain_mut(|s| match whole_characters(s.clone(), text) {
        Some(whole) => {
            *s = whole;
            true
        }
        None => false,
    });
    let mut texts = span_texts(&spans, text, documents, how.code_points, cursor);
    if how.whole_lines {
        for (s, t) in spans.iter_mut().zip(&mut texts) {
            if s.kind.is_whole_document() {
                continue;
            }
            let (start, end) = widen_to_lines(text, s.start, s.end);
            if how.code_points {
                t.chars[0] -= text[start..s.start].chars().count();
                t.chars[1] += text[s.end..end].chars().count();
            }
            (s.start, s.end) = (start, end);
        }
    }
    let to_original = |b: usize| lossy.map_or(b, |l| l.to_original(b));
    for s in &mut spans {
        s.start = to_original(s.start);
        s.end = to_original(s.end);
        if let Some(k) = &mut s.keep {
            if k.doc == s.doc {
                k.start = to_original(k.start);
                k.end = to_original(k.end);
            } else {
                // The kept copy is a whole other document.
                k.end = documents[k.doc as usize].len;
            }
        }
    }
    (spans, texts)
}

/// `start..end` widened to whole lines when it covers them (nothing but whitespace between it and
/// the line ends around it): from its first line's start to the start of the next line that is
/// not blank, or the end of the text. A range that starts or ends inside a line is left as it is.
fn widen_to_lines(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_end = |c: char| c == '\n' || c == '\r';
    let blank = |s: &str| s.chars().all(char::is_whitespace);
    let line_start = text[..start].rfind(is_end).map_or(0, |i| i + 1);
    let rest = &text[end..];
    let to_line_end = rest.find(is_end).unwrap_or(rest.len());
    if !blank(&text[line_start..start]) || !blank(&rest[..to_line_end]) {
        return (start, end);
    }
    let bytes = text.as_bytes();
    let mut at = end + to_line_end;
    while at < text.len() {
        // The line end (`\r\n` as one), then the next line if it is blank.
        at += if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        let next = &text[at..];
        let len = next.find(is_end).unwrap_or(next.len());
        if !blank(&next[..len]) {
            break;
        }
        at += len;
    }
    (line_start, at)
}

/// `s` shrunk to grapheme boundaries (its kept copy in the same document too), or `None` when
/// nothing whole is left.
fn whole_characters(mut s: Span, text: &str) -> Option<Span> {
    (s.start, s.end) = shrink(text, s.start, s.end)?;
    if let Some(k) = &mut s.keep {
        if k.doc == s.doc {
            (k.start, k.end) = shrink(text, k.start, k.end).unwrap_or((k.start, k.start));
        }
    }
    Some(s)
}

/// A range whose end was moved to a boundary is also freed of the whitespace it then starts or
/// ends with (a mark without a base after a space: the span began on the mark), so that a span
/// still begins and ends on text.
fn shrink(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let cursor = |at| GraphemeCursor::new(at, text.len(), true);
    let is_boundary =
        |at| ascii_boundary(text, at) || cursor(at).is_boundary(text, 0).unwrap_or(true);
    let next = |at: usize, limit: usize| {
        cursor(at)
            .next_boundary(text, 0)
            .ok()
            .flatten()
            .map_or(limit, |b| b.min(limit))
    };
    let prev = |at: usize, limit: usize| {
        cursor(at)
            .prev_boundary(text, 0)
            .ok()
            .flatten()
            .map_or(limit, |b| b.max(limit))
    };
    let starts_blank = |at: usize| text[at..].starts_with(char::is_whitespace);
    let ends_blank = |at: usize| text[..at].ends_with(char::is_whitespace);
    let mut start = start;
    if !is_boundary(start) {
        start = next(start, end);
        while start < end && starts_blank(start) {
            start = next(start, end);
        }
    }
    let mut end = end;
    if !is_boundary(end) {
        end = prev(end, start);
        while start < end && ends_blank(end) {
            end = prev(end, start);
        }
    }
    (start < end).then_some((start, end))
}

/// A sure grapheme boundary without the Unicode tables: between two ASCII bytes other than
/// `\r\n` (every rule of UAX #29 that joins characters involves a non-ASCII one, except CR LF),
/// or at either end of the text.
fn ascii_boundary(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    match (at.checked_sub(1).map(|i| bytes[i]), bytes.get(at)) {
        (None, _) | (_, None) => true,
        (Some(before), Some(&after)) => {
            before.is_ascii() && after.is_ascii() && !(before == b'\r' && after == b'\n')
        }
    }
}

/// What the report needs of a span's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanText {
    /// Up to 60 characters of the span.
    pub preview: String,
    /// start, end, keep_start, keep_end as code-point offsets (0 when they are not counted:
    /// [`Locating::code_points`]).
    pub chars: [usize; 4],
    /// 1-based numbers of the span's first and last line.
    pub lines: [u32; 2],
    /// The same of its kept range in the same document (0 otherwise), for the `reason` column,
    /// which the report renders as it writes the row ([`crate::report::write_reason`]): a
    /// document can have millions of rows, and their reasons are not held as strings.
    pub keep_lines: [u32; 2],
}

/// Previews, code-point offsets (when `code_points`) and line numbers of one document's spans,
/// from a single pass over its text (not one per offset) that starts at `cursor` for the offsets
/// at or after it, and at the start of the text for those before it; `cursor` moves to the last
/// offset.
fn span_texts(
    spans: &[Span],
    text: &str,
    documents: &[Document],
    code_points: bool,
    cursor: &mut Cursor,
) -> Vec<SpanText> {
    let mut bytes: Vec<usize> = Vec::with_capacity(4 * spans.len());
    for s in spans {
        bytes.extend([s.start, s.end]);
        if let Some(k) = s.keep.filter(|k| k.doc == s.doc) {
            bytes.extend([k.start, k.end]);
        }
    }
    bytes.sort_unstable();
    bytes.dedup();
    let (mut chars, mut lines) = (
        Vec::with_capacity(bytes.len()),
        Vec::with_capacity(bytes.len()),
    );
    let resume = bytes.partition_point(|&b| b < cursor.byte);
    for (part, from) in [
        (&bytes[..resume], Cursor::default()),
        (&bytes[resume..], *cursor),
    ] {
        let mut at = from;
        for &b in part {
            if code_points {
                at.chars += text[at.byte..b].chars().count();
            }
            at.line += line_ends(text.as_bytes(), at.byte, b);
            at.byte = b;
            chars.push(at.chars);
            lines.push(at.line);
        }
        if !part.is_empty() && at.byte >= cursor.byte {
            *cursor = at;
        }
    }
    let index = |b: usize| bytes.partition_point(|&x| x < b);
    let to_char = |b: usize| chars[index(b)];
    let to_line = |b: usize| lines[index(b)];
    // The line of a range's last byte: a range ending with its line's terminator (a whole
    // document) does not reach the next line.
    let last_line = |start: usize, end: usize| {
        let ends_line = end > start && matches!(text.as_bytes()[end - 1], b'\n' | b'\r');
        to_line(end) - u32::from(ends_line)
    };
    spans
        .iter()
        .map(|s| {
            let (keep_start, keep_end, keep_lines) = match s.keep {
                Some(k) if k.doc == s.doc => (
                    to_char(k.start),
                    to_char(k.end),
                    [to_line(k.start), last_line(k.start, k.end)],
                ),
                Some(k) => (0, documents[k.doc as usize].chars, [0, 0]),
                None => (0, 0, [0, 0]),
            };
            SpanText {
                preview: preview(&text[s.start..s.end]),
                chars: [to_char(s.start), to_char(s.end), keep_start, keep_end],
                lines: [to_line(s.start), last_line(s.start, s.end)],
                keep_lines,
            }
        })
        .collect()
}

/// Line terminators (`\n`, `\r\n` counted once, lone `\r`) that end in `text[from..to]`.
/// Counts each kind of terminator with `memchr`'s vector count rather than visiting every
/// terminator; most texts have no `\r` at all, and that search finds none quickly.
fn line_ends(text: &[u8], from: usize, to: usize) -> u32 {
    let part = &text[from..to];
    let newlines = memchr::memchr_iter(b'\n', part).count();
    // A `\r` right before a `\n` is part of that line end, counted with the `\n` (which may lie
    // past `to`: then the line ends in the next range).
    let lone_returns = memchr::memchr_iter(b'\r', part)
        .filter(|&i| text.get(from + i + 1) != Some(&b'\n'))
        .count();
    (newlines + lone_returns) as u32
}

/// Up to 60 characters of `text` on one line (the report's `preview` column).
pub fn preview(text: &str) -> String {
    const MAX: usize = 60;
    // Printable ASCII up to the cut (the usual case): its bytes are its characters, as they are.
    let head = &text.as_bytes()[..text.len().min(MAX)];
    if head.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        let mut out = String::with_capacity(head.len() + '…'.len_utf8());
        out.push_str(&text[..head.len()]);
        if text.len() > MAX {
            out.push('…');
        }
        return out;
    }
    // One pass: the 61st character, if there is one, only adds the ellipsis.
    let mut out = String::with_capacity(text.len().min(4 * MAX) + '…'.len_utf8());
    for (n, c) in text.chars().enumerate() {
        if n == MAX {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// Whether `preview` (a report's cell) is a preview of `span`, the text at its row's offsets:
/// the span may have taken the whitespace around its text with it (a whole-line cut takes its
/// line ends, and its preview is that of the text without them), so both are compared without
/// the whitespace at their ends, the preview as the start of the span.
pub fn preview_fits(preview: &str, span: &str) -> bool {
    let shown = preview.strip_suffix('…').unwrap_or(preview).trim();
    let mut text = span
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .skip_while(|c| c.is_whitespace());
    shown.chars().all(|c| text.next() == Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Keep, Kind};

    #[test]
    fn code_point_offsets_of_many_spans_in_one_pass() {
        let text = "é🌍ab\nçç\nxyz 日本語\nend";
        let span = |start, end, keep: Option<(usize, usize)>| Span {
            doc: 0,
            start,
            end,
            kind: Kind::Boilerplate,
            keep: keep.map(|(start, end)| Keep { doc: 0, start, end }),
            similarity: None,
            cluster: None,
            reason: crate::model::Reason::Repeats,
        };
        let spans = vec![
            span(0, 8, None),
            span(9, 13, Some((0, 6))),
            span(14, 27, Some((9, 13))),
        ];
        let docs = vec![Document {
            name: "d".into(),
            id: None,
            id_number: false,
            lang: 0,
            source: 0,
            line: 0,
            len: text.len(),
            chars: 0,
        }];
        let naive = |b: usize| text[..b].chars().count();
        for (s, t) in spans.iter().zip(span_texts(
            &spans,
            text,
            &docs,
            true,
            &mut Cursor::default(),
        )) {
            let k = s.keep.map_or((0, 0), |k| (naive(k.start), naive(k.end)));
            assert_eq!(t.chars, [naive(s.start), naive(s.end), k.0, k.1]);
            assert_eq!(t.preview, preview(&text[s.start..s.end]));
        }
    }

    proptest::proptest! {
        /// Spans located a few at a time, code points and lines counted on from the last piece
        /// (kept ranges anywhere before their span), are the spans located all at once.
        #[test]
        fn pieces_locate_what_the_whole_does(
            text in "[a-zé日🇫 \r\n]{1,60}",
            cuts in proptest::collection::vec((0usize..64, 0usize..64, proptest::bool::ANY), 0..12),
            piece in 1usize..5,
            whole_lines in proptest::bool::ANY,
        ) {
            let bounds: Vec<usize> = (0..=text.len()).filter(|&b| text.is_char_boundary(b)).collect();
            let at = |k: usize| bounds[k % bounds.len()];
            // Non-overlapping spans in order, some keeping an earlier range.
            let mut spans = Vec::new();
            let mut from = 0;
            for (a, len, keep) in cuts {
                let start = at(a).max(from);
                let end = at(start + len).max(start);
                if start >= end || end > text.len() {
                    continue;
                }
                let mut s = span(start, end);
                let before: Vec<usize> = bounds.iter().copied().filter(|&b| b < start).collect();
                if keep && !before.is_empty() {
                    let k = before[(a / 2) % before.len()];
                    s.keep = Some(Keep { doc: 0, start: k, end: start });
                }
                spans.push(s);
                from = end;
            }
            let docs = doc(text.len());
            let how = Locating { whole_lines, code_points: true };
            let whole = locate(spans.clone(), &text, None, &docs, how);
            let mut pieces = (Vec::new(), Vec::new());
            locate_in_pieces(spans.clone(), piece, &text, None, &docs, how, |s, t| {
                pieces.0.extend(s);
                pieces.1.extend(t);
                Ok::<(), ()>(())
            }).unwrap_or(());
            proptest::prop_assert_eq!(&pieces, &whole);
            // Without code points: the same spans, previews and lines.
            let (spans, texts) = locate(spans, &text, None, &docs, Locating { code_points: false, ..how });
            let uncounted: Vec<SpanText> = whole.1.into_iter().map(|t| SpanText { chars: [0; 4], ..t }).collect();
            proptest::prop_assert_eq!((spans, texts), (whole.0, uncounted));
        }
    }

    proptest::proptest! {
        /// The line ends counted a kind at a time are those found one by one.
        #[test]
        fn line_ends_are_the_terminators_one_by_one(
            text in "[a\r\n]{0,40}",
            from in 0usize..41,
            len in 0usize..41,
        ) {
            let bytes = text.as_bytes();
            let from = from.min(bytes.len());
            let to = (from + len).min(bytes.len());
            let plain = (from..to)
                .filter(|&i| match bytes[i] {
                    b'\n' => true,
                    b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                    _ => false,
                })
                .count() as u32;
            proptest::prop_assert_eq!(line_ends(bytes, from, to), plain);
        }
    }

    #[test]
    fn previews_stop_at_sixty_characters_on_one_line() {
        let sixty = "é".repeat(59) + "\n";
        assert_eq!(preview(&sixty), "é".repeat(59) + " ");
        assert_eq!(preview(&(sixty.clone() + "x")), "é".repeat(59) + " …");
        assert_eq!(preview(""), "");
    }

    #[test]
    fn a_span_that_starts_on_a_mark_after_a_space_starts_on_its_text() {
        // A no-break space carries the mark; the span began on the mark, inside that character.
        let text = "\u{a0}\u{301} 。」 You may also like\n";
        assert_eq!(shrink(text, 2, text.len() - 1), Some((5, text.len() - 1)));
        assert_eq!(shrink(text, 2, 5), None);
    }

    #[test]
    fn a_preview_does_not_fit_other_text() {
        assert!(preview_fits("Leave a Reply", "\n  Leave a Reply\r\n\n"));
        assert!(preview_fits(&preview(&"é".repeat(80)), &"é".repeat(80)));
        assert!(!preview_fits("Leave a Reply", "Leave a Repl"));
        assert!(!preview_fits("Leave a Reply", "Share this"));
        assert!(!preview_fits(&preview(&"é".repeat(80)), &"é".repeat(59)));
    }

    proptest::proptest! {
        #[test]
        fn a_preview_fits_its_span_with_any_whitespace_around_it(
            text in "[a-zé .\t\x01\u{301}]{0,70}",
            before in "[ \t\n]{0,3}",
            after in "[ \r\n]{0,3}",
        ) {
            let shown = preview(&text);
            let widened = format!("{before}{text}{after}");
            proptest::prop_assert!(preview_fits(&shown, &widened));
        }

        #[test]
        fn previews_match_the_character_by_character_definition(
            text in "[a-z .\t\x7f]{0,70}|[a-zé \n]{55,66}|[ -~]{58,62}"
        ) {
            let chars: Vec<char> = text.chars().collect();
            let mut expect: String = chars
                .iter()
                .take(60)
                .map(|&c| if c.is_control() { ' ' } else { c })
                .collect();
            if chars.len() > 60 {
                expect.push('…');
            }
            proptest::prop_assert_eq!(preview(&text), expect);
        }

        #[test]
        fn the_ascii_shortcut_only_finds_real_boundaries(
            text in "[a-z \r\n\t.\u{301}\u{200d}\u{600}é🇫🇷👍🏽]{0,24}"
        ) {
            for at in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
                if ascii_boundary(&text, at) {
                    let mut cursor = GraphemeCursor::new(at, text.len(), true);
                    proptest::prop_assert!(cursor.is_boundary(&text, 0).unwrap_or(true), "{at}");
                }
            }
        }
    }

    /// Spans located as they are written, with their code points.
    const COUNTED: Locating = Locating {
        whole_lines: false,
        code_points: true,
    };

    fn span(start: usize, end: usize) -> Span {
        Span {
            doc: 0,
            start,
            end,
            kind: Kind::Boilerplate,
            keep: None,
            similarity: None,
            cluster: None,
            reason: crate::model::Reason::Repeats,
        }
    }

    fn doc(len: usize) -> Vec<Document> {
        vec![Document {
            name: "d".into(),
            id: None,
            id_number: false,
            lang: 0,
            source: 0,
            line: 0,
            len,
            chars: 0,
        }]
    }

    #[test]
    fn spans_never_cut_a_character_a_reader_sees_as_one() {
        // A combining accent after a space belongs to the space's cluster; a flag is two code
        // points.
        let text = "ab \u{301}cd 🇫🇷 ef";
        let accent = text.find('\u{301}').unwrap();
        let flag = text.find('🇫').unwrap();
        let spans = [
            span(accent, accent + 4),
            span(flag + 4, text.len()),
            span(3, 5),
        ];
        let (out, texts) = locate(spans.to_vec(), text, None, &doc(text.len()), COUNTED);
        let got: Vec<(usize, usize)> = out.iter().map(|s| (s.start, s.end)).collect();
        // The first moves past the accent, the second past the flag and the space after it; the
        // third is dropped.
        assert_eq!(got, [(accent + 2, accent + 4), (flag + 9, text.len())]);
        assert_eq!(texts[0].preview, "cd");
    }

    #[test]
    fn spans_of_a_lossy_decode_point_into_the_original_bytes() {
        let bytes = b"caf\xe9 one\ncaf\xe9 one\n";
        let (text, lossy) = crate::read::decode(bytes).unwrap();
        let second = text.rfind("caf").unwrap();
        let s = span(second, second + "caf\u{FFFD} one".len());
        let (out, texts) = locate(vec![s], &text, lossy.as_ref(), &doc(bytes.len()), COUNTED);
        assert_eq!((out[0].start, out[0].end), (9, 17));
        assert_eq!(&bytes[out[0].start..out[0].end], b"caf\xe9 one");
        assert_eq!(texts[0].chars[..2], [9, 17]);
        assert_eq!(texts[0].preview, "caf\u{FFFD} one");
    }
}
