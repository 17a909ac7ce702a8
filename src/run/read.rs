//! Reading one input: opening and decompressing it, recognising its type from its first bytes
//! or lines, and parsing it with the parser of that type, in parallel blocks where the format
//! allows. The results go back to [`super::read_inputs`], which merges the inputs.

use super::{AnyParser, CountUnit, ForcedType, InputReport, ReadInput, ReadOptions};
use crate::error::{Error, Result};
use crate::input::{self, InputSpec, InputType, Line, LineReader};
use crate::parallel;
use crate::parse::cloudflared::CloudflaredParser;
use crate::parse::envelope::grafana::GrafanaJsonReader;
use crate::parse::envelope::loki_api::LokiApiReader;
use crate::parse::envelope::{self, EnvelopeParser, RecordReader};
use crate::parse::grafana_csv::GrafanaCsvReader;
use crate::parse::journal::JournalParser;
use crate::parse::journal_export::JournalExportReader;
use crate::parse::journal_json::JournalJsonParser;
use crate::parse::prometheus::PrometheusReader;
use crate::parse::traefik::TraefikParser;
use crate::parse::{LineClass, LineCtx, LineParser, Sink};

pub(super) fn read_one(
    index: u32,
    spec: &InputSpec,
    options: &ReadOptions,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<ReadInput> {
    let name = spec.name();
    let opened = input::open_with_progress(spec, progress)?;
    let plain_file = opened.plain_file;
    let plain_start = opened.plain_start;
    let compression = opened.compression;
    let (head, reader, head_end) = peek_head(opened.reader).map_err(|source| Error::Read {
        name: name.clone(),
        line: 0,
        source,
    })?;
    // A second layer is an error, not read through: it is a mistake in the capture (`gzip` on
    // a `.gz`), and the truncation and trailing-data checks, the progress bar and the commands
    // in messages all assume one layer.
    if let Some((outer, outer_command)) = compression.format_and_command()
        && let Some((inner, inner_command)) = input::inner_compression(&head)
    {
        let file = match &spec.source {
            input::InputSource::Path(path) => {
                crate::export_commands::shell_quote(&path.display().to_string())
            }
            input::InputSource::Stdin => "FILE".to_string(),
        };
        return Err(Error::CompressedTwice {
            name,
            outer,
            inner,
            command: format!("{outer_command} {file} | {inner_command}"),
        });
    }
    // Every parser reads UTF-8, so UTF-16 text would read as lines full of NUL bytes, even
    // under a forced type.
    if let Some(encoding) = input::utf16_encoding(&head) {
        return Err(Error::Utf16 {
            convert: convert_command(&name, compression, encoding),
            name,
            encoding,
        });
    }
    // A timeline CSV's header would pass for a Grafana panel CSV, so this tool's own output is
    // looked for before the record formats, in the head's whole lines.
    reject_own_output(spec, &name, head_lines(&head))?;
    // The type the content would be detected as, for the error when a forced type fits none of
    // its lines.
    let forced = spec.forced_type.map(|_| ForcedType {
        detected: input::detect::detect_head(&head).or_else(|| {
            input::detect::detect_named(head_lines(&head), &name).map(|d| d.input_type)
        }),
    });
    let record_type = match spec.forced_type {
        Some(forced) => forced.is_record_based().then_some(forced),
        None => input::detect::detect_head(&head),
    };
    if let Some(record_type) = record_type {
        let mut input = read_records(index, &name, record_type, reader, head_end, options)?;
        input.report.forced = forced;
        return Ok(input);
    }
    let mut lines = LineReader::new(reader, options.max_line_bytes);
    // The line reader sees only the bytes before the stream's end, so the end is passed on.
    if let Some(error) = head_end {
        match input::trailing_data(&error) {
            Some(trailing) => lines.trailing_data = Some(trailing),
            None => lines.truncated = Some(error.to_string()),
        }
    }
    let mut report = InputReport {
        name: name.clone(),
        forced,
        ..InputReport::default()
    };
    let mut sink = Sink::new(index);

    // Keep the first lines to decide the type, then parse them and the rest.
    let read_error = |source, line| Error::Read {
        name: name.clone(),
        line,
        source,
    };
    let sample =
        read_sample(&mut lines, options.sample_lines).map_err(|(e, line)| read_error(e, line))?;
    // A JSON Lines row can be longer than the head, so its keys are read from the sample.
    reject_own_output(spec, &name, sample.iter().filter_map(|(_, l)| l.as_deref()))?;
    let Some(detected) = detect_type(spec, &sample, &name) else {
        return undetected(name, compression, &sample, &lines, report, sink);
    };
    report.input_type = Some(detected.input_type.name());

    // cloudflared coverage is kept per pod, and an exported pod log is named after its pod.
    let pod = match detected.input_type {
        InputType::Cloudflared => spec.pod_from_name(),
        _ => None,
    };
    let mut parser = new_parser(&detected, options, &sample);
    // An envelope file is often named after its tool or query (`grafana.txt`, `loki.jsonl`),
    // so only a name of a pod's shape names the pod of its unlabelled cloudflared lines.
    if let AnyParser::Envelope(envelope) = &mut parser {
        let file_pod = spec
            .pod_from_name()
            .filter(|pod| crate::correlate::coverage::is_pod_name(pod));
        envelope.set_file_pod(file_pod);
    }

    let file_bytes = parse_lines(
        LineInput {
            lines: &mut lines,
            report: &mut report,
            sink: &mut sink,
            pod: pod.as_deref(),
        },
        &mut parser,
        sample,
        &detected,
        plain_file.as_ref().map(|file| (file, plain_start)),
        options,
        progress,
    )
    .map_err(|(error, line)| match error {
        ParseError::Read(source) => read_error(source, line),
        ParseError::Finish(error) => error,
    })?;

    name_line_limit(&mut report, lines.max_line());
    match &mut parser {
        AnyParser::Envelope(envelope) => report.warnings.extend(envelope.notes(&name)),
        AnyParser::Journal(journal) => {
            journal.take_block_zone_mismatch(&mut sink);
            report.warnings.extend(journal.notes(&name));
            report.clock_warnings.extend(journal.clock_notes(&name));
        }
        _ => {}
    }
    report.bytes = file_bytes.unwrap_or(lines.bytes_read);
    if let Some(error) = &lines.truncated {
        note_early_end(&mut report, lines.line_no, error, file_bytes.is_some());
    } else if lines.missing_final_newline || plain_file.as_ref().is_some_and(last_line_open) {
        // A plain file (or stdin redirected from one) read by offset passes its last block to
        // the parsers without the line reader, so the file's last byte is read on its own.
        report.warnings.push(format!(
            "{name}: its last line has no line end, so the input may have been copied while it \
             was being written and that line may be cut; read a copy taken after the writer \
             stopped"
        ));
        // Counted as an input that ended early, so `--strict` fails on it.
        report.truncated = Some((lines.line_no, "its last line has no line end".to_string()));
    }
    if let Some(trailing) = lines.trailing_data {
        note_trailing_data(&mut report, lines.line_no, trailing);
    }
    report
        .warnings
        .extend(sink.serve_time_of_day.warnings(&name));
    report.warnings.extend(report.nul_prefix_warning());
    if report.nul_inside.0 > 0 {
        let strip = nul_strip_command(&name, compression);
        report.warnings.extend(report.nul_inside_warning(&strip));
    }
    Ok(ReadInput {
        report,
        sink,
        parser: Some(parser),
    })
}

/// Writes the line limit, in bytes, into the kept malformed examples of lines longer than it.
/// The parsers return a fixed reason, so only these few examples pay for formatting it.
fn name_line_limit(report: &mut InputReport, max_line: usize) {
    for (_, reason) in &mut report.malformed_examples {
        if reason == parallel::LINE_TOO_LONG_REASON {
            *reason = format!(
                "line longer than --max-line-bytes ({max_line} bytes); raise --max-line-bytes \
                 to read it"
            );
        }
    }
}

/// A line-based input's reader, counts and events while its lines are parsed.
struct LineInput<'a> {
    lines: &'a mut LineReader<Box<dyn std::io::BufRead + Send>>,
    report: &'a mut InputReport,
    sink: &'a mut Sink,
    /// The pod that names the input's coverage (cloudflared), if any.
    pod: Option<&'a str>,
}

/// Why parsing the lines of an input stopped: a read that failed, or the parser's own end.
enum ParseError {
    Read(std::io::Error),
    Finish(Error),
}

/// Parses the sampled lines and then the rest of an input. The formats whose lines can be
/// parsed apart go in parallel blocks: by offset for a regular file (`plain`, with the offset
/// its reader started at), else through a reader thread. The others go line by line.
///
/// Returns the file's length when it was read by offset, since the line reader did not read
/// it whole. An error comes with the line it happened at.
fn parse_lines(
    reading: LineInput<'_>,
    parser: &mut AnyParser,
    sample: Sample,
    detected: &input::detect::Detected,
    plain: Option<(&std::fs::File, u64)>,
    options: &ReadOptions,
    progress: Option<&indicatif::ProgressBar>,
) -> std::result::Result<Option<u64>, (ParseError, u64)> {
    // `short` lines need the year's roll-over tracked in order, so such a journal is read on
    // one thread.
    let short_journal = sample
        .iter()
        .filter_map(|(_, line)| line.as_deref())
        .any(crate::parse::journal::has_no_year);
    let cat_mode = detected.cat_mode;

    // The length of a regular file read by offset, which the line reader did not read whole.
    let mut file_bytes = None;

    let line_parser = parser.as_line_parser();
    // Blank lines past the kept ones: every line parser ignores a blank line.
    reading.report.lines += sample.skipped_blank;
    reading.report.ignored += sample.skipped_blank;
    for (line_no, text) in sample.iter() {
        let class = parse_one(
            line_parser,
            text.as_deref(),
            *line_no,
            true,
            reading.pod,
            reading.sink,
            reading.report,
        );
        reading
            .report
            .account(*line_no, class, options.max_examples);
    }
    drop(sample);

    // Traefik and cloudflared lines do not depend on each other, so they are parsed in
    // parallel blocks. Journal lines depend on each other only through a serve's headers and
    // reported users, which the block merge carries from block to block.
    //
    // NOTE: a journal whose first lines carry years but later switch to `short` lines would
    // keep provisional times for those lines. journalctl writes one mode per export.
    let parse = &options.parse;
    // The four parallel formats differ only in how a block's parser is made. A regular
    // file is read by offset from every worker, and a stream (a pipe, gzip or zstd) through
    // a reader thread.

    let settings = parallel::BlockSettings {
        pod: reading.pod,
        max_line: reading.lines.max_line(),
        max_examples: options.max_examples,
        block_bytes: options.chunk_bytes,
    };

    let file_range = match plain {
        // The byte-order mark of the first line is stripped by the line reader, so at
        // least that line must have been read by it.
        Some((file, plain_start)) if reading.lines.line_no > 0 => {
            use std::io::Seek;
            let end = file.metadata().map_err(|e| (ParseError::Read(e), 0))?.len();
            let counted = (&*file).stream_position().unwrap_or(end);
            // A file whose size is below what was read already cannot be read by offset
            // (a /proc file reports 0), so it goes on as a stream.
            (end >= counted).then_some(parallel::FileRange {
                file,
                start: plain_start + reading.lines.consumed(),
                end,
                counted,
            })
        }
        _ => None,
    };

    macro_rules! parse_in_parallel {
        ($new_parser:expr) => {{
            // The block merge starts from the state the sampled lines left. Only here: a
            // parser that goes on in order keeps what is still pending.
            line_parser.end_block(reading.sink);
            Some(match file_range {
                Some(range) => {
                    let end = range.end;
                    parallel::parse_file_rest(
                        range,
                        $new_parser,
                        settings,
                        reading.sink,
                        reading.report,
                        reading.lines.line_no,
                        progress,
                    )
                    .map(|read| {
                        reading.lines.line_no = read.line_no;
                        file_bytes = Some(read.shrunk_to.unwrap_or(end));
                        if let Some(length) = read.shrunk_to {
                            reading.lines.truncated = Some(format!(
                                "the file ended at byte {length} while it was read, though \
                                 it had {end} bytes at the start"
                            ));
                        }
                    })
                }
                None => parallel::parse_rest(
                    reading.lines,
                    $new_parser,
                    settings,
                    reading.sink,
                    reading.report,
                ),
            })
        }};
    }

    let rest = match detected.input_type {
        // `-o cat` evidence lines take the time of the next dated line, which may lie in the
        // next block, so such a journal is read in order too.
        InputType::Journal if !short_journal && !cat_mode => {
            parse_in_parallel!(|| JournalParser::for_block(parse))
        }
        InputType::JournalJson => parse_in_parallel!(|| JournalJsonParser::for_block(parse)),
        InputType::Traefik => parse_in_parallel!(|| TraefikParser::new(parse)),
        InputType::Cloudflared => parse_in_parallel!(|| CloudflaredParser::new(parse)),
        _ => None,
    };

    let parsed_in_parallel = rest.is_some();
    if let Some(result) = rest {
        result.map_err(|e| (ParseError::Read(e), reading.lines.line_no + 1))?;
    }

    if !parsed_in_parallel {
        loop {
            let line_no = reading.lines.line_no + 1;
            let (text, may_hold_nul) = match reading
                .lines
                .next_line_with_nul_hint()
                .map_err(|e| (ParseError::Read(e), line_no))?
            {
                Some((Line::Text(text), may_hold_nul)) => (Some(text), may_hold_nul),
                Some((Line::TooLong { .. }, _)) => (None, false),
                None => break,
            };
            let class = parse_one(
                line_parser,
                text,
                line_no,
                may_hold_nul,
                reading.pod,
                reading.sink,
                reading.report,
            );
            reading.report.account(line_no, class, options.max_examples);
        }
    }

    line_parser
        .finish(reading.sink)
        .map_err(|e| (ParseError::Finish(e), reading.lines.line_no))?;
    Ok(file_bytes)
}

/// Parses one line read in order, or classifies it as too long when its text is `None`.
/// `may_hold_nul` is `false` when the line is known to have no NUL byte past its leading run.
fn parse_one(
    parser: &mut dyn LineParser,
    text: Option<&[u8]>,
    line: u64,
    may_hold_nul: bool,
    pod: Option<&str>,
    sink: &mut Sink,
    report: &mut InputReport,
) -> LineClass {
    let Some(text) = text else {
        return parallel::LINE_TOO_LONG;
    };
    let text = report.strip_nul_prefix(line, text);
    if may_hold_nul && report.note_nul_inside(line, text) {
        return parallel::NUL_INSIDE;
    }
    let ctx = LineCtx {
        line,
        outer_time: None,
        pod,
    };
    parser.parse_line(text, &ctx, sink)
}

/// The first lines of an input, kept to decide its type.
#[derive(Default)]
struct Sample {
    /// The lines by line number; `None` stands for a line longer than the limit.
    lines: Vec<(u64, Option<Vec<u8>>)>,
    /// Blank lines read but not kept, among or after the kept ones.
    skipped_blank: u64,
    /// The length of the longest line that was longer than the limit, in bytes.
    longest_too_long: u64,
}

impl Sample {
    fn iter(&self) -> std::slice::Iter<'_, (u64, Option<Vec<u8>>)> {
        self.lines.iter()
    }

    /// Counts the lines read into the sample, kept or not.
    fn line_count(&self) -> u64 {
        self.lines.len() as u64 + self.skipped_blank
    }
}

/// Reads up to `count` lines for [`detect_type`]. An error comes with the line it happened at.
///
/// Blank lines tell nothing of the type, so they do not count towards `count`: a file that
/// starts with many blank lines is still sampled from its first lines of text. Past
/// `MAX_SAMPLED_BLANK` of them they are only counted, in [`Sample::skipped_blank`], which every
/// parser would have ignored.
fn read_sample(
    lines: &mut LineReader<Box<dyn std::io::BufRead + Send>>,
    count: usize,
) -> std::result::Result<Sample, (std::io::Error, u64)> {
    let mut sample = Sample::default();
    let mut text_lines = 0;
    let mut blank_lines = 0;
    while text_lines < count {
        let line_no = lines.line_no + 1;
        match lines.next_line().map_err(|e| (e, line_no))? {
            Some(Line::Text(text)) if text.trim_ascii().is_empty() => {
                blank_lines += 1;
                if blank_lines <= MAX_SAMPLED_BLANK {
                    sample.lines.push((line_no, Some(text.to_vec())));
                } else {
                    sample.skipped_blank += 1;
                }
            }
            Some(Line::Text(text)) => {
                text_lines += 1;
                sample.lines.push((line_no, Some(text.to_vec())));
            }
            Some(Line::TooLong { bytes }) => {
                text_lines += 1;
                sample.longest_too_long = sample.longest_too_long.max(bytes);
                sample.lines.push((line_no, None));
            }
            None => break,
        }
    }
    Ok(sample)
}

/// The blank lines kept in a sample. Later ones are only counted, so a file of nothing but
/// newlines costs no memory.
const MAX_SAMPLED_BLANK: usize = 4096;

/// Decides an input's type from its first lines, or takes the forced one (`--input-type`),
/// which for a journal still needs the lines to tell `-o cat`.
fn detect_type(spec: &InputSpec, sample: &Sample, name: &str) -> Option<input::detect::Detected> {
    let lines = || sample.iter().filter_map(|(_, l)| l.as_deref());
    match spec.forced_type {
        Some(input_type) => {
            let cat_mode = input_type == InputType::Journal
                && input::detect(lines()).is_some_and(|d| d.cat_mode);
            Some(input::detect::Detected {
                input_type,
                cat_mode,
            })
        }
        None => input::detect::detect_named(lines(), name),
    }
}

/// Fails when an input is this tool's own output (a saved drops baseline in a log glob),
/// unless `--input-type` forces a type on it.
fn reject_own_output<'a>(
    spec: &InputSpec,
    name: &str,
    lines: impl IntoIterator<Item = &'a [u8]>,
) -> Result<()> {
    if spec.forced_type.is_some() {
        return Ok(());
    }
    match input::detect::detect_own_output(lines) {
        Some(output) => Err(Error::OwnOutput {
            name: name.to_string(),
            command: output.command(),
        }),
        None => Ok(()),
    }
}

/// Returns the whole lines of an input's head, without their `\r` and the first line's
/// byte-order mark. A last line without a line end counts only when the head is the whole
/// input.
fn head_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    let whole_input = (head.len() as u64) < HEAD_BYTES;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let end = if whole_input {
        head.len()
    } else {
        memchr::memrchr(b'\n', head).map_or(0, |last| last + 1)
    };
    head[..end]
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

/// Names a likely reason why an input's first line fits no known type, from its bytes:
/// lines ended by a bare CR.
fn content_hint(first_line: &[u8]) -> Option<String> {
    let inner_cr =
        memchr::memchr_iter(b'\r', first_line.strip_suffix(b"\r").unwrap_or(first_line)).count();
    if inner_cr >= 2 {
        return Some(
            "its lines end in a bare CR (old Mac line ends), so it reads as one line; convert \
             them first (tr '\\r' '\\n' < FILE > FILE2)"
                .to_string(),
        );
    }
    None
}

/// Returns the shell command that converts an input from `encoding` to UTF-8, decompressing
/// it first when it is compressed.
fn convert_command(name: &str, compression: input::Compression, encoding: &str) -> String {
    let iconv = format!("iconv -f {encoding} -t UTF-8");
    filter_command(name, compression, &iconv, "utf8", |quoted| {
        format!("{iconv} {quoted}")
    })
}

/// Returns the shell command that writes a copy of input `name` without its NUL bytes. A
/// compressed input is decompressed first, because `tr` on its bytes would corrupt the stream.
fn nul_strip_command(name: &str, compression: input::Compression) -> String {
    let tr = "tr -d '\\000'";
    filter_command(name, compression, tr, "txt", |quoted| {
        format!("{tr} < {quoted}")
    })
}

/// Returns the shell command that passes input `name` through `filter` into a copy with the
/// extension `extension`, decompressing a compressed input first (the filter would corrupt
/// its bytes). For stdin it returns where the filter goes in the pipe. `plain` gives the filter's
/// command on an uncompressed file, whose quoted name it takes.
fn filter_command(
    name: &str,
    compression: input::Compression,
    filter: &str,
    extension: &str,
    plain: impl Fn(&str) -> String,
) -> String {
    let decompress = match compression {
        input::Compression::None => None,
        input::Compression::Gzip => Some("zcat"),
        input::Compression::Zstd => Some("zstdcat"),
    };
    if name == input::STDIN_NAME {
        return match decompress {
            Some(tool) => format!("put {tool} | {filter} in the pipe before t3forensics"),
            None => format!("put {filter} in the pipe before t3forensics"),
        };
    }
    let quoted = crate::export_commands::shell_quote(name);
    match decompress {
        Some(tool) => {
            let stem = [".gz", ".zst", ".zstd"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .unwrap_or(name);
            let output = crate::export_commands::shell_quote(&format!("{stem}.{extension}"));
            format!("{tool} {quoted} | {filter} > {output}")
        }
        None => {
            let output = crate::export_commands::shell_quote(&format!("{name}.{extension}"));
            format!("{} > {output}", plain(&quoted))
        }
    }
}

/// Ends the reading of an input whose type is unknown. An empty input gets a warning, and one
/// whose stream was cut before its first lines is reported as cut. A journalctl mode that is
/// not read, or first lines that are all longer than the limit, fail with the fix for that.
/// Anything else is an error that suggests `--input-type`.
fn undetected(
    name: String,
    compression: input::Compression,
    sample: &Sample,
    lines: &LineReader<Box<dyn std::io::BufRead + Send>>,
    mut report: InputReport,
    sink: Sink,
) -> Result<ReadInput> {
    // A compressed stream cut in its first block yields no line, or a few bytes of one: that
    // is a cut input, not an empty or unknown one.
    let cut = lines
        .truncated
        .as_ref()
        .map(|error| stream_end_reason(lines.bytes_read, error));
    let blank = sample
        .iter()
        .all(|(_, l)| l.as_ref().is_some_and(|l| l.trim_ascii().is_empty()));
    if !blank {
        return Err(unknown_type_error(
            name,
            compression,
            sample,
            cut,
            lines.max_line(),
        ));
    }

    report.lines = sample.line_count();
    report.ignored = report.lines;
    report.bytes = lines.bytes_read;
    match cut {
        Some(reason) => {
            report
                .warnings
                .push(format!("{name}: {reason}; no line could be read"));
            report.truncated = Some((lines.line_no, reason));
        }
        None if report.lines > 0 => report
            .warnings
            .push(format!("{name}: input has only blank lines")),
        None => report.warnings.push(format!(
            "{name}: input is empty; check the command that exported it (its time window, unit \
             or query)"
        )),
    }
    Ok(ReadInput {
        report,
        sink,
        parser: None,
    })
}

/// Returns the error for an input with text whose type is unknown, naming the likeliest cause
/// found in its sampled lines. `max_line` is the line limit in bytes.
fn unknown_type_error(
    name: String,
    compression: input::Compression,
    sample: &Sample,
    cut: Option<String>,
    max_line: usize,
) -> Error {
    let too_long = sample.iter().filter(|(_, line)| line.is_none()).count();
    let text_lines = sample
        .iter()
        .filter(|(_, line)| line.as_ref().is_some_and(|l| !l.trim_ascii().is_empty()))
        .count();
    // journalctl's own notes (`-- Journal begins at …`) do not show the mode.
    let lines = || sample.iter().filter_map(|(_, line)| line.as_deref());
    let first = lines()
        .find(|line| !line.starts_with(b"-- "))
        .or_else(|| lines().next());
    // A file that was preallocated, or cut by a crash, after journalctl's header or a blank
    // line contains NUL bytes where its first entry would be.
    let first_content = sample.iter().find(|(_, line)| {
        line.as_deref()
            .is_none_or(|l| !l.trim_ascii().is_empty() && !l.starts_with(b"-- "))
    });
    if let Some((line, Some(text))) = first_content
        && text.iter().all(|&b| b == 0)
    {
        return Error::OnlyNulBytes {
            strip: nul_strip_command(&name, compression),
            name,
            line: *line,
        };
    }
    let hint = match (cut, first.and_then(content_hint)) {
        (Some(reason), _) => format!("; {reason}, so the file may be cut short"),
        (None, Some(hint)) => format!("; {hint}"),
        (None, None) => {
            // `-o json-pretty` shows its mode only from its second line, the first field.
            let mode = sample.iter().find_map(|(line_no, line)| {
                let hint = crate::parse::journal::journal_mode_hint(line.as_deref()?)?;
                Some((*line_no, hint))
            });
            if let Some((line, hint)) = mode {
                return Error::JournalMode { name, line, hint };
            }
            let localized = sample.iter().find(|(_, line)| {
                line.as_deref()
                    .is_some_and(crate::parse::journal::has_localized_month)
            });
            if let Some((line, _)) = localized {
                return Error::LocalizedMonth { name, line: *line };
            }
            if too_long > 0 && text_lines == 0 {
                return Error::LinesTooLong {
                    name,
                    lines: too_long,
                    longest: sample.longest_too_long,
                    limit: max_line,
                };
            }
            if too_long > 0 {
                format!("; {too_long} of them longer than --max-line-bytes ({max_line} bytes)")
            } else {
                String::new()
            }
        }
    };
    Error::UnknownType {
        name,
        sampled: sample.lines.len(),
        types: input::detect::TYPE_NAMES,
        hint,
    }
}

/// Creates the parser of a line-based input type. An envelope parser learns its layout from
/// the sample.
fn new_parser(
    detected: &input::detect::Detected,
    options: &ReadOptions,
    sample: &Sample,
) -> AnyParser {
    match detected.input_type {
        InputType::Journal => {
            let mut p = JournalParser::new(&options.parse);
            p.set_cat_mode(detected.cat_mode);
            // The order of `short` lines is needed from the first line on, so it is taken from
            // the sampled lines.
            let lines = sample.iter().filter_map(|(_, l)| l.as_deref());
            p.set_newest_first(if detected.cat_mode {
                crate::parse::journal::cat_runs_newest_first(lines)
            } else {
                crate::parse::journal::runs_newest_first(lines)
            });
            // journalctl's header, when it wrote one, is the first line of the export.
            let first = sample
                .iter()
                .find(|(_, line)| !line.as_ref().is_some_and(|l| l.trim_ascii().is_empty()));
            if let Some((line_no, Some(line))) = first {
                p.year.set_header(line, *line_no);
                p.check_header_zone(line);
            }
            AnyParser::Journal(p)
        }
        InputType::JournalJson => AnyParser::JournalJson(JournalJsonParser::new(&options.parse)),
        InputType::Traefik => AnyParser::Traefik(TraefikParser::new(&options.parse)),
        InputType::Cloudflared => AnyParser::Cloudflared(CloudflaredParser::new(&options.parse)),
        InputType::Kubectl
        | InputType::LogcliJsonl
        | InputType::LogcliDefault
        | InputType::GrafanaText => {
            let format = match detected.input_type {
                InputType::Kubectl => envelope::Format::Kubectl,
                InputType::LogcliJsonl => envelope::Format::LogcliJsonl,
                InputType::LogcliDefault => envelope::Format::LogcliDefault,
                _ => envelope::Format::GrafanaText,
            };
            let sample_lines = sample.iter().filter_map(|(_, l)| l.as_deref());
            AnyParser::Envelope(Box::new(EnvelopeParser::new(
                format,
                &options.parse,
                sample_lines,
            )))
        }
        InputType::GrafanaJson
        | InputType::JournalExport
        | InputType::Prometheus
        | InputType::LokiApi
        | InputType::GrafanaCsv => {
            unreachable!("record-based types are read before line sampling")
        }
    }
}

/// Tells whether a plain (uncompressed) file's last byte is not a line end. Every exporter
/// this tool reads ends its last line, so an open one was most likely cut while written.
/// A compressed file or an empty one gives `false`.
fn last_line_open(file: &std::fs::File) -> bool {
    use std::os::unix::fs::FileExt;
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return false;
    };
    let mut head = [0u8; 4];
    let Ok(read) = file.read_at(&mut head, 0) else {
        return false;
    };
    let compressed = head[..read].starts_with(&input::GZIP_MAGIC)
        || head[..read].starts_with(&input::ZSTD_MAGIC);
    if len == 0 || compressed {
        return false;
    }
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, len - 1).is_ok() && last[0] != b'\n'
}

/// Records that an input ended early, at `line_no`, with `error`, and warns about it. A regular
/// file read by offset (`read_by_offset`) ends early only by shrinking while it is read.
fn note_early_end(report: &mut InputReport, line_no: u64, error: &str, read_by_offset: bool) {
    let name = &report.name;
    let warning = if read_by_offset {
        // With several threads, blocks before the cut may have been read after it, too.
        let also_before = if rayon::current_num_threads() > 1 {
            ", and with several threads some lines before it may be too"
        } else {
            ""
        };
        let reason = error.to_string();
        let warning = format!(
            "{name}: {reason}, as a copytruncate rotation does; the lines past the cut are \
             missing{also_before}; read a copy of the file"
        );
        report.truncated = Some((line_no, reason));
        warning
    } else {
        let reason = stream_end_reason(report.bytes, error);
        let warning = format!("{name}: {reason}; the lines before it were read");
        report.truncated = Some((line_no, reason));
        warning
    };
    report.warnings.push(warning);
}

/// Records that a complete gzip stream was followed by `bytes` that are not gzip, after the
/// input's `count` lines or records, and warns about it. Unlike an early end, nothing of the
/// stream is missing.
fn note_trailing_data(report: &mut InputReport, count: u64, trailing: input::TrailingData) {
    let format = trailing.format;
    let reason = format!(
        "{trailing} and were skipped; the {format} data before them is complete ({count} {} \
         read)",
        report.unit.name_for(count)
    );
    let fix = match trailing.joined {
        // Recompressing would drop the other file's lines: they must be read, not dropped.
        Some(other) => format!(
            "the {other} file's lines were not read; give the two files as inputs of their own, \
             or decompress each and join the text"
        ),
        None => {
            format!("to drop the extra bytes, recompress it: {format} -dc FILE | {format} > FILE2")
        }
    };
    report
        .warnings
        .push(format!("{}: {reason}; {fix}", report.name));
    report.trailing_data = Some((count, reason));
}

/// Describes a compressed stream or a pipe that ended early, after `bytes` of its text. A
/// decompressor that found corrupt data (flate2's `corrupt deflate stream`, zstd's `Data
/// corruption detected`) stopped inside the file, not at its end, so the bytes after the damage
/// were never read.
fn stream_end_reason(bytes: u64, error: &str) -> String {
    if error.contains("corrupt") {
        return format!(
            "compressed data is corrupt after {bytes} decompressed bytes ({error}); the rest of \
             the file was not read, and data after the damage, such as a later gzip member, \
             may still hold lines"
        );
    }
    format!("input ends early after {bytes} decompressed bytes ({error})")
}

/// The bytes read to recognise the formats that are not lines.
const HEAD_BYTES: u64 = 8 << 10;

/// An input's first bytes, a reader that still yields them, and the error of a stream that
/// ended inside them: cut, or followed by bytes that are not gzip.
type Head = (
    Vec<u8>,
    Box<dyn std::io::BufRead + Send>,
    Option<std::io::Error>,
);

/// Reads the first bytes of an input and returns them with a reader that still yields them,
/// and the error of a stream that ended inside them.
fn peek_head(mut reader: Box<dyn std::io::BufRead + Send>) -> std::io::Result<Head> {
    use std::io::Read;
    let mut head = Vec::new();
    match reader.by_ref().take(HEAD_BYTES).read_to_end(&mut head) {
        Ok(_) => {
            let replay = std::io::Cursor::new(head.clone()).chain(reader);
            Ok((head, Box::new(replay), None))
        }
        // A stream cut inside its first bytes (a truncated gzip) keeps what was read. The
        // decoder is not asked again: flate2's multi-member decoder reports a cut header once,
        // then reads as ended.
        Err(e) if is_truncation(&e) => {
            let replay = std::io::Cursor::new(head.clone());
            Ok((head, Box::new(replay), Some(e)))
        }
        Err(e) => Err(e),
    }
}

/// Reads an input whose records span lines (`journalctl -o export`) or that is one JSON array
/// (Grafana's JSON download). `head_end` is the error of a stream that ended inside the bytes
/// read to detect the type.
fn read_records(
    index: u32,
    name: &str,
    input_type: InputType,
    mut reader: Box<dyn std::io::BufRead + Send>,
    head_end: Option<std::io::Error>,
    options: &ReadOptions,
) -> Result<ReadInput> {
    let mut sink = Sink::new(index);
    let (mut records, unit): (Box<dyn RecordReader>, CountUnit) = match input_type {
        InputType::JournalExport => (
            Box::new(JournalExportReader::new(&options.parse)),
            CountUnit::Entries,
        ),
        InputType::Prometheus => (
            Box::new(PrometheusReader::new(&options.parse)),
            CountUnit::Series,
        ),
        InputType::GrafanaCsv => (
            Box::new(GrafanaCsvReader::new(&options.parse)),
            CountUnit::Lines,
        ),
        InputType::LokiApi => (
            Box::new(LokiApiReader::new(&options.parse)),
            CountUnit::Entries,
        ),
        _ => (
            Box::new(GrafanaJsonReader::new(&options.parse)),
            CountUnit::Rows,
        ),
    };
    let mut report = InputReport {
        name: name.to_string(),
        input_type: Some(input_type.name()),
        unit,
        ..InputReport::default()
    };
    let max_examples = options.max_examples;
    let mut account = |line_no: u64, class: LineClass| report.account(line_no, class, max_examples);
    let (bytes, cut) = match records.read_records(&mut reader, &mut sink, &mut account) {
        Ok(bytes) => (bytes, head_end),
        Err(e) if is_truncation(&e) => (0, Some(e)),
        Err(source) => {
            return Err(Error::Read {
                name: name.to_string(),
                line: report.lines,
                source,
            });
        }
    };
    report.bytes = bytes;
    let trailing = cut.as_ref().and_then(input::trailing_data);
    if let Some(extra) = trailing {
        let records = report.lines;
        note_trailing_data(&mut report, records, extra);
    } else if let Some(error) = cut {
        let reason = format!("input ends early ({error})");
        report
            .warnings
            .push(format!("{name}: {reason}; the records before it were read"));
        report.truncated = Some((report.lines, reason));
    } else if let Some(reason) = records.cut() {
        report.truncated = Some((report.lines, reason));
    }
    report.warnings.extend(records.notes(name));
    report
        .warnings
        .extend(sink.serve_time_of_day.warnings(name));
    Ok(ReadInput {
        report,
        sink,
        parser: None,
    })
}

/// Tells whether a read error means a compressed stream ended early or was corrupt.
fn is_truncation(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::UnexpectedEof | ErrorKind::InvalidInput | ErrorKind::InvalidData
    )
}
