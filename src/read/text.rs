//! Text files: a file in, its bytes and its text (decoded, lossily when it is not UTF-8) out,
//! read into a buffer that each worker reuses from one file to the next.

use super::{decode, open_file, read_failure, Compression, Lossy, Source};
use std::borrow::Cow;
use std::fs::File;
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
/// by `max` whatever it says. Without it, the length is asked only of a file that does not fit
/// in the buffer's room.
pub fn read_bytes(
    src: &Source,
    max: u64,
    len: Option<u64>,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    buf.clear();
    let too_big = |n: String| format!("{n} bytes, larger than --max-doc-bytes ({max})");
    let file = File::open(&src.path).map_err(|e| format!("cannot open: {e}"))?;
    if src.compression() != Compression::None {
        let reader = open_file(file, src.compression()).map_err(|e| read_failure(src, &e))?;
        reader
            .take(max.saturating_add(1))
            .read_to_end(buf)
            .map_err(|e| read_failure(src, &e))?;
        if buf.len() as u64 > max {
            return Err(too_big(format!("decompresses to more than {max}")));
        }
        return Ok(());
    }
    // Bytes read at most: one more than `max`, to tell a longer file.
    let most = usize::try_from(max).map_or(usize::MAX, |m| m.saturating_add(1));
    let (mut known, mut asked) = (len, len.is_some());
    loop {
        if let Some(len) = known.take() {
            if len > max {
                buf.clear();
                return Err(too_big(len.to_string()));
            }
            // Room for all of it and one byte more: the read that finds its end needs room.
            let all = usize::try_from(len).map_or(most, |n| n.saturating_add(1).min(most));
            buf.reserve(all.saturating_sub(buf.len()));
        } else if buf.len() == buf.capacity() {
            // Twice the room (the file goes on past its length, or that is not known).
            buf.reserve_exact(buf.capacity().max(FIRST_ROOM).min(most - buf.len()));
        }
        match fill_room(&file, most, buf).map_err(|e| read_failure(src, &e))? {
            Filled::End => break,
            Filled::Room if !asked => {
                asked = true;
                known = file.metadata().ok().map(|m| m.len());
            }
            Filled::Room => {}
        }
    }
    if buf.len() as u64 > max {
        // Grown past `max` since its length was taken.
        buf.clear();
        let len = file.metadata().map_or(max.saturating_add(1), |m| m.len());
        return Err(too_big(len.to_string()));
    }
    Ok(())
}

/// The room a buffer without any gets for its first read.
const FIRST_ROOM: usize = 8 << 10;

/// How far [`fill_room`] read.
#[cfg_attr(not(unix), allow(dead_code))]
enum Filled {
    /// To the file's end, or to the most bytes wanted.
    End,
    /// To the end of the buffer's room: the file may go on.
    Room,
}

/// Appends `file`'s bytes to `buf`, in the room it has, until the file's end, until `buf` holds
/// `most` bytes, or until the room is full. The bytes go straight into the buffer's room, which
/// a reused buffer mostly has: a file then takes two reads, one for its bytes and one that
/// finds its end.
#[cfg(unix)]
fn fill_room(file: &File, most: usize, buf: &mut Vec<u8>) -> std::io::Result<Filled> {
    loop {
        let wanted = most.saturating_sub(buf.len());
        let room = buf.capacity() - buf.len();
        if wanted == 0 {
            return Ok(Filled::End);
        }
        if room == 0 {
            return Ok(Filled::Room);
        }
        if room > wanted {
            // A buffer reused from a file larger than `most` allows: its room would let the
            // read go past it.
            file.take(wanted as u64).read_to_end(buf)?;
            return Ok(Filled::End);
        }
        match rustix::io::read(file, rustix::buffer::spare_capacity(buf)) {
            Ok(0) => return Ok(Filled::End),
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// [`fill_room`] through `std`, which grows the buffer as it needs.
#[cfg(not(unix))]
fn fill_room(file: &File, most: usize, buf: &mut Vec<u8>) -> std::io::Result<Filled> {
    let wanted = most.saturating_sub(buf.len());
    file.take(wanted as u64).read_to_end(buf)?;
    Ok(Filled::End)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        /// Read in place to its end, whatever the buffer held before and whatever length the
        /// caller was told, a file gives the bytes `std` reads, or the same refusal (with
        /// nothing kept) when it is larger than `max`.
        #[test]
        fn reads_what_std_reads(
            len in 0usize..70_000,
            max in 0u64..80_000,
            room in 0usize..100_000,
            told in proptest::option::of(0u64..5),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.txt");
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            let src = Source { name: "a.txt".into(), path: path.clone() };
            // Told a quarter, a half... of its length: the length only sizes the buffer.
            let told = told.map(|quarters| len as u64 * quarters / 4);
            let mut buf = Vec::with_capacity(room);
            buf.extend_from_slice(b"left over");
            let got = read_bytes(&src, max, told, &mut buf);

            let read = std::fs::read(&path).unwrap();
            let refused = told.filter(|&n| n > max).or((read.len() as u64 > max).then_some(read.len() as u64));
            let want = match refused {
                Some(n) => Err(format!("{n} bytes, larger than --max-doc-bytes ({max})")),
                None => Ok(()),
            };
            proptest::prop_assert_eq!(got, want);
            let kept = if refused.is_some() { Vec::new() } else { read };
            proptest::prop_assert_eq!(&buf, &kept);
            // Never grown to hold much more than `max` bytes, however long the file.
            let bound = 2 * room.max(16).max(max as usize + 1);
            proptest::prop_assert!(buf.capacity() <= bound, "{} > {bound}", buf.capacity());
        }
    }
}
