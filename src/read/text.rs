//! Text files: a file in, its bytes and its text (decoded, lossily when it is not UTF-8) out,
//! read into a buffer that each worker reuses from one file to the next.

use super::{decode, open, read_failure, Compression, Lossy, Source};
use std::borrow::Cow;
use std::io::Read;

thread_local! {
    /// Each worker's read buffer, reused from one document to the next.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with this worker's read buffer (for [`read_text`]); a buffer grown past
/// `keep` bytes by a huge file is not kept for the small ones that follow.
pub fn with_read_buffer<T>(keep: usize, f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    READ_BUFFER.with_borrow_mut(|buf| {
        let out = f(buf);
        if buf.capacity() > keep {
            *buf = Vec::new();
        }
        out
    })
}

/// A text document as read: its text, and the map back to its bytes when they were not UTF-8.
#[derive(Debug)]
pub struct Text<'b> {
    pub text: Cow<'b, str>,
    pub lossy: Option<Lossy>,
    /// Length of the file's (decompressed) bytes.
    pub bytes: usize,
}

/// Reads the whole text file `src` (decompressed, at most `max` bytes) into `buf`, replacing its
/// contents, and returns its text, or the reason it cannot be scanned. The buffer can be reused
/// from one file to the next, so reading many small files allocates almost nothing. `len` is
/// the file's length when the caller has it already ([`file_len`]).
pub fn read_text<'b>(
    src: &Source,
    max: u64,
    len: Option<u64>,
    buf: &'b mut Vec<u8>,
) -> Result<Text<'b>, String> {
    read_bytes(src, max, len, buf)?;
    let bytes = buf.len();
    let (text, lossy) = decode(buf)?;
    Ok(Text { text, lossy, bytes })
}

/// The length of file `src` on disk, if it can be asked (a `stat`, without opening it).
pub fn file_len(src: &Source) -> Option<u64> {
    std::fs::metadata(&src.path).ok().map(|m| m.len())
}

/// Reads the whole file `src` (decompressed, at most `max` bytes) into `buf`, or says why it
/// cannot be read. `len` is its length on disk when the caller has it already: it is not asked
/// again. It only sizes the buffer and skips a file too large at once; what is read is bounded
/// by `max` whatever it says.
pub fn read_bytes(
    src: &Source,
    max: u64,
    len: Option<u64>,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    buf.clear();
    let too_big = |n: String| format!("{n} bytes, larger than --max-doc-bytes ({max})");
    let file = std::fs::File::open(&src.path).map_err(|e| format!("cannot open: {e}"))?;
    if src.compression() == Compression::None {
        if let Some(len) = len.or_else(|| file.metadata().ok().map(|m| m.len())) {
            if len > max {
                return Err(too_big(len.to_string()));
            }
            buf.reserve(len as usize);
        }
        // Through `take`: `File::read_to_end` would ask the size again (a `statx` and an
        // `lseek` per file, twice per document in a scan).
        file.take(max.saturating_add(1))
            .read_to_end(buf)
            .map_err(|e| read_failure(src, &e))?;
    } else {
        let reader = open(src).map_err(|e| read_failure(src, &e))?;
        reader
            .take(max.saturating_add(1))
            .read_to_end(buf)
            .map_err(|e| read_failure(src, &e))?;
    }
    if buf.len() as u64 > max {
        return Err(too_big(format!("decompresses to more than {max}")));
    }
    Ok(())
}
