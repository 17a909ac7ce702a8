//! Parallel parsing of line formats whose lines are independent (Traefik, cloudflared).
//!
//! The reader cuts the input into chunks of whole lines (about `CHUNK_BYTES` each) and hands a
//! batch of them to rayon; each chunk is parsed by its own parser into its own [`Sink`], and
//! the results are merged in chunk order, so the output is the same whatever the thread count.
//! Line numbers are counted by the reader, so evidence still names the decompressed line.
//!
//! Formats with state that crosses lines (the journal's year roll-over, a serve's header and
//! detail lines, journal export records) are parsed sequentially instead.

use std::io::Read;

use rayon::prelude::*;

use crate::input::{Line, LineReader};
use crate::parse::{LineClass, LineCtx, LineParser, Sink};
use crate::run::InputReport;

/// Bytes of lines per chunk, by default.
pub const CHUNK_BYTES: usize = 4 << 20;

/// A run of whole lines copied out of the reader.
struct Chunk {
    first_line: u64,
    /// The lines, each followed by `\n`. An over-long line is an empty line here and its
    /// number is in `too_long`.
    data: Vec<u8>,
    too_long: Vec<u64>,
}

/// How the lines of one chunk were accounted for.
#[derive(Default)]
struct Counts {
    lines: u64,
    used: u64,
    ignored: u64,
    malformed: u64,
    examples: Vec<(u64, String)>,
}

/// Fills a chunk from the reader. Returns `None` at the end of the input.
fn next_chunk<R: Read>(
    lines: &mut LineReader<R>,
    chunk_bytes: usize,
) -> std::io::Result<Option<Chunk>> {
    let mut chunk = Chunk {
        first_line: lines.line_no + 1,
        data: Vec::with_capacity(chunk_bytes + 4096),
        too_long: Vec::new(),
    };
    while chunk.data.len() < chunk_bytes {
        let line_no = lines.line_no + 1;
        match lines.next_line()? {
            Some(Line::Text(text)) => chunk.data.extend_from_slice(text),
            Some(Line::TooLong { .. }) => chunk.too_long.push(line_no),
            None => break,
        }
        chunk.data.push(b'\n');
    }
    Ok((!chunk.data.is_empty()).then_some(chunk))
}

fn parse_chunk(
    chunk: &Chunk,
    parser: &mut dyn LineParser,
    sink: &mut Sink,
    pod: Option<&str>,
    max_examples: usize,
) -> Counts {
    let mut counts = Counts::default();
    let mut too_long = chunk.too_long.iter().peekable();
    let mut start = 0;
    for (line_no, end) in (chunk.first_line..).zip(memchr::memchr_iter(b'\n', &chunk.data)) {
        let text = &chunk.data[start..end];
        start = end + 1;
        let class = if too_long.peek() == Some(&&line_no) {
            too_long.next();
            LineClass::Malformed("line longer than --max-line-bytes")
        } else {
            let ctx = LineCtx {
                line: line_no,
                outer_time: None,
                pod,
            };
            parser.parse_line(text, &ctx, sink)
        };
        counts.lines += 1;
        match class {
            LineClass::Used => counts.used += 1,
            LineClass::Ignored => counts.ignored += 1,
            LineClass::Malformed(reason) => {
                counts.malformed += 1;
                if counts.examples.len() < max_examples {
                    counts.examples.push((line_no, reason.to_string()));
                }
            }
        }
    }
    counts
}

/// Parses the rest of an input in parallel chunks, with a fresh parser per chunk from
/// `new_parser`, and adds the events, activity and line counts to `sink` and `report`.
pub fn parse_rest<R: Read, P: LineParser + Send>(
    lines: &mut LineReader<R>,
    new_parser: impl Fn() -> P + Sync,
    pod: Option<&str>,
    sink: &mut Sink,
    report: &mut InputReport,
    max_examples: usize,
    chunk_bytes: usize,
) -> std::io::Result<()> {
    // Enough chunks in flight to keep every thread busy while the next batch is read.
    let batch_size = rayon::current_num_threads().max(1) * 2;
    loop {
        let mut batch = Vec::with_capacity(batch_size);
        while batch.len() < batch_size {
            match next_chunk(lines, chunk_bytes.max(1))? {
                Some(chunk) => batch.push(chunk),
                None => break,
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let input = sink.input;
        let results: Vec<(Sink, Counts)> = batch
            .par_iter()
            .map(|chunk| {
                let mut parser = new_parser();
                let mut chunk_sink = Sink::new(input);
                let counts = parse_chunk(chunk, &mut parser, &mut chunk_sink, pod, max_examples);
                (chunk_sink, counts)
            })
            .collect();
        for (chunk_sink, counts) in results {
            sink.events.extend(chunk_sink.events);
            sink.activity.merge(chunk_sink.activity);
            report.lines += counts.lines;
            report.used += counts.used;
            report.ignored += counts.ignored;
            report.malformed += counts.malformed;
            for example in counts.examples {
                if report.malformed_examples.len() < max_examples {
                    report.malformed_examples.push(example);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ParseOptions;
    use crate::parse::traefik::TraefikParser;

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
        parse_rest(
            &mut lines,
            || TraefikParser::new(&options),
            None,
            &mut sink,
            &mut report,
            5,
            64 << 10,
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
