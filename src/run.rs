//! The pipeline, wired together: read and parse every input, then correlate, then hand the
//! results to the output writers. The binary and the CLI tests call these same functions.
//!
//! Inputs are parsed in parallel (one rayon task per input) and their results are kept in the
//! order the inputs were given, so the output does not depend on the thread count.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::event::{Event, Source};
use crate::input::{self, InputSpec, InputType, Line, LineReader};
use crate::parallel;
use crate::parse::cloudflared::CloudflaredParser;
use crate::parse::envelope::grafana::GrafanaJsonReader;
use crate::parse::envelope::{self, EnvelopeParser, RecordReader};
use crate::parse::grafana_csv::GrafanaCsvReader;
use crate::parse::journal::{JournalParser, apply_year};
use crate::parse::journal_export::JournalExportReader;
use crate::parse::journal_json::JournalJsonParser;
use crate::parse::prometheus::PrometheusReader;
use crate::parse::traefik::TraefikParser;
use crate::parse::{Activity, LineClass, LineCtx, LineParser, ParseOptions, Sink};
use crate::time;

/// Settings of the reading stage.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub parse: ParseOptions,
    /// Lines longer than this are skipped and counted as malformed (`--max-line-bytes`).
    pub max_line_bytes: usize,
    /// Lines read to decide an input's type.
    pub sample_lines: usize,
    /// Malformed-line examples kept per input for the summary.
    pub max_examples: usize,
    /// Bytes of lines per chunk when an input is parsed in parallel.
    pub chunk_bytes: usize,
    /// Show a progress bar on stderr while reading (`--progress`): `Some(force)`, where `force`
    /// draws it even when stderr is not a terminal.
    pub progress: Option<bool>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            parse: ParseOptions::default(),
            max_line_bytes: 1 << 20,
            sample_lines: 400,
            max_examples: 5,
            chunk_bytes: parallel::CHUNK_BYTES,
            progress: None,
        }
    }
}

/// The report of one input: its type, and how each of its lines was accounted for.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct InputReport {
    pub name: String,
    #[serde(rename = "type")]
    pub input_type: Option<&'static str>,
    /// The unit of `lines`: lines, or the records of a format not read line by line.
    pub unit: CountUnit,
    pub lines: u64,
    pub used: u64,
    pub ignored: u64,
    pub malformed: u64,
    /// The first few malformed lines as `(line, reason)`.
    pub malformed_examples: Vec<(u64, String)>,
    pub bytes: u64,
    /// The last line read and the decompressor's error, when the input ended early (a
    /// truncated or corrupt gzip stream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<(u64, String)>,
    pub warnings: Vec<String>,
}

/// The unit of an input's counts: lines for line formats; journal entries, Prometheus series
/// or Grafana rows for the formats read as records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CountUnit {
    #[default]
    Lines,
    Entries,
    Series,
    Rows,
}

impl std::fmt::Display for CountUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CountUnit::Lines => "lines",
            CountUnit::Entries => "entries",
            CountUnit::Series => "series",
            CountUnit::Rows => "rows",
        })
    }
}

impl InputReport {
    /// Counts one line as used, ignored or malformed, keeping the first `max_examples`
    /// malformed lines with their reasons for the summary.
    pub fn account(&mut self, line_no: u64, class: LineClass, max_examples: usize) {
        self.lines += 1;
        match class {
            LineClass::Used => self.used += 1,
            LineClass::Ignored => self.ignored += 1,
            LineClass::Malformed(reason) => {
                self.malformed += 1;
                if self.malformed_examples.len() < max_examples {
                    self.malformed_examples.push((line_no, reason.to_string()));
                }
            }
        }
    }
}

/// Everything read from the inputs: their reports, the events in time order, and activity.
#[derive(Debug, Default)]
pub struct ParsedInputs {
    pub inputs: Vec<InputReport>,
    pub events: Vec<Event>,
    pub activity: Activity,
}

/// A parser chosen for one input.
enum AnyParser {
    Journal(JournalParser),
    JournalJson(JournalJsonParser),
    Traefik(TraefikParser),
    Cloudflared(CloudflaredParser),
    Envelope(Box<EnvelopeParser>),
}

impl AnyParser {
    fn as_line_parser(&mut self) -> &mut dyn LineParser {
        match self {
            AnyParser::Journal(p) => p,
            AnyParser::JournalJson(p) => p,
            AnyParser::Traefik(p) => p,
            AnyParser::Cloudflared(p) => p,
            AnyParser::Envelope(p) => p.as_mut(),
        }
    }

    fn journal_year(&mut self) -> Option<&mut crate::parse::journal::YearState> {
        match self {
            AnyParser::Journal(p) => Some(&mut p.year),
            _ => None,
        }
    }
}

/// One input after reading, before years are resolved across inputs.
struct ReadInput {
    report: InputReport,
    sink: Sink,
    parser: Option<AnyParser>,
}

/// Reads and parses every input, in parallel, and merges their events in time order.
pub fn read_inputs(specs: &[InputSpec], options: &ReadOptions) -> Result<ParsedInputs> {
    let progress = options
        .progress
        .map(|force| input::progress_bar(specs, force));
    let results: Vec<Result<ReadInput>> = specs
        .par_iter()
        .enumerate()
        .map(|(index, spec)| read_one(index as u32, spec, options, progress.as_ref()))
        .collect();
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let mut read: Vec<ReadInput> = results.into_iter().collect::<Result<_>>()?;
    for input in &mut read {
        warn_if_much_malformed(&mut input.report);
    }

    resolve_years(&mut read, options)?;

    let mut parsed = ParsedInputs::default();
    for input in read {
        parsed.events.extend(input.sink.events);
        parsed.activity.merge(input.sink.activity);
        parsed.inputs.push(input.report);
    }
    parsed.events.sort_by_key(|a| (a.time, a.origin));
    let removed = drop_cross_input_duplicates(&mut parsed.events);
    if removed > 0
        && let Some(first) = parsed.inputs.first_mut()
    {
        first.warnings.push(format!(
                "{removed} event(s) appeared in more than one input (overlapping exports) and were counted once"
            ));
    }
    Ok(parsed)
}

/// The minimum line count for malformed lines to be a warning, since a short input with a few
/// bad lines is no sign of a wrong type.
const MALFORMED_WARNING_MIN_LINES: u64 = 20;

/// The share of malformed lines, in percent, above which an input gets a warning. A log of one
/// kind has almost none; a stream of two kinds has the second one's share.
const MALFORMED_WARNING_PERCENT: u64 = 10;

/// Warns when much of an input is malformed, which is what a stream of several log kinds
/// (`cat *.log | t3forensics drops -`) or a wrongly forced type gives: the input was read as its
/// first lines' type.
fn warn_if_much_malformed(report: &mut InputReport) {
    if report.lines < MALFORMED_WARNING_MIN_LINES
        || report.malformed * 100 <= report.lines * MALFORMED_WARNING_PERCENT
    {
        return;
    }
    let name = &report.name;
    // stdin has no path for TYPE:PATH, so the hint gives the bare TYPE, which forces every
    // input.
    let force = if name == "<stdin>" {
        "--input-type TYPE".to_string()
    } else {
        format!("--input-type TYPE:{name}")
    };
    report.warnings.push(format!(
        "{name}: {} of {} {} are malformed for a {} input; if it mixes several kinds of log, give \
         each as its own file, or name the type with {force}",
        report.malformed,
        report.lines,
        report.unit,
        report.input_type.unwrap_or("?"),
    ));
}

/// Removes events that another input already holds: the same source and meaning at the same
/// time, where a whole-second time matches any time inside its second. Two exports of the same
/// journal, or overlapping ones, would otherwise double every drop in the overlap.
///
/// Repeats inside one input are kept (five identical `context canceled` lines in one second
/// are a burst): for each group of equal events, the input holding the most copies keeps them
/// and the other inputs' copies go. `events` is sorted by time. Returns the number removed.
fn drop_cross_input_duplicates(events: &mut Vec<Event>) -> usize {
    use crate::time::{Precision, SECOND};
    let second = |e: &Event| e.time.div_euclid(SECOND);
    let same = |a: &Event, b: &Event| {
        a.source == b.source
            && a.kind == b.kind
            && (a.time == b.time
                || ((a.precision == Precision::Second || b.precision == Precision::Second)
                    && second(a) == second(b)))
    };
    let mut remove = vec![false; events.len()];
    let mut start = 0;
    while start < events.len() {
        // Events within the same second can be duplicates of each other.
        let mut end = start + 1;
        while end < events.len() && second(&events[end]) == second(&events[start]) {
            end += 1;
        }
        for i in start..end {
            if remove[i] {
                continue;
            }
            let group: Vec<usize> = (i..end)
                .filter(|&j| !remove[j] && same(&events[i], &events[j]))
                .collect();
            let mut inputs: Vec<u32> = group.iter().map(|&j| events[j].origin.input).collect();
            inputs.sort_unstable();
            inputs.dedup();
            if inputs.len() < 2 {
                continue;
            }
            let count = |input: u32| {
                group
                    .iter()
                    .filter(|&&j| events[j].origin.input == input)
                    .count()
            };
            // The input with the most copies keeps them; ties go to the input given first.
            let keeper = inputs
                .iter()
                .copied()
                .max_by_key(|&input| (count(input), std::cmp::Reverse(input)))
                .unwrap_or(inputs[0]);
            for &j in &group {
                if events[j].origin.input != keeper {
                    remove[j] = true;
                }
            }
        }
        start = end;
    }
    let removed = remove.iter().filter(|r| **r).count();
    let mut index = 0;
    events.retain(|_| {
        let keep = !remove[index];
        index += 1;
        keep
    });
    removed
}

fn read_one(
    index: u32,
    spec: &InputSpec,
    options: &ReadOptions,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<ReadInput> {
    let name = spec.name();
    let opened = input::open_with_progress(spec, progress)?;
    let plain_file = opened.plain_file;
    let plain_start = opened.plain_start;
    let (head, reader, head_cut) = peek_head(opened.reader).map_err(|source| Error::Read {
        name: name.clone(),
        line: 0,
        source,
    })?;
    let record_type = match spec.forced_type {
        Some(forced) => forced.is_record_based().then_some(forced),
        None => input::detect::detect_head(&head),
    };
    if let Some(record_type) = record_type {
        let mut read = read_records(index, &name, record_type, reader, options)?;
        if let Some(error) = head_cut
            && read.report.truncated.is_none()
        {
            let reason = format!("input ends early ({error})");
            read.report
                .warnings
                .push(format!("{name}: {reason}; the records before it were read"));
            read.report.truncated = Some((read.report.lines, reason));
        }
        return Ok(read);
    }
    let mut lines = LineReader::new(reader, options.max_line_bytes);
    // The line reader sees only the bytes before the cut, so the cut is passed on to it.
    lines.truncated = head_cut;
    let mut report = InputReport {
        name: name.clone(),
        ..InputReport::default()
    };
    let mut sink = Sink::new(index);

    // Keep the first lines to decide the type, then parse them and the rest.
    let mut sample: Vec<(u64, Option<Vec<u8>>)> = Vec::new();
    let read_error = |source, line| Error::Read {
        name: name.clone(),
        line,
        source,
    };
    while sample.len() < options.sample_lines {
        let line_no = lines.line_no + 1;
        match lines.next_line().map_err(|e| read_error(e, line_no))? {
            Some(Line::Text(text)) => sample.push((line_no, Some(text.to_vec()))),
            Some(Line::TooLong { .. }) => sample.push((line_no, None)),
            None => break,
        }
    }

    let detected = match spec.forced_type {
        Some(input_type) => {
            let cat = input_type == InputType::Journal
                && input::detect(sample.iter().filter_map(|(_, l)| l.as_deref()))
                    .is_some_and(|d| d.cat_mode);
            Some(input::detect::Detected {
                input_type,
                cat_mode: cat,
            })
        }
        None => input::detect::detect_named(sample.iter().filter_map(|(_, l)| l.as_deref()), &name),
    };
    let Some(detected) = detected else {
        // A compressed stream cut in its first block yields no line, or a few bytes of one:
        // that is a cut input, not an empty or unknown one.
        let cut = lines
            .truncated
            .as_ref()
            .map(|error| stream_end_reason(lines.bytes_read, error));
        if sample
            .iter()
            .all(|(_, l)| l.as_ref().is_some_and(|l| l.trim_ascii().is_empty()))
        {
            report.lines = sample.len() as u64;
            report.ignored = report.lines;
            report.bytes = lines.bytes_read;
            match cut {
                Some(reason) => {
                    report
                        .warnings
                        .push(format!("{name}: {reason}; no line could be read"));
                    report.truncated = Some((lines.line_no, reason));
                }
                None => report.warnings.push(format!("{name}: input is empty")),
            }
            return Ok(ReadInput {
                report,
                sink,
                parser: None,
            });
        }
        let hint = match cut {
            Some(reason) => format!("; {reason}, so the file may be cut short"),
            None => String::new(),
        };
        return Err(Error::UnknownType {
            name,
            sampled: sample.len(),
            types: input::detect::TYPE_NAMES,
            hint,
        });
    };
    report.input_type = Some(detected.input_type.name());

    // cloudflared coverage is kept per pod, and an exported pod log is named after its pod.
    let pod = match detected.input_type {
        InputType::Cloudflared => spec.pod_from_name(),
        _ => None,
    };
    let mut parser = match detected.input_type {
        InputType::Journal => {
            let mut p = JournalParser::new(&options.parse);
            p.set_cat_mode(detected.cat_mode);
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
        | InputType::GrafanaCsv => {
            unreachable!("record-based types are read before line sampling")
        }
    };

    let too_long = LineClass::Malformed("line longer than --max-line-bytes");

    // `short` lines need the year's roll-over tracked in order, so such a journal is read on
    // one thread.
    let short_journal = sample
        .iter()
        .filter_map(|(_, line)| line.as_deref())
        .any(crate::parse::journal::has_no_year);
    let cat_mode = detected.cat_mode;
    // The length of a regular file read by offset, which the line reader did not read whole.
    let mut file_bytes = None;
    {
        let line_parser = parser.as_line_parser();
        for (line_no, text) in &sample {
            let class = match text {
                Some(text) => {
                    let ctx = LineCtx {
                        line: *line_no,
                        outer_time: None,
                        pod: pod.as_deref(),
                    };
                    line_parser.parse_line(text, &ctx, &mut sink)
                }
                None => too_long,
            };
            report.account(*line_no, class, options.max_examples);
        }
        drop(sample);
        // Traefik and cloudflared lines do not depend on each other, and journal lines only
        // through a serve's header and detail lines (a detail whose header falls in the
        // previous chunk still counts, at its journal time): parse them in parallel chunks.
        //
        // NOTE: a journal whose first lines carry years but later switch to `short` lines would
        // keep provisional times for those lines; journalctl writes one mode per export.
        let parse = &options.parse;
        // The four parallel formats differ only in how a block's parser is made. A regular
        // file is read by offset from every worker; a stream (stdin, gzip, a pipe) through a
        // reader thread.
        let settings = parallel::BlockSettings {
            pod: pod.as_deref(),
            max_line: lines.max_line(),
            max_examples: options.max_examples,
            block_bytes: options.chunk_bytes,
        };
        let file_range = match &plain_file {
            // The byte-order mark of the first line is stripped by the line reader, so at
            // least that line must have been read by it.
            Some(file) if lines.line_no > 0 => {
                use std::io::Seek;
                let end = file.metadata().map_err(|e| read_error(e, 0))?.len();
                let counted = (&*file).stream_position().unwrap_or(end);
                // A file whose size is below what was read already cannot be read by offset
                // (a /proc file reports 0), so it goes on as a stream.
                (end >= counted).then_some(parallel::FileRange {
                    file,
                    start: plain_start + lines.consumed(),
                    end,
                    counted,
                })
            }
            _ => None,
        };
        macro_rules! parse_in_parallel {
            ($new_parser:expr) => {
                Some(match file_range {
                    Some(range) => {
                        let end = range.end;
                        parallel::parse_file_rest(
                            range,
                            $new_parser,
                            settings,
                            &mut sink,
                            &mut report,
                            lines.line_no,
                            progress,
                        )
                        .map(|read| {
                            lines.line_no = read.line_no;
                            file_bytes = Some(read.shrunk_to.unwrap_or(end));
                            if let Some(length) = read.shrunk_to {
                                lines.truncated = Some(format!(
                                    "the file ended at byte {length} while it was read, though \
                                     it had {end} bytes at the start"
                                ));
                            }
                        })
                    }
                    None => parallel::parse_rest(
                        &mut lines,
                        $new_parser,
                        settings,
                        &mut sink,
                        &mut report,
                    ),
                })
            };
        }
        let rest = match detected.input_type {
            InputType::Journal if !short_journal => parse_in_parallel!(|| {
                let mut journal = JournalParser::new(parse);
                journal.set_cat_mode(cat_mode);
                journal
            }),
            InputType::JournalJson => parse_in_parallel!(|| JournalJsonParser::new(parse)),
            InputType::Traefik => parse_in_parallel!(|| TraefikParser::new(parse)),
            InputType::Cloudflared => parse_in_parallel!(|| CloudflaredParser::new(parse)),
            _ => None,
        };
        let parsed_in_parallel = rest.is_some();
        if let Some(result) = rest {
            result.map_err(|e| read_error(e, lines.line_no + 1))?;
        }
        if !parsed_in_parallel {
            loop {
                let line_no = lines.line_no + 1;
                let class = match lines.next_line().map_err(|e| read_error(e, line_no))? {
                    Some(Line::Text(text)) => {
                        let ctx = LineCtx {
                            line: line_no,
                            outer_time: None,
                            pod: pod.as_deref(),
                        };
                        line_parser.parse_line(text, &ctx, &mut sink)
                    }
                    Some(Line::TooLong { .. }) => too_long,
                    None => break,
                };
                report.account(line_no, class, options.max_examples);
            }
        }
        line_parser.finish(&mut sink)?;
    }

    if let AnyParser::Envelope(envelope) = &parser {
        report.warnings.extend(envelope.notes(&name));
    }
    report.bytes = file_bytes.unwrap_or(lines.bytes_read);
    if let Some(error) = &lines.truncated {
        let warning = match file_bytes {
            // A regular file read by offset ends early only by shrinking while it is read. With
            // several threads, blocks before the cut may have been read after it, too.
            Some(_) => {
                let reason = error.clone();
                let also_before = if rayon::current_num_threads() > 1 {
                    ", and with several threads some lines before it may be too"
                } else {
                    ""
                };
                report.truncated = Some((lines.line_no, reason.clone()));
                format!(
                    "{name}: {reason}, as a copytruncate rotation does; the lines past the cut are \
                     missing{also_before}; read a copy of the file"
                )
            }
            None => {
                let reason = stream_end_reason(report.bytes, error);
                report.truncated = Some((lines.line_no, reason.clone()));
                format!("{name}: {reason}; the lines before it were read")
            }
        };
        report.warnings.push(warning);
    }
    Ok(ReadInput {
        report,
        sink,
        parser: Some(parser),
    })
}

/// Describes a compressed stream or a pipe that ended early, after `bytes` of its text.
fn stream_end_reason(bytes: u64, error: &str) -> String {
    format!("input ends early after {bytes} decompressed bytes ({error})")
}

/// The bytes read to recognise the formats that are not lines.
const HEAD_BYTES: u64 = 8 << 10;

/// An input's first bytes, a reader that still yields them, and the error of a stream cut
/// inside them.
type Head = (Vec<u8>, Box<dyn std::io::BufRead + Send>, Option<String>);

/// Reads the first bytes of an input and returns them with a reader that still yields them,
/// and the error of a stream cut inside them.
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
            Ok((head, Box::new(replay), Some(e.to_string())))
        }
        Err(e) => Err(e),
    }
}

/// Reads an input whose records span lines (`journalctl -o export`) or that is one JSON array
/// (Grafana's JSON download).
fn read_records(
    index: u32,
    name: &str,
    input_type: InputType,
    mut reader: Box<dyn std::io::BufRead + Send>,
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
    let bytes = match records.read_records(&mut reader, &mut sink, &mut account) {
        Ok(bytes) => bytes,
        Err(e) if is_truncation(&e) => {
            let reason = format!("input ends early ({e})");
            report
                .warnings
                .push(format!("{name}: {reason}; the records before it were read"));
            report.truncated = Some((report.lines, reason));
            0
        }
        Err(source) => {
            return Err(Error::Read {
                name: name.to_string(),
                line: report.lines,
                source,
            });
        }
    };
    report.bytes = bytes;
    report.warnings.extend(records.notes(name));
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

/// Fails at the first input that has a malformed line or ended early (`--strict`), naming
/// the first such line. Inputs are checked in the order given, so the error is the same for
/// any thread count.
pub fn check_strict(inputs: &[InputReport]) -> Result<()> {
    for input in inputs {
        let malformed = input
            .malformed_examples
            .first()
            .map(|(line, reason)| (*line, reason.clone()));
        // NOTE: with `max_examples` at 0 no example is kept, so the error names line 0 and
        // gives only the count.
        let malformed = malformed.or_else(|| {
            (input.malformed > 0).then(|| (0, format!("{} malformed line(s)", input.malformed)))
        });
        let truncated = input.truncated.as_ref().map(|(line, reason)| {
            // A stream that broke before its first newline still failed at line 1.
            (
                (*line).max(1),
                format!("{reason}; the last line may be cut"),
            )
        });
        // The cut last line of a truncated input is often malformed too. The truncation is its
        // cause, so the truncation wins a tie.
        let first = match (malformed, truncated) {
            (Some(m), Some(t)) => Some(if m.0 < t.0 { m } else { t }),
            (m, t) => m.or(t),
        };
        if let Some((line, reason)) = first {
            return Err(Error::Strict {
                name: input.name.clone(),
                line,
                reason,
            });
        }
    }
    Ok(())
}

/// Gives journal `short` inputs that learned no year from their own Go prefixes the year of the
/// other inputs' dated lines, or fails asking for `--year`.
fn resolve_years(read: &mut [ReadInput], options: &ReadOptions) -> Result<()> {
    // Dated times: every event whose time is real, from inputs that needed no year.
    let mut dated: Vec<i64> = Vec::new();
    for input in read.iter_mut() {
        let needs_year = input
            .parser
            .as_mut()
            .and_then(AnyParser::journal_year)
            .is_some_and(|y| y.used && y.base.is_none());
        if !needs_year {
            dated.extend(input.sink.events.iter().map(|e| e.time));
            dated.extend(input.sink.activity.tracks.values().map(|t| t.first));
        }
    }
    dated.sort_unstable();
    let hint = dated.get(dated.len() / 2).copied();

    for input in read.iter_mut() {
        let Some(year) = input.parser.as_mut().and_then(AnyParser::journal_year) else {
            continue;
        };
        if !year.used || year.base.is_some() {
            continue;
        }
        let Some(hint) = hint else {
            return Err(Error::YearUnknown {
                name: input.report.name.clone(),
                line: year.first_line,
            });
        };
        // The provisional first time of this input, moved to each candidate year: the one
        // closest to the other inputs' median time wins.
        let first = input
            .sink
            .activity
            .tracks
            .iter()
            .filter(|(k, _)| k.source == Source::Journal)
            .map(|(_, t)| t.first)
            .min();
        let hint_year = time::year_of(hint);
        let base = (hint_year - 1..=hint_year + 1)
            .filter_map(|base| {
                let real = crate::parse::journal::real_time(first?, base, options.parse.zone)?;
                Some(((real - hint).abs(), base))
            })
            .min()
            .map_or(hint_year, |(_, base)| base);
        apply_year(&mut input.sink, year, base, options.parse.zone);
        input.report.warnings.push(format!(
            "{}: journal lines carry no year; used {base} from the other inputs (set --year to override)",
            input.report.name
        ));
    }
    Ok(())
}
