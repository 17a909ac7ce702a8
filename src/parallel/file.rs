//! The parallel reading of an uncompressed regular file: every rayon task reads its own block
//! of the file by offset (`pread`) into a buffer it keeps, then parses it. Nothing waits for a
//! reader thread or for the other blocks of a batch, and the copy from the page cache is spread
//! over the cores too.

use std::cell::RefCell;
use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::ProgressBar;
use rayon::prelude::*;

use super::merge::Merge;
use super::{BlockSettings, parse_block};
use crate::parse::{LineParser, Sink};
use crate::run::InputReport;

/// An uncompressed regular file, from the offset where the lines still to parse start.
pub struct FileRange<'a> {
    pub file: &'a File,
    /// The offset of the first line to parse: the lines before it were parsed already.
    pub start: u64,
    /// The file's length when reading began. Lines appended later are not read, but a last
    /// line cut at this length is read to its end.
    pub end: u64,
    /// The bytes of the file the progress bar has counted already.
    pub counted: u64,
}

thread_local! {
    /// Each worker's block buffer, kept between blocks so a block costs no allocation.
    static BLOCK_BUFFER: RefCell<BlockBuffer> = const { RefCell::new(BlockBuffer::new()) };
}

/// A reusable buffer for one block of a file. Its storage only grows, and is zeroed once,
/// when it grows; `len` marks the bytes of the current block.
struct BlockBuffer {
    storage: Vec<u8>,
    len: usize,
}

impl BlockBuffer {
    const fn new() -> BlockBuffer {
        BlockBuffer {
            storage: Vec::new(),
            len: 0,
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.storage[..self.len]
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Removes the bytes of `range`, moving the ones after it down.
    fn remove(&mut self, range: std::ops::Range<usize>) {
        self.storage.copy_within(range.end..self.len, range.start);
        self.len -= range.len();
    }

    fn push(&mut self, byte: u8) {
        self.reserve(1);
        self.storage[self.len] = byte;
        self.len += 1;
    }

    fn reserve(&mut self, more: usize) {
        if self.storage.len() < self.len + more {
            self.storage.resize(self.len + more, 0);
        }
    }

    /// Appends up to `want` bytes of `file` from `offset`, and returns whether the file ended
    /// before them.
    fn read_at(&mut self, file: &File, offset: u64, want: usize) -> std::io::Result<bool> {
        self.reserve(want);
        let mut filled = 0;
        while filled < want {
            let spare = &mut self.storage[self.len + filled..self.len + want];
            match read_at(file, spare, offset + filled as u64) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.len += filled;
        Ok(filled < want)
    }
}

/// Parses the lines of a regular file from `range.start` to `range.end` in parallel blocks,
/// each read by its own rayon task with `pread`, and adds the events, activity and line counts
/// to `sink` and `report`. `line_offset` is the number of lines before `range.start`, and the
/// returned [`FileRead::line_no`] is the number of the last line.
///
/// Block `i` owns the lines that start inside its stretch of the file: it skips the end of a
/// line begun in the block before, and reads past its own end to finish its last line. The
/// results are merged in file order, so they do not depend on the thread count.
///
/// A file that shrinks while it is read (a `copytruncate` rotation) ends where a read first
/// found its end, and [`FileRead::shrunk_to`] reports it. Blocks read before the cut still hold
/// their lines, so with several threads the lines lost may lie before lines that were read.
pub fn parse_file_rest<P: LineParser + Send>(
    range: FileRange<'_>,
    new_parser: impl Fn() -> P + Sync,
    settings: BlockSettings<'_>,
    sink: &mut Sink,
    report: &mut InputReport,
    line_offset: u64,
    progress: Option<&ProgressBar>,
) -> std::io::Result<FileRead> {
    let block_bytes = settings.block_bytes.max(1) as u64;
    let span = range.end.saturating_sub(range.start);
    let blocks = span.div_ceil(block_bytes);
    let input = sink.input;
    // The shortest length a read found, below `range.end` when the file shrank.
    let shortest = AtomicU64::new(range.end);
    let mut merge = Merge::new(sink, line_offset, settings.max_examples);

    // Blocks are parsed a window at a time and merged in order after each window, so the
    // parsed-but-unmerged blocks held at once do not grow with the file.
    let window = rayon::current_num_threads().max(1) as u64 * 16;
    let mut next = 0;
    while next < blocks {
        let window_end = (next + window).min(blocks);
        let results: Vec<std::io::Result<(Sink, InputReport)>> = (next..window_end)
            .into_par_iter()
            .map(|index| {
                let from = range.start + index * block_bytes;
                let to = (from + block_bytes).min(range.end);
                let counts = BLOCK_BUFFER.with(|buffer| {
                    let mut buffer = buffer.borrow_mut();
                    let lines = read_file_block(
                        &range,
                        from,
                        to,
                        settings.max_line,
                        &mut buffer,
                        &shortest,
                    )?;
                    Ok(parse_block(
                        &buffer.bytes()[lines..],
                        &new_parser,
                        input,
                        &settings,
                    ))
                });
                if let Some(bar) = progress {
                    // Only the bytes past what the stream reader already counted.
                    bar.inc(to.saturating_sub(from.max(range.counted)));
                    // A file that grew after the bar took its size would take it past 100 %.
                    if bar.length().is_some_and(|total| bar.position() > total) {
                        bar.set_length(bar.position());
                    }
                }
                counts
            })
            .collect();
        for parsed in results {
            merge.add(sink, report, parsed?);
        }
        next = window_end;
    }
    let shortest = shortest.into_inner();
    Ok(FileRead {
        line_no: merge.line_offset,
        shrunk_to: (shortest < range.end).then_some(shortest),
    })
}

/// The end of a file read by [`parse_file_rest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRead {
    /// The number of the last line.
    pub line_no: u64,
    /// The file's length as a read found it, when that was below the length at the start.
    pub shrunk_to: Option<u64>,
}

/// Reads from `file` at `offset`, without moving its position on Unix (`pread`).
#[cfg(unix)]
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, offset)
}

/// Reads from `file` at `offset`. Windows moves the file's position too, which no reader here
/// relies on any more.
#[cfg(windows)]
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buffer, offset)
}

/// Reads into `buffer` the lines that start in `from..to` of the file, and returns where the
/// first of them starts in `buffer`. The last line is read to its newline, or to a little past
/// `max_line` when it is longer, which [`super::parse_block`] still counts as too long. A
/// newline is added when the file ends without one.
fn read_file_block(
    range: &FileRange<'_>,
    from: u64,
    to: u64,
    max_line: usize,
    buffer: &mut BlockBuffer,
    shortest: &AtomicU64,
) -> std::io::Result<usize> {
    buffer.truncate(0);

    // Read one byte early, to see whether a line starts at `from`: buffer index 0 is the
    // file's offset `read_from`.
    let read_from = if from > range.start { from - 1 } else { from };
    let mut ended = buffer.read_at(range.file, read_from, (to - read_from) as usize)?;
    if ended {
        shortest.fetch_min(read_from + buffer.len as u64, Ordering::Relaxed);
    }
    let first = if from > range.start {
        match memchr::memchr(b'\n', buffer.bytes()) {
            Some(newline) => newline + 1,
            // No line starts here: the block lies inside a line begun earlier.
            None => buffer.len,
        }
    } else {
        0
    };
    if first == buffer.len {
        // No line starts in this block.
        buffer.truncate(0);
        return Ok(0);
    }

    // Finish the last line, which may run past `to`, reading on in small steps. The file's last
    // line may run past `range.end` too: a log still being written grew after its length was
    // taken, and the rest of that line is read rather than cut. The lines after it are not.
    let mut last_start = memchr::memrchr(b'\n', &buffer.bytes()[first..])
        .map_or(first, |newline| first + newline + 1);
    let mut offset = read_from + buffer.len as u64;
    while last_start < buffer.len && !ended {
        let before = buffer.len;
        ended = buffer.read_at(range.file, offset, 64 << 10)?;
        offset += (buffer.len - before) as u64;
        if ended && offset < range.end {
            shortest.fetch_min(offset, Ordering::Relaxed);
        }
        if let Some(newline) = memchr::memchr(b'\n', &buffer.bytes()[before..]) {
            buffer.truncate(before + newline + 1);
            last_start = buffer.len;
            continue;
        }
        // Keep one NUL of a run that starts the line, so a crash hole of any size is not read
        // into memory and does not make the line after it too long.
        let nul = crate::input::nul_run_len(&buffer.bytes()[last_start..]);
        if nul > 1 {
            buffer.remove(last_start + 1..last_start + nul);
        }
        let kept_nul = nul.min(1);
        if buffer.len - last_start > kept_nul + max_line + 1 {
            // Too long to keep whole: keep enough that the parse counts it as too long, even
            // after a `\r` and the NUL are stripped.
            buffer.truncate(last_start + kept_nul + max_line + 2);
            buffer.push(b'\n');
            last_start = buffer.len;
        }
    }
    if buffer.bytes().last() != Some(&b'\n') {
        buffer.push(b'\n');
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;
    use crate::event::{EventKind, Source};
    use crate::parse::{LineClass, LineCtx};
    use crate::time::Precision;

    /// Keeps every line as an event whose text is the line in hex, so no byte of it is
    /// escaped or trimmed. A line containing `bad` is malformed.
    struct EchoParser;

    impl LineParser for EchoParser {
        fn parse_line(&mut self, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
            if memchr::memmem::find(line, b"bad").is_some() {
                return LineClass::Malformed("bad");
            }
            let kind = EventKind::DispatchListening;
            let hex: String = line.iter().map(|b| format!("{b:02x}")).collect();
            sink.push(
                0,
                Precision::Second,
                Source::Journal,
                ctx,
                kind,
                hex.as_bytes(),
            );
            LineClass::Used
        }
    }

    /// Returns what a line-by-line reading gives for the lines after the first `skip`: each
    /// line's number and its text, or `None` when it is malformed.
    fn expected(content: &[u8], skip: usize, max_line: usize) -> Vec<(u64, Option<String>)> {
        let mut lines: Vec<&[u8]> = content.split(|&b| b == b'\n').collect();
        if content.ends_with(b"\n") || content.is_empty() {
            lines.pop();
        }
        (1..)
            .zip(lines)
            .skip(skip)
            .map(|(number, line)| {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let bad = line.len() > max_line || memchr::memmem::find(line, b"bad").is_some();
                let hex = || line.iter().map(|b| format!("{b:02x}")).collect();
                (number, (!bad).then(hex))
            })
            .collect()
    }

    /// Parses `content` from after its first `skip` lines with `parse_file_rest`.
    fn parsed(
        content: &[u8],
        skip: usize,
        max_line: usize,
        block_bytes: usize,
    ) -> (Vec<(u64, Option<String>)>, InputReport, u64) {
        let start: usize = content
            .split_inclusive(|&b| b == b'\n')
            .take(skip)
            .map(<[u8]>::len)
            .sum();
        let end = content.len() as u64;
        let (sink, report, read) = read_file(
            content,
            (start as u64, end),
            skip as u64,
            max_line,
            block_bytes,
        );
        assert_eq!(read.shrunk_to, None);
        let mut lines: Vec<(u64, Option<String>)> = sink
            .events
            .iter()
            .map(|e| (e.origin.line(), Some(e.text.to_string())))
            .collect();
        lines.extend(report.malformed_examples.iter().map(|(n, _)| (*n, None)));
        lines.sort_by_key(|(n, _)| *n);
        (lines, report, read.line_no)
    }

    /// Writes `content` to a file and parses it with `parse_file_rest` over the byte range
    /// `(start, end)`, after `lines_before` lines.
    fn read_file(
        content: &[u8],
        (start, end): (u64, u64),
        lines_before: u64,
        max_line: usize,
        block_bytes: usize,
    ) -> (Sink, InputReport, FileRead) {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(content).unwrap();
        let range = FileRange {
            file: &file,
            start,
            end,
            counted: 0,
        };
        let settings = BlockSettings {
            pod: None,
            max_line,
            max_examples: usize::MAX,
            block_bytes,
        };
        let mut sink = Sink::new(0);
        let mut report = InputReport::default();
        let read = parse_file_rest(
            range,
            || EchoParser,
            settings,
            &mut sink,
            &mut report,
            lines_before,
            None,
        )
        .unwrap();
        (sink, report, read)
    }

    #[test]
    fn blocks_cut_anywhere_give_the_lines_of_a_plain_reading() {
        // (what the case covers, content, lines already read, max line length)
        let cases: &[(&str, &[u8], usize, usize)] = &[
            ("short lines", b"a\nbb\nccc\ndddd\n", 0, 100),
            ("no newline at the end", b"a\nbb\nccc", 0, 100),
            ("empty lines", b"\n\na\n\n", 0, 100),
            ("CRLF endings", b"one\r\ntwo\r\nthree\r\n", 0, 100),
            (
                "the first lines already read",
                b"head\nhead2\nx\ny\n",
                2,
                100,
            ),
            (
                "a long line among short ones",
                b"a\n0123456789012345\nb\n",
                0,
                8,
            ),
            (
                "a long last line with no newline",
                b"a\nb\n0123456789012345",
                0,
                8,
            ),
            ("a line one byte too long", b"123456789\n12345678\n", 0, 8),
            (
                "a CR that brings a line to the limit",
                b"12345678\r\n",
                0,
                8,
            ),
            (
                "malformed lines keep their numbers",
                b"ok\nbad\nok\n",
                0,
                100,
            ),
            ("only newlines", b"\n\n\n", 0, 100),
        ];
        for &(what, content, skip, max_line) in cases {
            let want = expected(content, skip, max_line);
            for block_bytes in 1..=content.len() + 1 {
                let (got, report, last) = parsed(content, skip, max_line, block_bytes);
                assert_eq!(got, want, "{what}, blocks of {block_bytes} bytes");
                assert_eq!(report.lines as usize, want.len(), "{what}");
                assert_eq!(last as usize, skip + want.len(), "{what}");
            }
        }
    }

    #[test]
    fn last_line_of_a_growing_file_is_read_whole() {
        // The length was taken while a writer was in the middle of `partial`.
        let written = b"one\ntwo\npartial";
        let mut content = written.to_vec();
        content.extend_from_slice(b" line\nnext\n");
        for block_bytes in [3, 64] {
            let (sink, report, read) =
                read_file(&content, (0, written.len() as u64), 0, 100, block_bytes);
            assert_eq!(read.shrunk_to, None, "blocks of {block_bytes} bytes");
            assert_eq!(report.lines, 3, "the line after the cut one is not read");
            let last = sink.events.last().map(|e| e.text.to_string());
            let hex: String = b"partial line".iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(last, Some(hex), "blocks of {block_bytes} bytes");
        }
    }

    #[test]
    fn file_shorter_than_its_length_is_reported() {
        // The length was taken before a rotation truncated the file to its first 3 lines.
        for block_bytes in [2, 5, 64] {
            let (_, report, read) = read_file(b"one\ntwo\nthree\n", (0, 1000), 0, 100, block_bytes);
            assert_eq!(read.shrunk_to, Some(14), "blocks of {block_bytes} bytes");
            assert_eq!(read.line_no, 3, "blocks of {block_bytes} bytes");
            assert_eq!(report.lines, 3, "blocks of {block_bytes} bytes");
        }
    }

    #[test]
    fn a_line_far_longer_than_the_limit_is_not_read_whole() {
        let mut content = b"first\n".to_vec();
        content.extend(std::iter::repeat_n(b'x', 3 << 20));
        content.extend_from_slice(b"\nlast\n");
        let (got, report, _) = parsed(&content, 0, 1024, 64 << 10);
        assert_eq!(
            got,
            vec![
                (1, Some("6669727374".to_string())),
                (2, None),
                (3, Some("6c617374".to_string()))
            ]
        );
        assert_eq!(report.malformed, 1);

        // The block where the long line starts reads 64 KiB past its end and stops there,
        // because it found no newline. The blocks inside the line read only themselves.
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&content).unwrap();
        let range = FileRange {
            file: &file,
            start: 0,
            end: content.len() as u64,
            counted: 0,
        };
        let mut buffer = BlockBuffer::new();
        let shortest = AtomicU64::new(range.end);
        let first = read_file_block(&range, 0, 64 << 10, 1024, &mut buffer, &shortest).unwrap();
        assert_eq!(first, 0);
        assert_eq!(
            buffer.len,
            6 + 1024 + 2 + 1,
            "the first line, the cut one and a newline"
        );
        assert!(buffer.storage.len() <= 128 << 10);
        read_file_block(&range, 64 << 10, 128 << 10, 1024, &mut buffer, &shortest).unwrap();
        assert_eq!(shortest.into_inner(), range.end, "nothing shrank");
        assert_eq!(buffer.len, 0, "no line starts inside the long line");
    }

    #[test]
    fn nul_hole_longer_than_the_limit_is_skipped() {
        // A crash hole of 3 MiB of NUL bytes, then the next write with no line end before it.
        let hex = |text: &[u8]| -> String { text.iter().map(|b| format!("{b:02x}")).collect() };
        let mut content = b"first\n".to_vec();
        content.extend(std::iter::repeat_n(0u8, 3 << 20));
        content.extend_from_slice(b"after the hole\nlast\n");
        for block_bytes in [4 << 10, 64 << 10, 1 << 20] {
            let (got, report, _) = parsed(&content, 0, 1024, block_bytes);
            let want = vec![
                (1, Some(hex(b"first"))),
                (2, Some(hex(b"after the hole"))),
                (3, Some(hex(b"last"))),
            ];
            assert_eq!(got, want, "blocks of {block_bytes} bytes");
            assert_eq!(report.malformed, 0, "blocks of {block_bytes} bytes");
            assert_eq!(
                report.nul_prefixed,
                (1, Some(2)),
                "blocks of {block_bytes} bytes"
            );
        }

        // The block where the hole starts reads on to its line end, keeping at most its last
        // read step (64 KiB) of the hole.
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&content).unwrap();
        let range = FileRange {
            file: &file,
            start: 0,
            end: content.len() as u64,
            counted: 0,
        };
        let mut buffer = BlockBuffer::new();
        let shortest = AtomicU64::new(range.end);
        read_file_block(&range, 0, 64 << 10, 1024, &mut buffer, &shortest).unwrap();
        assert!(buffer.bytes().starts_with(b"first\n\0"));
        assert!(buffer.bytes().ends_with(b"\0after the hole\n"));
        assert!(buffer.len <= 6 + (64 << 10) + 15, "{}", buffer.len);
        assert!(
            buffer.storage.len() <= 256 << 10,
            "{}",
            buffer.storage.len()
        );
    }

    proptest! {
        #[test]
        fn any_cut_matches_a_plain_reading(
            lines in proptest::collection::vec("[a-d\r]{0,12}", 0..40),
            trailing_newline in any::<bool>(),
            skip in 0usize..3,
            max_line in 1usize..10,
            block_bytes in 1usize..48,
        ) {
            let mut content = lines.join("\n").into_bytes();
            if trailing_newline && !content.is_empty() {
                content.push(b'\n');
            }
            let want = expected(&content, skip, max_line);
            let (got, report, _) = parsed(&content, skip, max_line, block_bytes);
            prop_assert_eq!(got, want);
            prop_assert_eq!(report.lines, report.used + report.ignored + report.malformed);
        }
    }
}
