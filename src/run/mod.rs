//! The pipeline, wired together: read and parse every input, then correlate, then hand the
//! results to the output writers. The binary and the CLI tests call these same functions.
//!
//! Inputs are parsed in parallel (one rayon task per input) and their results are kept in the
//! order the inputs were given, so the output does not depend on the thread count.

mod read;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::event::{Event, Source};
use crate::input::{self, InputSpec, InputType};
use crate::parallel;
use crate::parse::cloudflared::CloudflaredParser;
use crate::parse::envelope::EnvelopeParser;
use crate::parse::journal::{JournalParser, apply_year};
use crate::parse::journal_json::JournalJsonParser;
use crate::parse::journal_year::HeaderYear;
use crate::parse::traefik::TraefikParser;
use crate::parse::{Activity, LineClass, LineParser, ParseOptions, Sink};
use crate::time;
use read::read_one;

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

/// Maximum number of lines with NUL bytes inside that an input's warning names.
pub const NUL_INSIDE_EXAMPLES: usize = 3;

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
    /// Lines that started with a run of NUL bytes, which were read from the byte after the run,
    /// and the first of them.
    #[serde(skip)]
    pub nul_prefixed: (u64, Option<u64>),
    /// Lines with NUL bytes after their first other byte, which were counted as malformed, and
    /// the first `NUL_INSIDE_EXAMPLES` of them.
    #[serde(skip)]
    pub nul_inside: (u64, Vec<u64>),
    pub bytes: u64,
    /// The last line read and the decompressor's error, when the input ended early (a
    /// truncated or corrupt gzip stream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<(u64, String)>,
    /// The last line read and the reason, when a complete gzip stream was followed by bytes
    /// that are not gzip (`gzip -t` calls them trailing garbage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trailing_data: Option<(u64, String)>,
    pub warnings: Vec<String>,
    /// Warnings that the journal's times may be read in the wrong zone, which the clock offset
    /// measured from Traefik's sockets settles. The summary leaves them out when that offset
    /// confirms the times as read. When it refutes them, their text leaves out the reading
    /// that the times are right.
    #[serde(skip)]
    pub clock_warnings: Vec<crate::parse::journal_zone::ZoneShiftWarning>,
    /// The name of an earlier input that this one repeats: the same path, the same file or
    /// the same bytes. Such an input is not read again, and its counts are zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<String>,
    /// The kind of repeat of `repeat_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    /// Whether any line gave a time or an event: a log entry, a request, a sample. An empty
    /// file, a `-- No entries --` journal or an empty Loki response gives none.
    #[serde(skip)]
    pub timed: bool,
    /// Set when `--input-type` named the input's type.
    #[serde(skip)]
    pub forced: Option<ForcedType>,
}

/// The facts known of an input whose type `--input-type` named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForcedType {
    /// The type detection finds in the input's first 8 KiB, if any.
    pub detected: Option<InputType>,
}

/// Returns the name of input number `input`, or `<journal>` when no input has that number.
pub fn input_name(inputs: &[InputReport], input: u32) -> &str {
    inputs
        .get(input as usize)
        .map_or("<journal>", |report| report.name.as_str())
}

impl InputReport {
    /// Returns the input's type as the summary names it: its detected or forced type, or for
    /// an input of no type, `cut short` when its stream ended before its first line and
    /// `empty` otherwise.
    pub fn type_label(&self) -> &'static str {
        match (self.input_type, &self.truncated) {
            (Some(name), _) => name,
            (None, Some(_)) => "cut short",
            (None, None) => "empty",
        }
    }
}

/// The kind of repeat of an input that names an earlier input's file or bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    /// The same path, given again.
    SamePath,
    /// Another path of the same file: a link, or a path through a linked directory.
    SameFile,
    /// Another file with the same bytes: a copy.
    SameContent,
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

impl CountUnit {
    /// Returns the unit's name for `count` of them: singular for one.
    pub fn name_for(self, count: u64) -> &'static str {
        match (self, count) {
            (CountUnit::Lines, 1) => "line",
            (CountUnit::Entries, 1) => "entry",
            (CountUnit::Rows, 1) => "row",
            (CountUnit::Lines, _) => "lines",
            (CountUnit::Entries, _) => "entries",
            (CountUnit::Rows, _) => "rows",
            (CountUnit::Series, _) => "series",
        }
    }
}

impl InputReport {
    /// Returns line `line_no` without the run of NUL bytes that starts it, and counts the line
    /// when it had one (see [`parallel::strip_nul_prefix`]).
    pub fn strip_nul_prefix<'a>(&mut self, line_no: u64, text: &'a [u8]) -> &'a [u8] {
        let Some(stripped) = parallel::strip_nul_prefix(text) else {
            return text;
        };
        self.nul_prefixed.0 += 1;
        self.nul_prefixed.1.get_or_insert(line_no);
        stripped
    }

    /// Tells whether line `line_no`, after its leading NUL run, still contains a NUL byte, and
    /// counts it when it does. Such a line is malformed (see [`parallel::NUL_INSIDE`]).
    pub fn note_nul_inside(&mut self, line_no: u64, text: &[u8]) -> bool {
        if memchr::memchr(0, text).is_none() {
            return false;
        }
        self.nul_inside.0 += 1;
        if self.nul_inside.1.len() < NUL_INSIDE_EXAMPLES {
            self.nul_inside.1.push(line_no);
        }
        true
    }

    /// Returns the warning for lines with NUL bytes inside, if there were any. `strip` is the
    /// shell command that writes a copy of the input without NUL bytes.
    pub fn nul_inside_warning(&self, strip: &str) -> Option<String> {
        let (count, lines) = &self.nul_inside;
        if *count == 0 {
            return None;
        }
        let mut examples: Vec<String> = lines
            .iter()
            .map(|line| format!("{}:{line}", self.name))
            .collect();
        let more = *count - lines.len() as u64;
        if more > 0 {
            examples.push(format!("{more} more"));
        }
        Some(format!(
            "{}: {count} line(s) contain NUL bytes after their start ({}), as a damaged copy or \
             a crash leaves in a file that was being written. Each was counted as malformed and \
             not read, because the NUL bytes may stand where text was lost, so a line of \
             evidence among them is missing. If the text around them is whole, read a copy \
             without them ({strip})",
            self.name,
            examples.join(", "),
        ))
    }

    /// Returns the warning for lines that started with NUL bytes, if there were any.
    pub fn nul_prefix_warning(&self) -> Option<String> {
        let (count, Some(first)) = self.nul_prefixed else {
            return None;
        };
        Some(format!(
            "{}: {count} line(s) start with a run of NUL bytes (the first on line {first}), as \
             a crash leaves in a file that was being written; each was read from the byte after \
             its run (a line of NUL bytes alone reads as blank), and the lines lost in the hole \
             cannot be recovered",
            self.name
        ))
    }

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
    /// The routers of WebSocket requests that `--router` does not match, over all inputs.
    pub other_ws_routers: crate::parse::OtherRouters,
    /// The journal lines of all inputs, by program.
    pub journal_lines: crate::parse::JournalLines,
    /// The hosts that the journal text lines of all inputs name.
    pub journal_hosts: crate::parse::JournalHosts,
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
    let repeats = repeated_files(specs);
    // The bar counts the bytes of the files that will be read.
    let read_specs: Vec<InputSpec> = specs
        .iter()
        .zip(&repeats)
        .filter(|(_, repeat)| repeat.is_none())
        .map(|(spec, _)| spec.clone())
        .collect();
    let progress = options
        .progress
        .map(|force| input::progress_bar(&read_specs, force));
    let results: Vec<Result<ReadInput>> = specs
        .par_iter()
        .zip(&repeats)
        .enumerate()
        .map(|(index, (spec, repeat))| match repeat {
            Some((first, repeat)) => {
                Ok(repeated_input(index as u32, spec, &specs[*first], *repeat))
            }
            None => read_one(index as u32, spec, options, progress.as_ref()),
        })
        .collect();
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let mut read: Vec<ReadInput> = results.into_iter().collect::<Result<_>>()?;
    if options.parse.host.is_none() {
        read_devvm_alone(&mut read, specs, &repeats, options)?;
    }
    for input in &mut read {
        input.report.timed = input.report.used > 0 || !input.sink.activity.tracks.is_empty();
        check_forced_type_fits(&input.report)?;
        if !warn_if_no_format_line(input) {
            warn_if_much_malformed(&mut input.report);
        }
        warn_if_no_series(input);
    }

    resolve_years(&mut read, options)?;
    if options.parse.host.is_none() {
        leave_out_other_hosts(&mut read);
    }

    let mut parsed = ParsedInputs::default();
    for mut input in read {
        if runs_newest_first(&input.sink.events) {
            for event in &mut input.sink.events {
                event.origin.set_newest_first();
            }
        }
        parsed.events.extend(input.sink.events);
        parsed.other_ws_routers.merge(&input.sink.other_ws_routers);
        parsed.journal_lines.add(input.sink.journal_lines);
        parsed.journal_hosts.merge(&input.sink.journal_hosts);
        parsed.activity.merge(input.sink.activity);
        parsed.inputs.push(input.report);
    }
    if let Some(warning) = hosts_warning(&parsed.journal_hosts, options.parse.host.as_deref())
        && let Some(first) = parsed.inputs.first_mut()
    {
        first.warnings.push(warning);
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

/// Returns, for each input, the index of an earlier input that it repeats, and how: the same
/// path twice, a link and its target, or a copy with the same bytes. Reading such an input
/// again would double its lines in the coverage and its events, so it is read once.
///
/// Only regular files count, compared by device and inode where the platform has them and by
/// canonical path elsewhere, and then by content when the sizes match. Two inputs of the same
/// file with different forced types are both read, because the user asked for two readings.
///
/// NOTE: a compressed copy of a plain file (`journal.log` and `journal.log.gz`) has other bytes,
/// so it is still read twice. Its events are counted once, but its lines count twice.
fn repeated_files(specs: &[InputSpec]) -> Vec<Option<(usize, Repeat)>> {
    struct Seen<'a> {
        identity: FileIdentity,
        size: u64,
        path: &'a std::path::Path,
        forced: Option<input::InputType>,
        index: usize,
    }
    let mut seen: Vec<Seen> = Vec::new();
    let mut repeats = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        let input::InputSource::Path(path) = &spec.source else {
            repeats.push(None);
            continue;
        };
        let (Some(identity), Ok(metadata)) = (file_identity(path), std::fs::metadata(path)) else {
            repeats.push(None);
            continue;
        };
        let size = metadata.len();
        let candidates = || seen.iter().filter(|s| s.forced == spec.forced_type);
        let same_file = candidates().find(|s| s.identity == identity).map(|s| {
            let repeat = if s.path == path.as_path() {
                Repeat::SamePath
            } else {
                Repeat::SameFile
            };
            (s.index, repeat)
        });
        // An empty file repeats nothing worth a warning.
        let repeat = same_file.or_else(|| {
            candidates()
                .find(|s| size > 0 && s.size == size && same_content(s.path, path))
                .map(|s| (s.index, Repeat::SameContent))
        });
        if repeat.is_none() {
            seen.push(Seen {
                identity,
                size,
                path,
                forced: spec.forced_type,
                index,
            });
        }
        repeats.push(repeat);
    }
    repeats
}

/// Tells whether two files contain the same bytes, reading both until they differ. A read error
/// counts as a difference, so the file is read, and reports its error, as a separate input.
fn same_content(first: &std::path::Path, second: &std::path::Path) -> bool {
    use std::io::Read;

    let (Ok(mut first), Ok(mut second)) = (std::fs::File::open(first), std::fs::File::open(second))
    else {
        return false;
    };
    let mut first_chunk = vec![0u8; 1 << 16];
    let mut second_chunk = vec![0u8; 1 << 16];
    loop {
        // Both chunks are full until a file ends, so the chunks line up.
        let (Ok(first_len), Ok(second_len)) = (
            read_full(&mut first, &mut first_chunk),
            read_full(&mut second, &mut second_chunk),
        ) else {
            return false;
        };
        if first_len != second_len || first_chunk[..first_len] != second_chunk[..second_len] {
            return false;
        }
        if first_len == 0 {
            return true;
        }
    }

    /// Fills `buffer` as far as the reader allows, returning the bytes read (fewer only at
    /// the end).
    fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
        let mut filled = 0;
        while filled < buffer.len() {
            match reader.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(filled)
    }
}

/// The identity of a regular file: its device and inode on Unix, its canonical path elsewhere.
#[cfg(unix)]
pub type FileIdentity = (u64, u64);
#[cfg(not(unix))]
pub type FileIdentity = std::path::PathBuf;

/// Returns the identity of a regular file, or `None` for anything else (a missing path, a
/// pipe, a device), which is read as given.
pub fn file_identity(path: &std::path::Path) -> Option<FileIdentity> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok()
    }
}

/// Builds the result of an input that repeats `first`: nothing read, and a warning.
fn repeated_input(index: u32, spec: &InputSpec, first: &InputSpec, repeat: Repeat) -> ReadInput {
    let name = spec.name();
    let first = first.name();
    let warning = match repeat {
        Repeat::SamePath => format!("{name} was given more than once, so it was read once"),
        Repeat::SameFile => format!("{name} is the same file as {first}, so it was read once"),
        Repeat::SameContent => {
            format!("{name} has the same bytes as {first} (a copy), so it was read once")
        }
    };
    ReadInput {
        report: InputReport {
            name,
            repeat_of: Some(first),
            repeat: Some(repeat),
            warnings: vec![warning],
            ..InputReport::default()
        },
        sink: Sink::new(index),
        parser: None,
    }
}

/// The minimum line count for malformed lines to be a warning, since a short input with a few
/// bad lines is no sign of a wrong type.
const MALFORMED_WARNING_MIN_LINES: u64 = 20;

/// The share of malformed lines, in percent, above which an input gets a warning. A log of one
/// kind has almost none; a stream of two kinds has the second one's share.
const MALFORMED_WARNING_PERCENT: u64 = 10;

/// Warns when a metrics input (Prometheus JSON, Grafana CSV) gives no sample of the probe's
/// legs or of devvm's pressure. Examples are a series of another name, an empty result, a
/// probe series without its `leg` label, and a CSV whose legend names no leg. Such an input
/// reads without a malformed line, yet adds nothing to a verdict.
fn warn_if_no_series(input: &mut ReadInput) {
    let metrics = matches!(input.report.input_type, Some("prometheus" | "grafana-csv"));
    let samples = input
        .sink
        .activity
        .tracks
        .iter()
        .any(|(key, _)| matches!(key.source, Source::Probe | Source::Pressure));
    if !metrics || samples || input.report.truncated.is_some() {
        return;
    }
    input.report.warnings.push(format!(
        "{}: no sample of the probe's legs (a `leg` label of cloudflare, internal or t3serve) \
         or of devvm's pressure (node_pressure_io_stalled_seconds_total, \
         node_pressure_memory_stalled_seconds_total) was read from it, so it adds nothing; \
         `t3forensics export-commands` prints the queries",
        input.report.name
    ));
}

/// Warns when not one line of a line-based input read as a line of its detected type, every
/// line ignored or malformed, and returns whether it did. Such an input is most likely no log of
/// that type: a Markdown file or a note that quotes log lines, or a wrongly forced type.
///
/// A real log whose lines all are irrelevant (a Traefik log of other routers only, a journal of
/// other units only) gets no warning. Its timed lines still record when the source was logging
/// ([`crate::parse::Sink::saw`]), and that record is what this test looks for. Such a log has
/// its own messages where they matter, such as Traefik's `left out: no t3 WebSocket line`.
fn warn_if_no_format_line(input: &mut ReadInput) -> bool {
    let report = &input.report;
    // A journal of `-- No entries --` has a warning of its own.
    let read_as_lines = match &input.parser {
        Some(AnyParser::Journal(journal)) => !journal.has_no_entries(),
        Some(_) => true,
        None => false,
    };
    if !read_as_lines
        || report.lines == 0
        || report.used > 0
        || !input.sink.activity.tracks.is_empty()
    {
        return false;
    }

    let name = &report.name;
    let kind = report.input_type.unwrap_or("?");
    let force = force_type_option(name);
    // The first malformed line's reason, which may name the cause (a journalctl mode not read).
    let first = report
        .malformed_examples
        .first()
        .map(|(line, reason)| format!("; line {line}: {reason}"))
        .unwrap_or_default();
    let warning = format!(
        "{name}: not one of its {} {} was read as a {kind} line ({} ignored, {} malformed{first}); \
         if it is no {kind} log but, for example, a document that quotes log lines, leave it out, \
         or name its type with {force} if it is a log of another kind",
        report.lines, report.unit, report.ignored, report.malformed,
    );
    input.report.warnings.push(warning);
    true
}

/// Fails when `--input-type` forced a type on an input and not one of its lines fits it: every
/// line malformed or ignored, at least one malformed, and no time read. Such a run would pass
/// without that source, so it is a usage error like an undetectable type, naming what the
/// content looks like.
fn check_forced_type_fits(report: &InputReport) -> Result<()> {
    let Some(forced) = report.forced else {
        return Ok(());
    };
    if report.timed || report.malformed == 0 {
        return Ok(());
    }
    let forced_name = report.input_type.unwrap_or("?");
    let first = report
        .malformed_examples
        .first()
        .map(|(line, reason)| format!("; line {line}: {reason}"))
        .unwrap_or_default();
    let read = format!(
        "not one of its {} {} was read as {forced_name} ({} ignored, {} malformed{first})",
        report.lines,
        report.unit.name_for(report.lines),
        report.ignored,
        report.malformed
    );
    let name = &report.name;
    let hint = match forced.detected {
        Some(detected) if detected.name() != forced_name => {
            let option = force_type_option(name).replace("TYPE", detected.name());
            format!(
                "its content is detected as {}; name that type ({option}) or leave \
                 --input-type off for it",
                detected.name()
            )
        }
        Some(_) => format!("leave it out if it is no {forced_name} log"),
        None => "its first lines match no type either; fix what the reason names, or leave \
                 the file out"
            .to_string(),
    };
    Err(Error::ForcedTypeUnfit {
        name: name.clone(),
        forced: forced_name,
        read,
        hint,
    })
}

/// Returns the option that names an input's type, for a warning's hint. stdin has no path for
/// `TYPE:PATH`, so its hint gives the bare `TYPE`, which forces every input.
fn force_type_option(name: &str) -> String {
    if name == crate::input::STDIN_NAME {
        "--input-type TYPE".to_string()
    } else {
        format!("--input-type TYPE:{name}")
    }
}

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
    let force = force_type_option(name);
    // The first line's reason, which may name the cause (a journalctl mode not read).
    let first = report
        .malformed_examples
        .first()
        .map(|(line, reason)| format!(" (line {line}: {reason})"))
        .unwrap_or_default();
    report.warnings.push(format!(
        "{name}: {} of {} {} are malformed for a {} input{first}; if it mixes several kinds of \
         log, give each as its own file, or name the type with {force}",
        report.malformed,
        report.lines,
        report.unit,
        report.input_type.unwrap_or("?"),
    ));
}

/// Returns devvm's name when it is clear: the one host whose journal lines include t3-dispatch's.
fn dispatch_host(read: &[ReadInput]) -> Option<String> {
    let mut all = crate::parse::JournalHosts::default();
    for input in read {
        all.merge(&input.sink.journal_hosts);
    }
    let dispatch_hosts: Vec<&str> = all
        .0
        .iter()
        .filter(|h| h.dispatch > 0)
        .map(|h| &*h.host)
        .collect();
    match dispatch_hosts[..] {
        [devvm] => Some(devvm.to_string()),
        _ => None,
    }
}

/// Reads again, as with `--host devvm`, each file whose journal lines mix devvm with other
/// hosts, when devvm is clear. Another host's OOM kill would count as a devvm serve's, and one
/// stray line of it would stretch devvm's span into a false silence. Stdin cannot be read
/// again, so a mixed stdin only loses the other hosts' events (`leave_out_other_hosts_evidence`).
fn read_devvm_alone(
    read: &mut [ReadInput],
    specs: &[InputSpec],
    repeats: &[Option<(usize, Repeat)>],
    options: &ReadOptions,
) -> Result<()> {
    let Some(devvm) = dispatch_host(read) else {
        return Ok(());
    };
    let alone = ReadOptions {
        parse: ParseOptions {
            host: Some(devvm.clone()),
            ..options.parse.clone()
        },
        progress: None,
        ..options.clone()
    };
    for (index, spec) in specs.iter().enumerate() {
        let hosts = &read[index].sink.journal_hosts.0;
        let mixed = hosts.len() > 1 && hosts.iter().any(|h| *h.host == *devvm);
        if !mixed || repeats[index].is_some() {
            continue;
        }
        if !matches!(spec.source, crate::input::InputSource::Path(_)) {
            leave_out_other_hosts_evidence(&mut read[index], &devvm);
            continue;
        }
        let others: Vec<String> = hosts
            .iter()
            .filter(|h| *h.host != *devvm)
            .map(|h| format!("{} ({} lines)", h.host, h.lines))
            .collect();
        let mut again = read::read_one(index as u32, spec, &alone, None)?;
        // Only devvm's lines were read, so only devvm counts among the hosts.
        again.sink.journal_hosts.0.retain(|h| *h.host == *devvm);
        again.report.warnings.push(format!(
            "{}: journal lines of other hosts were left out: {}; only {devvm}, where \
             t3-dispatch runs, is devvm (pass --host to read another host)",
            again.report.name,
            others.join(", ")
        ));
        read[index] = again;
    }
    Ok(())
}

/// Drops the journal events of hosts other than devvm from an input that cannot be read again
/// (stdin), so another host's OOM kill or restart is not evidence against devvm. Their lines
/// still count in the journal's coverage, which the input's warning names in place of the
/// general one of `hosts_warning`.
///
/// A text line names its host in the event's text. A `-o json` or `-o export` entry keeps its
/// message alone, so its event carries the index of its host instead.
///
/// NOTE: only the first 255 hosts of an input are counted (`JournalHosts`), so an entry of a
/// later host keeps its event.
fn leave_out_other_hosts_evidence(input: &mut ReadInput, devvm: &str) {
    let others: Vec<String> = input
        .sink
        .journal_hosts
        .0
        .iter()
        .filter(|h| *h.host != *devvm)
        .map(|h| format!("{} ({} lines)", h.host, h.lines))
        .collect();
    let before = input.sink.events.len();
    let hosts = &input.sink.journal_hosts.0;
    input.sink.events.retain(|event| {
        if event.source != Source::Journal {
            return true;
        }
        match event.host {
            Some(index) => hosts
                .get(usize::from(index))
                .is_none_or(|h| *h.host == *devvm),
            None => crate::parse::journal::line_host(event.text.as_bytes())
                .is_none_or(|host| host == devvm.as_bytes()),
        }
    });
    let left_out = before - input.sink.events.len();
    // This warning replaces the general one of `hosts_warning` for this input.
    input.sink.journal_hosts.0.retain(|h| *h.host == *devvm);
    input.report.warnings.push(format!(
        "{}: journal lines of other hosts: {}; {left_out} event(s) of theirs were left out as \
         evidence, but their lines still fill devvm's coverage, since stdin cannot be read \
         again (pass --host {devvm} to leave them out whole)",
        input.report.name,
        others.join(", ")
    ));
}

/// Leaves out the journal lines of an input whose lines all come from hosts other than devvm,
/// when devvm is clear: the one host whose journal has t3-dispatch lines. Such an input is
/// another machine's journal given by mistake, and its OOM kills, restarts and lines would
/// count as devvm's. The input's used lines become ignored, with a warning. Hosts mixed in
/// one input are left to the warning of `hosts_warning` and to `--host`.
fn leave_out_other_hosts(read: &mut [ReadInput]) {
    let Some(devvm) = dispatch_host(read) else {
        return;
    };
    for input in read.iter_mut() {
        let hosts = &input.sink.journal_hosts.0;
        if hosts.is_empty() || hosts.iter().any(|h| *h.host == *devvm) {
            continue;
        }
        let names: Vec<String> = hosts.iter().map(|h| h.host.to_string()).collect();
        input.sink.events.retain(|e| e.source != Source::Journal);
        input.sink.activity.remove_source(Source::Journal);
        // Its hosts are no longer read, so the warning about several hosts leaves them out.
        input.sink.journal_hosts = crate::parse::JournalHosts::default();
        let report = &mut input.report;
        report.ignored += report.used;
        report.used = 0;
        report.warnings.push(format!(
            "{}: its journal lines come from {}, not from {devvm}, where t3-dispatch runs, so \
             they were left out; pass --host {} to read that host alone",
            report.name,
            names.join(", "),
            names[0]
        ));
    }
}

/// Warns when the journal text lines name several hosts and `--host` does not pick one, or
/// when `--host` names none of them. The tool reads every journal line as devvm's, so another
/// host's OOM kill would be blamed on a devvm serve and its lines would fill devvm's silences.
fn hosts_warning(hosts: &crate::parse::JournalHosts, chosen: Option<&str>) -> Option<String> {
    let listed: Vec<String> = hosts
        .0
        .iter()
        .map(|h| match h.dispatch {
            0 => format!("{} ({} lines)", h.host, h.lines),
            n => format!("{} ({} lines, {n} of t3-dispatch)", h.host, h.lines),
        })
        .collect();
    match chosen {
        Some(host) if !hosts.0.is_empty() && !hosts.0.iter().any(|h| &*h.host == host) => {
            Some(format!(
                "no journal line is from host {host} (--host), so no journal line was read; \
                 the hosts are {}",
                listed.join(", ")
            ))
        }
        None if hosts.0.len() > 1 => {
            // The host where dispatch runs is devvm; failing that, the busiest one.
            let likely = hosts
                .0
                .iter()
                .max_by_key(|h| (h.dispatch, h.lines))
                .map(|h| h.host.clone())
                .unwrap_or_default();
            Some(format!(
                "the journal lines come from {} hosts: {}. They are all read as devvm's, so \
                 another host's OOM kills and restarts count as devvm's and its lines hide \
                 devvm's silences; pass --host {likely} to read only devvm",
                hosts.0.len(),
                listed.join(", ")
            ))
        }
        _ => None,
    }
}

/// Tells whether an input's events, in line order, run newest first (`journalctl -r`, logcli
/// without `--forward`, Grafana downloads): more steps between neighbouring events go back in
/// time than forward. Events of the same time decide nothing.
fn runs_newest_first(events: &[Event]) -> bool {
    let (mut back, mut forward) = (0usize, 0usize);
    for pair in events.windows(2) {
        match pair[1].time.cmp(&pair[0].time) {
            std::cmp::Ordering::Less => back += 1,
            std::cmp::Ordering::Greater => forward += 1,
            std::cmp::Ordering::Equal => {}
        }
    }
    back > forward
}

/// Removes events that another input already holds: the same source and meaning at the same
/// time, where a whole-second time matches any time inside its second. Two exports of the same
/// journal, or overlapping ones, would otherwise double every drop in the overlap.
///
/// Repeats inside one input are kept (five identical `context canceled` lines in one second
/// are a burst): for each group of equal events, the input holding the most copies keeps them
/// and the other inputs' copies go. Events of two named pods are never equal, because every
/// cloudflared pod logs the same lines when the fleet updates at once. An event without a pod
/// name joins the group of the first named pod met. `events` is sorted by time. Returns the
/// number removed.
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
            let mut pod = events[i].pod.as_deref();
            let mut group: Vec<usize> = Vec::new();
            for j in i..end {
                if remove[j] || !same(&events[i], &events[j]) {
                    continue;
                }
                match (pod, events[j].pod.as_deref()) {
                    (Some(ours), Some(theirs)) if ours != theirs => continue,
                    (None, Some(theirs)) => pod = Some(theirs),
                    _ => {}
                }
                group.push(j);
            }
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
        // Bytes after a complete gzip stream come after its last line, so they matter only
        // when nothing else does.
        let first = first.or_else(|| {
            input
                .trailing_data
                .as_ref()
                .map(|(line, reason)| ((*line).max(1), reason.clone()))
        });
        if let Some((line, reason)) = first {
            return Err(Error::Strict {
                name: input.name.clone(),
                line,
                reason,
            });
        }
    }
    // One empty file among others is often an empty rotation, but with no entry in any input
    // a CI check would pass on nothing.
    let originals: Vec<&InputReport> = inputs
        .iter()
        .filter(|input| input.repeat_of.is_none())
        .collect();
    if !originals.is_empty() && originals.iter().all(|input| !input.timed) {
        let names: Vec<&str> = originals.iter().map(|input| input.name.as_str()).collect();
        return Err(Error::StrictNoEntry {
            names: names.join(", "),
        });
    }
    Ok(())
}

/// Gives journal `short` inputs that learned no year from their own Go prefixes the year that
/// their journalctl header's span gives, else the year of the other inputs' dated lines, or
/// fails asking for `--year`.
fn resolve_years(read: &mut [ReadInput], options: &ReadOptions) -> Result<()> {
    // A journal header's span dates its own input first, so that input can date the others.
    for input in read.iter_mut() {
        let Some(year) = input.parser.as_mut().and_then(AnyParser::journal_year) else {
            continue;
        };
        if year.used
            && year.base.is_none()
            && let HeaderYear::Fits(base) = year.header_year()
        {
            apply_year(&mut input.sink, year, base, options.parse.zone);
        }
    }

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
                detail: year.header_year().unknown_year_detail(),
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
                let real = crate::parse::journal::real_time(
                    first?,
                    base,
                    options.parse.zone,
                    time::Fold::Earlier,
                )?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_unit_names() {
        let cases = [
            (CountUnit::Lines, 1, "line"),
            (CountUnit::Lines, 0, "lines"),
            (CountUnit::Lines, 2, "lines"),
            (CountUnit::Entries, 1, "entry"),
            (CountUnit::Entries, 5, "entries"),
            (CountUnit::Rows, 1, "row"),
            (CountUnit::Rows, 3, "rows"),
            (CountUnit::Series, 1, "series"),
            (CountUnit::Series, 2, "series"),
        ];
        for (unit, count, expected) in cases {
            assert_eq!(unit.name_for(count), expected, "{unit:?} {count}");
        }
    }
}
