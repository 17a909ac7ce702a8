//! Parallel parsing of inputs whose lines can be parsed apart: Traefik, cloudflared, and the
//! journal in every mode but `short` and `short-precise`.
//!
//! An input is cut into blocks of whole lines (about `CHUNK_BYTES` each), and each block is
//! parsed with its own parser into its own [`Sink`]. How the blocks are read depends on the
//! input:
//!
//! - An uncompressed regular file ([`parse_file_rest`], in `file.rs`): every rayon task reads
//!   its own block by offset. Nothing waits for a reader thread or for the other blocks of a
//!   batch, and the copy from the page cache is spread over the cores too. stdin redirected
//!   from a regular file is read the same way.
//! - A stream: a pipe, or a gzip or zstd file ([`parse_rest`]). A reader thread (the one that
//!   decompresses) cuts the blocks and queues a few ahead, and rayon parses a batch at a time.
//!
//! Either way, the results are merged in input order, so the output is the same whatever the
//! thread count. Each block numbers its lines from 1, and the merge adds the lines before it, so
//! evidence still names the line in the decompressed input.
//!
//! A t3 serve's state crosses lines: a detail line belongs to its PID's last header, and a PID's
//! user is reported once. The merge (`merge.rs`) carries that state from block to block. Formats
//! with state that must run in order (the year roll-over of `short` lines, the untimed lines
//! of `-o cat`, envelopes, journal export records) are parsed sequentially.

mod file;
mod merge;

use std::io::Read;

use rayon::prelude::*;

use crate::input::LineReader;
use crate::parse::{LineClass, LineCtx, LineParser, Sink};
use crate::run::InputReport;

pub use file::{FileRange, FileRead, parse_file_rest};
use merge::Merge;

/// Bytes of lines per chunk, by default.
pub const CHUNK_BYTES: usize = 1 << 20;

/// The malformed reason of a line longer than `--max-line-bytes`. Reading an input writes the
/// limit's value into the few malformed examples it keeps, so no line pays for formatting it.
pub const LINE_TOO_LONG_REASON: &str =
    "line longer than --max-line-bytes; raise --max-line-bytes to read it";

/// The class of a line longer than `--max-line-bytes`.
pub const LINE_TOO_LONG: LineClass = LineClass::Malformed(LINE_TOO_LONG_REASON);

/// The malformed reason of a line that contains NUL bytes after its leading run. journalctl
/// prints a message with unprintable bytes as `[N blob data]` unless `--all` is given, and the
/// JSON formats escape NUL, so such a line almost always comes from damage: a crash hole that
/// begins inside it, or a corrupted copy. A NUL can stand in for an identifier's or a field's
/// bytes, so the text around it is not read.
pub const NUL_INSIDE_REASON: &str =
    "contains NUL bytes, as a damaged file does, so its text was not read";

/// The class of a line that contains NUL bytes after its leading run.
pub const NUL_INSIDE: LineClass = LineClass::Malformed(NUL_INSIDE_REASON);

/// Returns a line without the run of NUL bytes that starts it, or `None` when it starts with
/// another byte. After a crash, the blocks of a file that were allocated but never written can
/// read as NUL bytes. The next write follows them with no line end, so the first line after
/// such a hole starts with the run.
pub fn strip_nul_prefix(text: &[u8]) -> Option<&[u8]> {
    if text.first() != Some(&0) {
        return None;
    }
    let len = text.iter().take_while(|&&b| b == 0).count();
    Some(&text[len..])
}

/// The settings of block parsing: block size, line limit and the input's pod.
#[derive(Clone, Copy, Debug)]
pub struct BlockSettings<'a> {
    /// The pod that names the input's coverage track (cloudflared), if any.
    pub pod: Option<&'a str>,
    /// Lines longer than this are counted as malformed.
    pub max_line: usize,
    /// Malformed-line examples kept per input.
    pub max_examples: usize,
    /// Bytes per block.
    pub block_bytes: usize,
}

/// Parses one block with a fresh parser from `new_parser` into a sink of its own. Line
/// numbers count from 1 inside the block until the merge finds its place in the input.
fn parse_block<P: LineParser>(
    block: &[u8],
    new_parser: &impl Fn() -> P,
    input: u32,
    settings: &BlockSettings<'_>,
) -> (Sink, InputReport) {
    let mut parser = new_parser();
    let mut sink = Sink::new(input);
    let mut counts = InputReport::default();
    // One search of the whole block, so that its lines are searched only when it has a NUL.
    let block_has_nul = memchr::memchr(0, block).is_some();
    let mut start = 0;
    for (line_no, end) in (1..).zip(memchr::memchr_iter(b'\n', block)) {
        let mut text = &block[start..end];
        start = end + 1;
        if let Some(stripped) = text.strip_suffix(b"\r") {
            text = stripped;
        }
        // A crash hole's NUL run does not count towards the line limit.
        text = counts.strip_nul_prefix(line_no, text);
        let class = if text.len() > settings.max_line {
            LINE_TOO_LONG
        } else if block_has_nul && counts.note_nul_inside(line_no, text) {
            NUL_INSIDE
        } else {
            let ctx = LineCtx {
                line: line_no,
                outer_time: None,
                pod: settings.pod,
            };
            parser.parse_line(text, &ctx, &mut sink)
        };
        counts.account(line_no, class, settings.max_examples);
    }
    parser.end_block(&mut sink);
    (sink, counts)
}

/// Parses the rest of a stream in parallel blocks, with a fresh parser per block from
/// `new_parser`, and adds the events, activity and line counts to `sink` and `report`.
/// `settings.max_line` should be the line reader's own limit.
///
/// A reader thread cuts blocks of whole lines (about `block_bytes` each) and queues a few ahead
/// while rayon parses the current batch, so reading and parsing overlap. Each block numbers its
/// lines from 1; once a batch is parsed, its blocks are merged in input order and their line
/// numbers moved by the lines before them.
pub fn parse_rest<R: Read + Send, P: LineParser + Send>(
    lines: &mut LineReader<R>,
    new_parser: impl Fn() -> P + Sync,
    settings: BlockSettings<'_>,
    sink: &mut Sink,
    report: &mut InputReport,
) -> std::io::Result<()> {
    let BlockSettings {
        max_examples,
        block_bytes,
        ..
    } = settings;
    let batch_size = rayon::current_num_threads().max(1) * 2;
    let input = sink.input;
    let mut merge = Merge::new(sink, lines.line_no, max_examples);

    // With one thread (`--threads 1`) the blocks are read and parsed in turn on this thread,
    // with no reader thread beside it.
    if rayon::current_num_threads() <= 1 {
        while let Some(block) = lines.next_block(block_bytes.max(1))? {
            let parsed = parse_block(&block, &new_parser, input, &settings);
            merge.add(sink, report, parsed);
        }
        lines.line_no = merge.line_offset;
        return Ok(());
    }

    std::thread::scope(|scope| -> std::io::Result<()> {
        let (sender, receiver) =
            std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(batch_size);
        // Parsed blocks go back to the reader to be filled again: a fresh megabyte per block
        // costs page faults that took longer than the parse.
        let (recycle, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
        let reader = &mut *lines;
        scope.spawn(move || {
            loop {
                let buffer = recycled.try_recv().unwrap_or_default();
                let next = reader.next_block_into(block_bytes.max(1), buffer);
                let done = !matches!(next, Ok(Some(_)));
                let item = match next {
                    Ok(Some(block)) => Ok(block),
                    Ok(None) => break,
                    Err(e) => Err(e),
                };
                // A closed receiver means the parse side stopped on an error.
                if sender.send(item).is_err() || done {
                    break;
                }
            }
        });

        loop {
            let mut batch = Vec::with_capacity(batch_size);
            while batch.len() < batch_size {
                match receiver.recv() {
                    Ok(block) => batch.push(block?),
                    Err(_) => break,
                }
            }
            if batch.is_empty() {
                return Ok(());
            }
            let results: Vec<(Sink, InputReport)> = batch
                .par_iter()
                .map(|block| parse_block(block, &new_parser, input, &settings))
                .collect();
            for parsed in results {
                merge.add(sink, report, parsed);
            }
            for block in batch {
                // A reader that has stopped takes no more buffers.
                let _ = recycle.send(block);
            }
        }
    })?;
    lines.line_no = merge.line_offset;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ParseOptions;
    use crate::parse::traefik::TraefikParser;

    #[test]
    fn nul_prefix_shapes() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (
                b"\0\0\0Jun 10 19:40:07 devvm x[1]: m",
                Some(b"Jun 10 19:40:07 devvm x[1]: m"),
            ),
            (b"\0", Some(b"")),
            (b"line\0with a NUL inside", None),
            (b"", None),
            (b" \0", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                strip_nul_prefix(text),
                *expected,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    /// Parses `lines` as one block and returns the line numbers counted as holding NUL bytes
    /// inside, the lines malformed for that reason, and the block's counts.
    fn nul_inside_lines<P: LineParser>(
        lines: &[&[u8]],
        new_parser: impl Fn() -> P,
    ) -> (Vec<u64>, Vec<u64>, InputReport) {
        let block: Vec<u8> = lines.iter().flat_map(|l| [*l, b"\n"].concat()).collect();
        let settings = BlockSettings {
            pod: None,
            max_line: 1 << 20,
            max_examples: 100,
            block_bytes: 1 << 20,
        };
        let (_, counts) = parse_block(&block, &new_parser, 0, &settings);
        let reasons: Vec<u64> = counts
            .malformed_examples
            .iter()
            .filter(|(_, reason)| reason == NUL_INSIDE_REASON)
            .map(|(line, _)| *line)
            .collect();
        (counts.nul_inside.1.clone(), reasons, counts)
    }

    #[test]
    fn nul_inside_a_line_is_malformed() {
        use crate::parse::cloudflared::CloudflaredParser;
        use crate::parse::journal::JournalParser;

        let options = ParseOptions::default();
        // (parser, lines, the lines with NUL bytes after their leading run)
        let journal: &[&[u8]] = &[
            b"2026-06-10T19:12:30+00:00 devvm \0\0\0t3-dispatch[812]: 2026/06/10 19:12:30 ws close user=carol ip=203.0.113.35, 10.10.3.14 dur_ms=1500326 cause=graceful",
            b"2026-06-10T19:12:30+00:00 devvm t3-dispatch[812]: 2026/06/10 19:12:30 ws close user=carol ip=203.0.113.35, 10.10.3.14 dur_ms=15\x00\x00326 cause=graceful",
            b"2026-06-10T19:12:31+00:00 devvm sshd[900]: Accepted publickey for bob\0",
            b"\0\0\x002026-06-10T19:12:32+00:00 devvm t3-dispatch[812]: 2026/06/10 19:12:32 ws open user=bob ip=203.0.113.22, 10.10.1.12",
            b"2026-06-10T19:12:33+00:00 devvm t3-dispatch[812]: 2026/06/10 19:12:33 ws open user=dave ip=203.0.113.40, 10.10.1.12",
        ];
        let traefik: &[&[u8]] = &[
            b"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\0\" 48213 \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 1512345ms",
            b"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" 48214 \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 1512345ms",
        ];
        let cloudflared: &[&[u8]] = &[
            b"2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2 event=0 ip=198.41.192.7",
            b"2026-06-10T19:30:12Z ERR Failed to serve tunnel connection error=\"timeout: no rec\0\0\0\0\" connIndex=2 event=0",
        ];
        let cases = [
            (
                "journal",
                nul_inside_lines(journal, || JournalParser::new(&options)),
                vec![1, 2, 3],
            ),
            (
                "traefik",
                nul_inside_lines(traefik, || TraefikParser::new(&options)),
                vec![1],
            ),
            (
                "cloudflared",
                nul_inside_lines(cloudflared, || CloudflaredParser::new(&options)),
                vec![2],
            ),
        ];
        for (name, (noted, malformed, counts), expected) in cases {
            assert_eq!(noted, expected, "{name}: lines noted");
            assert_eq!(malformed, expected, "{name}: lines malformed for NUL bytes");
            assert_eq!(counts.nul_inside.0, expected.len() as u64, "{name}: count");
            assert_eq!(counts.malformed, expected.len() as u64, "{name}: malformed");
        }
    }

    #[test]
    fn chunks_keep_line_numbers_and_counts() {
        let mut text = Vec::new();
        for i in 0..50_000u64 {
            if i % 1000 == 7 {
                // An access line with an impossible date: malformed.
                text.extend_from_slice(
                    b"203.0.113.1 - - [99/Jun/2026:19:30:12 +0000] \"GET /x HTTP/1.1\" 200 1 \"-\" \"ua\" 1 \"api@internal\" \"-\" 3ms\n",
                );
            } else {
                text.extend_from_slice(
                    format!(
                        "203.0.113.{} - - [10/Jun/2026:19:30:12 +0000] \"GET /x HTTP/1.1\" 200 1 \"-\" \"ua\" {i} \"api@internal\" \"-\" 3ms\n",
                        i % 200
                    )
                    .as_bytes(),
                );
            }
        }
        text.extend(std::iter::repeat_n(b'x', 5000));
        text.push(b'\n');
        let mut lines = LineReader::new(&text[..], 4096);
        let mut sink = Sink::new(0);
        let mut report = InputReport::default();
        let options = ParseOptions::default();
        let settings = BlockSettings {
            pod: None,
            max_line: lines.max_line(),
            max_examples: 5,
            block_bytes: 64 << 10,
        };
        parse_rest(
            &mut lines,
            || TraefikParser::new(&options),
            settings,
            &mut sink,
            &mut report,
        )
        .unwrap();
        assert_eq!(report.lines, 50_001);
        assert_eq!(
            report.lines,
            report.used + report.ignored + report.malformed
        );
        assert_eq!(
            report.malformed_examples.first().map(|e| e.0),
            Some(8),
            "line numbers are 1-based and global"
        );
        assert_eq!(
            report.malformed, 51,
            "50 damaged lines and the over-long one"
        );
    }
}
