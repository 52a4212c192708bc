//! Normalise stage (for matching only): text in, a stream of 64-bit word hashes out.
//!
//! Two texts match when their word sequences are equal after:
//! - Unicode NFKC (ligatures, full-width forms and compatibility characters folded),
//! - lower-casing (Unicode `to_lowercase`, so `É` matches `é`),
//! - punctuation, symbols and whitespace folded away: a word is a maximal run of alphanumeric
//!   characters, everything else only separates words (`l'Iran` is `l`, `iran`);
//! - in scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
//!   Myanmar…; Hangul too), each letter is a word, with the combining marks that follow it
//!   (`東京タワー` is five words, `ที่` one): word shingles are character shingles there, and
//!   a mixed line (`Pythonのインストール`) has its Latin words and its letters;
//! - a document most of whose letters are of such scripts is read letter by letter throughout
//!   ([`Reading::Letters`], [`reading_of`]): its Latin words too are cut into letters, so that
//!   its shingles are the character shingles of its text, whatever its mix of scripts.
//!
//! Digits are kept as they are: two earnings reports that differ only in their figures are not
//! duplicates. Spans never point at normalised text; the original bytes are never changed.
//!
//! Text whose characters NFKC cannot change (ASCII, accented Latin, Cyrillic, common punctuation)
//! is scanned in one pass over its bytes, hashing each word as it goes: no allocation, no copy.
//! Other text is normalised first.
//!
//! The parts of the tokenizer, each in its own file:
//! - `ascii`: the fast path, 64-byte blocks of ASCII classified 16 bytes at a time (SSE2 on
//!   x86-64, 64-bit words elsewhere) and hashed word by word from one bit mask;
//! - `class`: what the tokenizer needs to know of a non-ASCII character (NFKC-inert,
//!   alphanumeric, its lower case), from a table filled on first sight;
//! - `hasher`: the word hash every path feeds the same bytes, and the sequence hash of keys.

mod ascii;
mod class;
mod hasher;

use super::lines::any_byte;
pub(crate) use ascii::ASCII_WORD;
use ascii::{alnum_bits, ascii_alnum_run, ascii_words, SWAR_HIGH};
use class::{class_table, ClassTable, ALNUM, CHAR_WORD, INERT, LOWER_MASK, MARK, SIMPLE_LOWER};
use hasher::WordHasher;
pub use hasher::{hash_sequence, hash_word, mix};
use unicode_normalization::UnicodeNormalization;

/// Whether `c` is a letter of a script written without spaces between words, which the tokenizer
/// makes a word of its own (Chinese, Japanese, Hangul, Thai…).
pub fn is_unspaced_letter(c: char) -> bool {
    !c.is_ascii() && class_table().of(c) & CHAR_WORD != 0
}

/// How a document is cut into words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Reading {
    /// Runs of alphanumerics, each letter of an unspaced script a word of its own.
    #[default]
    Words,
    /// Every letter and digit a word of its own (with its combining marks): a document whose
    /// letters are mostly of unspaced scripts.
    Letters,
}

/// The reading of a whole document: [`Reading::Letters`] when at least half of its letters and
/// digits are letters of unspaced scripts. A text without a byte that can start such a letter
/// (every ASCII, Latin, Greek or Cyrillic text) is decided without a look at its characters.
pub fn reading_of(text: &str) -> Reading {
    // The lead bytes of U+0800..U+1FFF (Thai, Lao, Myanmar, Khmer… and other scripts) and of
    // U+3000..U+DFFF (kana, CJK, Yi, Hangul).
    let maybe = |b: u8| matches!(b, 0xE0 | 0xE1 | 0xE3..=0xED);
    if text.is_ascii() || !any_byte(text.as_bytes(), maybe) {
        return Reading::Words;
    }
    let classes = class_table();
    let (mut unspaced, mut others) = (0usize, 0usize);
    for c in text.chars() {
        if c.is_ascii() {
            others += usize::from(c.is_ascii_alphanumeric());
        } else {
            let class = classes.of(c);
            if class & CHAR_WORD != 0 {
                unspaced += 1;
            } else if class & (ALNUM | MARK) == ALNUM {
                others += 1;
            }
        }
    }
    if unspaced > 0 && unspaced >= others {
        Reading::Letters
    } else {
        Reading::Words
    }
}

/// Turns text into word hashes, reusing its buffers between calls.
#[derive(Default)]
pub struct Tokenizer {
    nfkc: String,
}

impl Tokenizer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the hash of every word of `text` read as `reading` to `out`.
    pub fn tokens(&mut self, text: &str, reading: Reading, out: &mut Vec<u64>) {
        match reading {
            Reading::Words => self.words(text, out),
            Reading::Letters => self.letters(text, out),
        }
    }

    /// [`Reading::Letters`]: the text after NFKC, each letter or digit a word (lower-cased, with
    /// the combining marks that follow it). Only documents mostly in unspaced scripts are read
    /// so, character by character.
    fn letters(&mut self, text: &str, out: &mut Vec<u64>) {
        let mut nfkc = std::mem::take(&mut self.nfkc);
        nfkc.clear();
        nfkc.extend(text.nfkc());
        let classes = class_table();
        let mut word = WordHasher::new();
        for c in nfkc.chars() {
            let class = if c.is_ascii() {
                if ASCII_WORD[c as usize] == 0 {
                    0
                } else {
                    ALNUM
                }
            } else {
                classes.of(c)
            };
            if class & MARK != 0 && word.is_letter() {
                push_char(c, &mut word);
                continue;
            }
            if !word.is_empty() {
                out.push(word.finish());
            }
            if class & ALNUM != 0 {
                if c.is_ascii() {
                    word.push(ASCII_WORD[c as usize]);
                } else if class & SIMPLE_LOWER != 0 {
                    push_char(char::from_u32(class & LOWER_MASK).unwrap_or(c), &mut word);
                } else {
                    for l in c.to_lowercase() {
                        push_char(l, &mut word);
                    }
                }
                word.set_letter();
            }
        }
        if !word.is_empty() {
            out.push(word.finish());
        }
        self.nfkc = nfkc;
    }

    /// Appends the hash of every normalised word of `text` to `out` ([`Reading::Words`]).
    ///
    /// One pass over the bytes while every character is NFKC-inert (ASCII, accented Latin, common
    /// punctuation: the usual case). Around a character that is not, the text from the space or
    /// line end before it to the space or line end after it is normalised first and scanned on
    /// its own. A word never crosses a space or a line end, and NFKC neither reorders nor composes
    /// across one (both are starters that compose with nothing before or after them), so the
    /// words are those of the whole text normalised, without normalising a whole line for one
    /// combining accent.
    pub fn words(&mut self, text: &str, out: &mut Vec<u64>) {
        let mark = out.len();
        if let Err(bad) = scan_inert(text, out) {
            out.truncate(mark);
            self.words_with_nfkc(text, bad, out);
        }
    }

    /// [`Tokenizer::words`] of a text whose character at byte `bad` is not NFKC-inert.
    #[cold]
    fn words_with_nfkc(&mut self, text: &str, mut bad: usize, out: &mut Vec<u64>) {
        let mut rest = text;
        loop {
            // The text before the space or line end before `bad` is all inert: scanned again
            // (the interrupted pass's words were dropped with its unfinished last word), then
            // the span up to the next space or line end alone is normalised.
            let bytes = rest.as_bytes();
            let start = memchr::memrchr2(b' ', b'\n', &bytes[..bad]).unwrap_or(0);
            let end = memchr::memchr2(b' ', b'\n', &bytes[bad..]).map_or(rest.len(), |i| bad + i);
            let inert = scan_inert(&rest[..start], out);
            debug_assert!(inert.is_ok());
            self.normalised(&rest[start..end], out);
            rest = &rest[end..];
            let mark = out.len();
            match scan_inert(rest, out) {
                Ok(()) => return,
                Err(next) => {
                    out.truncate(mark);
                    bad = next;
                }
            }
        }
    }

    /// Words of `text` after NFKC.
    fn normalised(&mut self, text: &str, out: &mut Vec<u64>) {
        let mut nfkc = std::mem::take(&mut self.nfkc);
        nfkc.clear();
        nfkc.extend(text.nfkc());
        scan_chars(&nfkc, out);
        self.nfkc = nfkc;
    }
}

/// Scans `text` on the assumption that NFKC leaves it unchanged. Stops at the first character
/// for which that is not certain, with its byte offset, leaving partial output behind.
#[inline(always)]
fn scan_inert(text: &str, out: &mut Vec<u64>) -> Result<(), usize> {
    let bytes = text.as_bytes();
    let classes = class_table();
    let mut word = WordHasher::new();
    let mut i = 0;
    while i < bytes.len() {
        if word.is_empty() && bytes[i] < 0x80 {
            let next = ascii_words(bytes, i, &mut word, out);
            if next > i {
                i = next;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x80 {
            if ASCII_WORD[b as usize] == 0 {
                if !word.is_empty() {
                    out.push(word.finish());
                }
                i += 1;
                continue;
            }
            // The usual word: under eight ASCII alphanumerics and an ASCII separator, all in the
            // next eight bytes. Hashed from one load, and the separator is passed over too.
            if word.is_empty() {
                if let Some(&chunk) = bytes[i..].first_chunk::<8>() {
                    let x = u64::from_le_bytes(chunk);
                    let stop = !alnum_bits(x) & SWAR_HIGH;
                    let run = (stop.trailing_zeros() / 8) as usize;
                    // `run` is 8 when the chunk is all alphanumerics; the stop byte must be ASCII,
                    // or the word may go on with a non-ASCII letter.
                    if run < 8 && (x >> (8 * run)) & 0x80 == 0 {
                        out.push(WordHasher::short_ascii(x, run));
                        i += run + 1;
                        continue;
                    }
                }
            }
            // A run of ASCII alphanumerics, hashed eight bytes at a time (after a letter of an
            // unspaced script, which is a word of its own).
            if word.is_letter() {
                out.push(word.finish());
            }
            let run = ascii_alnum_run(&bytes[i..]);
            word.push_ascii_alnum(&bytes[i..], run);
            i += run;
            continue;
        }
        // A multi-byte character: `i` is on a boundary because every step moves by whole chars.
        if let Some((cp, raw, n)) = decode_bmp(bytes, i) {
            let class = classes.of_bmp(cp);
            if class & INERT == 0 {
                return Err(i);
            }
            // The usual case: its bytes are the word's, as they stand.
            if is_plain_letter(class, cp) {
                if word.is_letter() {
                    out.push(word.finish());
                }
                word.push_utf8(raw, n as u32);
                i = usual_word_run(bytes, i + n, classes, &mut word);
                continue;
            }
            let c = char::from_u32(cp).unwrap_or_default();
            classified_char(c, class, &mut word, out);
            i += n;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        let class = classes.of(c);
        if class & INERT == 0 {
            return Err(i);
        }
        classified_char(c, class, &mut word, out);
        i += c.len_utf8();
    }
    if !word.is_empty() {
        out.push(word.finish());
    }
    Ok(())
}

/// Whether a character of class `class` (from the class table) and code point `cp` is an
/// alphanumeric that is its own lower case (é, ü, я…), neither a mark nor a letter of an
/// unspaced script: its UTF-8 bytes are then the word's, as they stand.
#[inline(always)]
fn is_plain_letter(class: u32, cp: u32) -> bool {
    class & (ALNUM | SIMPLE_LOWER | CHAR_WORD | MARK | LOWER_MASK) == ALNUM | SIMPLE_LOWER | cp
}

/// Pushes the rest of a word after one of its letters that is not ASCII (a word of Cyrillic,
/// Greek, Arabic, or of a Latin script with accents): ASCII alphanumerics and two-byte
/// alphanumerics that are their own lower case, one after the other, without the scan's
/// dispatch between them. Returns where it stopped: at any other character, which the scan
/// reads next.
#[inline(always)]
fn usual_word_run(
    bytes: &[u8],
    mut i: usize,
    classes: &ClassTable,
    word: &mut WordHasher,
) -> usize {
    debug_assert!(!word.is_letter());
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            let lower = ASCII_WORD[b as usize];
            if lower == 0 {
                break;
            }
            word.push(lower);
            i += 1;
            continue;
        }
        // A lead byte of two (a continuation byte is never at `i`).
        if b >= 0xE0 {
            break;
        }
        let Some(&b1) = bytes.get(i + 1) else {
            break;
        };
        let cp = (u32::from(b & 0x1F) << 6) | u32::from(b1 & 0x3F);
        let class = classes.of_bmp(cp);
        if class & INERT == 0 || !is_plain_letter(class, cp) {
            break;
        }
        word.push_utf8(u32::from(b) | (u32::from(b1) << 8), 2);
        i += 2;
    }
    i
}

/// The character of two or three bytes at `bytes[i]` (a lead byte of valid UTF-8): its code
/// point, its bytes packed little-endian, and their number. `None` for a four-byte character
/// (above U+FFFF).
#[inline(always)]
fn decode_bmp(bytes: &[u8], i: usize) -> Option<(u32, u32, usize)> {
    let b0 = u32::from(bytes[i]);
    if b0 < 0xE0 {
        let b1 = u32::from(*bytes.get(i + 1)?);
        Some((((b0 & 0x1F) << 6) | (b1 & 0x3F), b0 | (b1 << 8), 2))
    } else if b0 < 0xF0 {
        let [b1, b2] = *bytes.get(i + 1..i + 3)?.first_chunk::<2>()?;
        let (b1, b2) = (u32::from(b1), u32::from(b2));
        Some((
            ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F),
            b0 | (b1 << 8) | (b2 << 16),
            3,
        ))
    } else {
        None
    }
}

/// Scans already-normalised text character by character.
fn scan_chars(text: &str, out: &mut Vec<u64>) {
    let classes = class_table();
    let mut word = WordHasher::new();
    for c in text.chars() {
        if c.is_ascii() {
            let lower = ASCII_WORD[c as usize];
            if lower != 0 {
                if word.is_letter() {
                    out.push(word.finish());
                }
                word.push(lower);
            } else if !word.is_empty() {
                out.push(word.finish());
            }
            continue;
        }
        // From the class table, as in `scan_inert`: the Unicode properties are looked up
        // once per character of the table, not at every occurrence.
        classified_char(c, classes.of(c), &mut word, out);
    }
    if !word.is_empty() {
        out.push(word.finish());
    }
}

/// Adds the non-ASCII character `c` of class `class` to the word (lower-cased) or ends the word.
#[inline(always)]
fn classified_char(c: char, class: u32, word: &mut WordHasher, out: &mut Vec<u64>) {
    if class & (CHAR_WORD | MARK) != 0 {
        if class & MARK != 0 && word.is_letter() {
            // A vowel sign or tone mark stays with its letter.
            push_char(c, word);
            return;
        }
        if class & CHAR_WORD != 0 {
            if !word.is_empty() {
                out.push(word.finish());
            }
            push_char(c, word);
            word.set_letter();
            return;
        }
    }
    if word.is_letter() {
        out.push(word.finish());
    }
    if class & ALNUM == 0 {
        if !word.is_empty() {
            out.push(word.finish());
        }
    } else if class & SIMPLE_LOWER != 0 {
        push_char(char::from_u32(class & LOWER_MASK).unwrap_or(c), word);
    } else {
        word_char(c, word, out);
    }
}

/// Adds the UTF-8 bytes of `c` to the word.
#[inline(always)]
fn push_char(c: char, word: &mut WordHasher) {
    let mut buf = [0u8; 4];
    let n = c.encode_utf8(&mut buf).len();
    word.push_utf8(u32::from_le_bytes(buf), n as u32);
}

/// Adds a non-ASCII character to the word (lower-cased) or ends the word.
#[inline]
fn word_char(c: char, word: &mut WordHasher, out: &mut Vec<u64>) {
    if c.is_alphanumeric() {
        for l in c.to_lowercase() {
            push_char(l, word);
        }
    } else if !word.is_empty() {
        out.push(word.finish());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use class::is_inert;
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

    fn words(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        Tokenizer::new().words(text, &mut out);
        out
    }

    #[test]
    fn folds_case_punctuation_and_whitespace() {
        assert_eq!(words("Hello,   World!"), words("hello world"));
        assert_eq!(words("L'ÉTÉ"), words("l’été"));
        assert_eq!(words("  "), Vec::<u64>::new());
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        assert_eq!(words("ﬁn"), words("fin"));
        assert_eq!(words("ＡＢＣ"), words("abc"));
        // Decomposed é (e + combining acute) matches the composed one.
        assert_eq!(words("e\u{301}te\u{301}"), words("été"));
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        let long = "x".repeat(100);
        assert_eq!(words(&format!("{long} café")), {
            let mut v = words(&long);
            v.extend(words("café"));
            v
        });
        assert_eq!(words("Abc déf"), {
            let mut v = words("abc");
            v.extend(words("DÉF"));
            v
        });
    }

    #[test]
    fn a_word_has_one_hash_on_every_path() {
        assert_eq!(words("Ｃafé"), vec![hash_word("café".as_bytes())]);
        assert_eq!(words("CAFÉ"), vec![hash_word("café".as_bytes())]);
        assert_eq!(words("cafe\u{301}"), vec![hash_word("café".as_bytes())]);
        let long = "Anticonstitutionnellement-Été-".repeat(5);
        let expect: Vec<u64> = long
            .split('-')
            .filter(|w| !w.is_empty())
            .map(|w| hash_word(w.to_lowercase().as_bytes()))
            .collect();
        assert_eq!(words(&long), expect);
    }

    #[test]
    fn inert_table_is_conservative() {
        for c in ['²', 'ﬁ', '\u{301}', 'Ａ', '½', '™', '\u{1161}', '¨', '①'] {
            assert!(!is_inert(c), "{c:?}");
        }
        for c in [
            'é', 'É', 'ç', '’', '«', '—', '€', 'я', '中', '\u{a0}', '\u{202f}', '…',
        ] {
            assert!(is_inert(c), "{c:?}");
        }
    }

    #[test]
    fn separators_that_nfkc_rewrites_still_separate() {
        assert_eq!(words("a\u{a0}b…c\u{202f}d"), words("a b c d"));
        assert_eq!(words("x¨y"), words("x y"));
    }

    #[test]
    fn hashes_differ_by_length_and_content() {
        let ws = [
            "a",
            "aa",
            "aaaaaaaa",
            "aaaaaaaaa",
            "ab",
            "ba",
            "12345678",
            "123456780",
        ];
        for (i, a) in ws.iter().enumerate() {
            for b in &ws[i + 1..] {
                assert_ne!(hash_word(a.as_bytes()), hash_word(b.as_bytes()), "{a} {b}");
            }
        }
    }

    /// The specification, written the slow and obvious way: NFKC, then runs of alphanumerics
    /// lower-cased character by character (no final-sigma rule), each letter of an unspaced
    /// script a word of its own with the marks that follow it (a tone mark too, which is not
    /// alphanumeric).
    fn reference(text: &str) -> Vec<u64> {
        let nfkc: String = text.nfkc().collect();
        let mut words: Vec<String> = Vec::new();
        let (mut word, mut letter) = (String::new(), false);
        let end = |word: &mut String, words: &mut Vec<String>| {
            if !word.is_empty() {
                words.push(std::mem::take(word));
            }
        };
        for c in nfkc.chars() {
            let is_mark = c.general_category_group() == GeneralCategoryGroup::Mark;
            if is_mark && letter {
                word.push(c);
            } else if !c.is_alphanumeric() {
                end(&mut word, &mut words);
                letter = false;
            } else if class::is_char_word(c) {
                end(&mut word, &mut words);
                word.push(c);
                letter = true;
            } else {
                if letter {
                    end(&mut word, &mut words);
                    letter = false;
                }
                word.extend(c.to_lowercase());
            }
        }
        end(&mut word, &mut words);
        words.iter().map(|w| hash_word(w.as_bytes())).collect()
    }

    proptest::proptest! {
        #[test]
        fn alnum_runs_match_the_byte_loop(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let expect = bytes
                .iter()
                .position(|&b| !b.is_ascii_alphanumeric())
                .unwrap_or(bytes.len());
            proptest::prop_assert_eq!(ascii_alnum_run(&bytes), expect);
        }

        #[test]
        fn fast_paths_match_the_specification(
            text in "[a-zA-Z0-9 ,.'\\-]{0,40}|[a-zA-Zé É0-9\u{a0}’ﬁ²\u{301}ÀÇ…Ａ\n\t]{0,60}|\\PC{0,30}|[a-z0-9 。、東京のタワーｰﾀ한국ที่เป็นກ່ຽວក្ញុំ\u{e34}\u{e48}\u{301}\u{3099}]{0,40}"
        ) {
            proptest::prop_assert_eq!(words(&text), reference(&text));
        }

        /// Characters whose lower case is themselves, is another character of another length,
        /// or is two characters (Turkish İ), German ß, Greek sigma in both final and medial
        /// forms, combining marks, CJK, Thai and characters above U+FFFF, in words of any length;
        /// and characters NFKC changes or composes (`<` with U+0338, Hangul jamo, ligatures)
        /// next to spaces and line ends, where the text is cut for normalisation.
        #[test]
        fn non_ascii_letters_match_the_specification(
            text in "[a-zA-Z0-9 éÉàÀüÜçßẞİıIiΣσςΑαЯяÿŸǅǄⱥȺΩΩKK\u{301}\u{308}\u{e48}東京한ที่\u{1d400}\u{10400}\u{10428}😀\u{a0}’\n<\u{338}¨ﬁＡ\u{1100}\u{1161}\u{11a8}]{0,80}",
        ) {
            proptest::prop_assert_eq!(words(&text), reference(&text));
        }

        /// Words that mix ASCII with two-byte letters, their own lower case or not (É, Σ, İ, ǅ),
        /// with marks, two-byte separators (no-break space, guillemets, ×) and characters NFKC
        /// changes (¹): the run of a word after its first such letter stops where the scan
        /// must decide.
        #[test]
        fn words_with_two_byte_letters_match_the_specification(
            text in "[a-zA-Z0-9 ,éÉàßẞİıΣσςяЯшШﺵشلǅǆ\u{301}\u{a0}«»×¹’]{0,60}",
        ) {
            proptest::prop_assert_eq!(words(&text), reference(&text));
        }

        /// Pushing a character's bytes at once hashes as pushing them one by one, at every offset
        /// in a lane.
        #[test]
        fn utf8_pushes_match_byte_pushes(prefix in "[a-z]{0,17}", c in proptest::char::any()) {
            let mut one = WordHasher::new();
            let mut many = WordHasher::new();
            for &b in prefix.as_bytes() {
                one.push(b);
                many.push(b);
            }
            let mut buf = [0u8; 4];
            let n = c.encode_utf8(&mut buf).len();
            one.push_utf8(u32::from_le_bytes(buf), n as u32);
            for &b in &buf[..n] {
                many.push(b);
            }
            one.push(b'x');
            many.push(b'x');
            proptest::prop_assert_eq!(one.finish(), many.finish());
        }

        /// Texts longer than a block, with words that cross its end, fill it, or run into a
        /// non-ASCII letter, and texts that end mid-word.
        #[test]
        fn the_block_scanner_matches_the_specification(
            text in "(([a-zA-Z0-9]{1,17}|[a-z]{60,70}|[éÀ’Ａ\u{301}]|[a-z]{3}é[a-z]{2})[ ,.\n\u{a0}]{0,3}){0,40}",
            skip in 0usize..70,
        ) {
            proptest::prop_assert_eq!(words(&text), reference(&text));
            // Every start offset, so that blocks begin at every place in a word.
            let from = text.char_indices().map(|(i, _)| i).find(|&i| i >= skip).unwrap_or(text.len());
            proptest::prop_assert_eq!(words(&text[from..]), reference(&text[from..]));
        }
    }

    /// Texts of every length around a block and its window (read in place from 80 bytes on,
    /// padded below), of words of every length up to past two lanes, with a non-ASCII letter
    /// or separator at every place near the block's end: the blocks, whether read in place or
    /// padded, cut no word.
    #[test]
    fn blocks_in_place_and_padded_match_the_specification() {
        for word_len in 1..=20 {
            let word: String = (0..word_len)
                .map(|k| (b'a' + (k % 26) as u8) as char)
                .collect();
            let words_text = format!("{word} ").repeat(300 / (word_len + 1) + 1);
            for len in (0..=2).flat_map(|k| 56 + 64 * k..=96 + 64 * k) {
                let text = &words_text[..len];
                assert_eq!(words(text), reference(text), "{text:?}");
                for at in [60, 63, 64, 65, 79, 80] {
                    for c in ['é', '’'] {
                        let mut mixed = text.to_string();
                        if at < mixed.len() {
                            mixed.replace_range(at..at + 1, c.encode_utf8(&mut [0; 4]));
                            assert_eq!(words(&mixed), reference(&mixed), "{mixed:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn only_the_spans_that_need_nfkc_are_normalised_and_the_words_are_the_same() {
        // A ligature mid-text, a combining accent opening a line (it cannot reach back across
        // the line end), `<` + U+0338 (which NFKC composes into `≮`), half-width kana at the end.
        let text = "plain first line\nthe ﬁrst e\u{301}te\u{301}\n\u{301}accent opens\na \u{3c}\u{338} b\nend ﾀﾜｰ";
        assert_eq!(words(text), reference(text));
        let mut per_line = Vec::new();
        for line in text.split('\n') {
            Tokenizer::new().words(line, &mut per_line);
        }
        assert_eq!(words(text), per_line);
    }

    #[test]
    fn cjk_and_hangul_read_from_the_table_as_computed() {
        // Ideographs, kana, Hangul syllables and half-width kana (which NFKC widens), each
        // twice, so that the second time reads the class table the first filled.
        let text = "東京タワー 한국어 가 ﾀﾜｰ。東京タワー 한국어 가 ﾀﾜｰ";
        assert_eq!(words(text), reference(text));
        // 東 京 タ ワ ー, 한 국 어, 가, タ ワ ー: every letter a word.
        assert_eq!(words(text).len(), 2 * 12);
    }

    #[test]
    fn unspaced_letters_are_words_and_latin_words_stay_whole() {
        let w = |s: &str| words(s);
        let h = |s: &str| hash_word(s.as_bytes());
        assert_eq!(
            w("Pythonのインストール3.11"),
            ["python", "の", "イ", "ン", "ス", "ト", "ー", "ル", "3", "11"].map(h)
        );
        assert_eq!(w("中文abc中"), ["中", "文", "abc", "中"].map(h));
        // Thai: a vowel sign or tone mark stays with its letter; a leading vowel is a letter.
        assert_eq!(w("ที่เป็น"), ["ที่", "เ", "ป็", "น"].map(h));
        // Hangul syllables, and full-width Latin folded by NFKC into one word.
        assert_eq!(w("한국어 ＡＢＣ"), ["한", "국", "어", "abc"].map(h));
        // The iteration mark and the prolonged sound mark are letters of their scripts.
        assert_eq!(
            w("時々ラーメン"),
            ["時", "々", "ラ", "ー", "メ", "ン"].map(h)
        );
    }

    #[test]
    fn a_document_mostly_in_unspaced_scripts_is_read_letter_by_letter() {
        assert_eq!(reading_of("plain English, façade, Ελλάδα"), Reading::Words);
        assert_eq!(reading_of("Tiếng Việt có dấu"), Reading::Words);
        assert_eq!(
            reading_of("Debian の apt-get コマンドでパッケージを入れます。"),
            Reading::Letters
        );
        assert_eq!(
            reading_of("ภาษาไทย with some English words in it"),
            Reading::Words
        );
        assert_eq!(reading_of("ภาษาไทยเขียนติดกัน abc"), Reading::Letters);
        let mut out = Vec::new();
        Tokenizer::new().tokens("apt-get で ＡＢ", Reading::Letters, &mut out);
        let h = |s: &str| hash_word(s.as_bytes());
        assert_eq!(out, ["a", "p", "t", "g", "e", "t", "で", "a", "b"].map(h));
        out.clear();
        Tokenizer::new().tokens("ที่ İ", Reading::Letters, &mut out);
        assert_eq!(
            out,
            vec![h("ที่"), h(&'İ'.to_lowercase().collect::<String>())]
        );
    }

    #[test]
    fn digits_are_kept() {
        assert_ne!(words("12 cts"), words("10 cts"));
    }
}
