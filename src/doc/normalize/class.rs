//! Character classes of the tokenizer: a non-ASCII character in, what the word scan needs to
//! know of it out (whether NFKC may change it or its neighbours, whether it is alphanumeric, its
//! lower case when that is one character, whether it is a word of its own in a script written
//! without spaces), from a table over the Basic Multilingual Plane filled on first sight.

use std::sync::atomic::{AtomicU32, Ordering};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_script::{Script, UnicodeScript};

/// Class bits of a character (see [`compute_class`]).
pub(super) const INERT: u32 = 1 << 31;
pub(super) const ALNUM: u32 = 1 << 30;
/// Lower-cases to the single character in the low bits.
pub(super) const SIMPLE_LOWER: u32 = 1 << 29;
pub(super) const LOWER_MASK: u32 = (1 << 21) - 1;
/// A letter of a script written without spaces between words ([`UNSPACED`]): a word of its own.
pub(super) const CHAR_WORD: u32 = 1 << 27;
/// A combining mark (general category M): it stays with the letter before it when that letter
/// is a [`CHAR_WORD`] (Thai, Lao, Khmer and Myanmar vowel signs and tone marks).
pub(super) const MARK: u32 = 1 << 26;

/// Scripts written without spaces between words, whose letters are each a word to the tokenizer
/// (so that word shingles are character shingles there): Chinese, Japanese (kanji and kana),
/// Thai, Lao, Khmer, Myanmar and a few others of South-East Asia, Yi and Bopomofo. Hangul is
/// written with spaces, but between phrases of a word and its particles (한국어를, 한국어는):
/// its syllables are words too, as the evaluation measured (see the README).
const UNSPACED: [Script; 16] = [
    Script::Han,
    Script::Hiragana,
    Script::Katakana,
    Script::Bopomofo,
    Script::Hangul,
    Script::Yi,
    Script::Thai,
    Script::Lao,
    Script::Khmer,
    Script::Myanmar,
    Script::Tai_Le,
    Script::New_Tai_Lue,
    Script::Tai_Tham,
    Script::Tai_Viet,
    Script::Javanese,
    Script::Balinese,
];

/// Whether `c` is a letter or digit of an [`UNSPACED`] script, or a common letter used only with
/// them (the prolonged sound mark ー, the iteration mark 々).
pub(super) fn is_char_word(c: char) -> bool {
    if !c.is_alphanumeric() || c.general_category_group() == GeneralCategoryGroup::Mark {
        return false;
    }
    let script = c.script();
    if UNSPACED.contains(&script) {
        return true;
    }
    let ext = c.script_extension();
    matches!(script, Script::Common | Script::Inherited)
        && !ext.is_common()
        && !ext.is_inherited()
        && ext.iter().all(|s| UNSPACED.contains(&s))
}

/// What the tokenizer needs to know of `c`, from a table built once for the characters below
/// U+10000 (the Basic Multilingual Plane: every living script, CJK and Hangul included),
/// computed for the others: whether it is NFKC-inert ([`is_inert`]), alphanumeric, and its lower
/// case when that is one character.
#[cfg(test)]
pub(super) fn class_of(c: char) -> u32 {
    class_table().of(c)
}

/// The classes of the characters of the Basic Multilingual Plane, each computed on first use (0:
/// not yet). 256 KB of zeroes until used: only the pages of the scripts a corpus uses are touched.
pub(super) fn class_table() -> &'static ClassTable {
    static CLASSES: ClassTable = ClassTable([const { AtomicU32::new(0) }; TABLE]);
    &CLASSES
}

const TABLE: usize = 0x1_0000;
/// Marks a computed entry of the class table.
const KNOWN: u32 = 1 << 28;

pub(super) struct ClassTable([AtomicU32; TABLE]);

impl ClassTable {
    /// The class of `c`: from the table, or computed above it.
    #[inline(always)]
    pub(super) fn of(&self, c: char) -> u32 {
        match self.get(c as usize) {
            Some(class) => class,
            None => compute_class(c),
        }
    }

    /// The class of the character of code point `cp`, below U+10000.
    #[inline(always)]
    pub(super) fn of_bmp(&self, cp: u32) -> u32 {
        debug_assert!(cp < TABLE as u32);
        self.get(cp as usize).unwrap_or(0)
    }

    /// The class of `c`, or `None` above the table.
    #[inline]
    fn get(&self, c: usize) -> Option<u32> {
        let slot = self.0.get(c)?;
        let class = slot.load(Ordering::Relaxed);
        if class != 0 {
            return Some(class);
        }
        let class = char::from_u32(c as u32).map_or(0, compute_class) | KNOWN;
        slot.store(class, Ordering::Relaxed);
        Some(class)
    }
}

fn compute_class(c: char) -> u32 {
    let mut class = 0;
    if check_inert(c) {
        class |= INERT;
    }
    if c.is_alphanumeric() {
        class |= ALNUM;
    }
    let mut lower = c.to_lowercase();
    if let (Some(l), None) = (lower.next(), lower.next()) {
        class |= SIMPLE_LOWER | l as u32;
    }
    if is_char_word(c) {
        class |= CHAR_WORD;
    }
    if c.general_category_group() == GeneralCategoryGroup::Mark {
        class |= MARK;
    }
    class
}

/// True when NFKC cannot change the words around `c`: either NFKC leaves `c` as it is and cannot
/// combine it with its neighbours (quick-check Yes, canonical combining class 0), or `c` is a
/// separator that NFKC turns into other separators only (a no-break space, `…`).
#[cfg(test)]
pub(super) fn is_inert(c: char) -> bool {
    class_of(c) & INERT != 0
}

fn check_inert(c: char) -> bool {
    use unicode_normalization::char::canonical_combining_class as ccc;
    if ccc(c) != 0 || is_composing_starter(c) {
        return false;
    }
    match is_nfkc_quick(std::iter::once(c)) {
        IsNormalized::Yes => true,
        IsNormalized::Maybe => false,
        IsNormalized::No => {
            !c.is_alphanumeric()
                && std::iter::once(c)
                    .nfkc()
                    .all(|d| !d.is_alphanumeric() && ccc(d) == 0)
        }
    }
}

/// Starters that NFKC can compose with a preceding character (Hangul vowel and trailing jamo,
/// and a few others flagged "maybe" by the quick check are already excluded by it).
fn is_composing_starter(c: char) -> bool {
    matches!(c as u32, 0x1161..=0x1175 | 0x11A8..=0x11C2)
}
