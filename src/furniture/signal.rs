//! The signals of the furniture model that a report names: a bit set per segment, and the words
//! for it in the `reason` column ([`describe`]). Bits 0-4 are the segment's own (measured by the
//! document stage), bits 8-11 its corpus evidence and context ([`super::context`]).

/// Local signals.
pub const CUE: u8 = 1;
pub const SHORT: u8 = 2;
pub const NO_SENTENCE: u8 = 4;
pub const FEW_STOP_WORDS: u8 = 8;
pub const SYMBOLS: u8 = 16;
/// The segment's shape, read by [`super::page`] (not named in reasons): code or markup, a menu
/// entry, digits.
pub const CODE: u8 = 32;
pub const MENU: u8 = 64;
pub const DIGITS: u8 = 128;

/// Corpus and context signals.
pub const IN_DOCUMENTS: u16 = 1 << 8;
pub const TEMPLATE: u16 = 1 << 9;
pub const AMID_FURNITURE: u16 = 1 << 10;
pub const OUTSIDE_MAIN_TEXT: u16 = 1 << 11;

/// The report's words for a set of signals, strongest first, at most three.
pub fn describe(signals: u16) -> &'static str {
    // Rendered once per combination of signals: a report has a row per furniture span.
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| (0..=ALL_SIGNALS).map(describe_uncached).collect());
    names
        .get(usize::from(signals & ALL_SIGNALS))
        .map_or("context", String::as_str)
}

/// Every bit a signal set can have (the local signals are bits 0-4, the stage-2 ones 8-11).
const ALL_SIGNALS: u16 = 0xfff;

fn describe_uncached(signals: u16) -> String {
    let names: [(u16, &str); 9] = [
        (u16::from(CUE), "furniture phrase"),
        (IN_DOCUMENTS, "in other documents"),
        (TEMPLATE, "template in other documents"),
        (u16::from(SYMBOLS), "symbols and digits"),
        (u16::from(FEW_STOP_WORDS), "few stop words"),
        (u16::from(SHORT), "short"),
        (u16::from(NO_SENTENCE), "no sentence"),
        (AMID_FURNITURE, "amid furniture"),
        (OUTSIDE_MAIN_TEXT, "outside the main text"),
    ];
    let named: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| signals & bit != 0)
        .map(|&(_, name)| name)
        .take(3)
        .collect();
    if named.is_empty() {
        "context".to_string()
    } else {
        named.join(", ")
    }
}
