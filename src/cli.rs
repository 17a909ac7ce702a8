//! The command line: argument definitions (clap derive) and the function that runs a command.
//!
//! This module only turns arguments into options and calls the pipeline in [`crate::run`],
//! [`crate::correlate`] and [`crate::output`]; the binary calls [`run()`] and maps its result to
//! an exit code: 0 done, 1 findings in check modes, 2 usage or input error.

use std::io::{self, IsTerminal, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, CommandFactory, Parser, Subcommand};
use clap_complete::Shell;
use regex::Regex;

use crate::check::{self, DropRow};
use crate::correlate::{self, Analysis, CorrelateOptions, Segment};
use crate::error::{Error, Result};
use crate::event::{Event, EventKind};
use crate::input::{InputSource, InputSpec, InputType};
use crate::output::table::ColorMode;
use crate::output::{self, Format, OutputOptions, Report, Rows};
use crate::parse::{DEFAULT_ROUTER, ParseOptions};
use crate::run::{self, InputReport, ReadOptions};
use crate::time::{self, MILLI, SECOND, Zone};

/// Attribute T3 Code WebSocket drops to the segment that broke: Cloudflare and its tunnel,
/// the cluster path (Traefik), t3-dispatch, the devvm host, the user's t3 serve, or the user's
/// own network.
///
/// Reads devvm journal exports (journalctl -o short, short-precise, short-iso,
/// short-iso-precise, short-unix, short-full, with-unit, cat, json, json-seq, json-sse or
/// export), Traefik access logs (CLF or JSON) and cloudflared logs, plain, gzip or zstd, from
/// files or stdin. It also reads the same lines wrapped by kubectl logs, container runtime
/// files, logcli, Loki API responses or Grafana downloads, and the probe's and devvm's
/// pressure metrics as Prometheus JSON or Grafana CSV. The type of each input is detected
/// from its content.
#[derive(Debug, Parser)]
#[command(name = "t3forensics", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One attributed row per WebSocket drop (the main job).
    Drops(DropsArgs),
    /// One row per mass-cancel burst: many clients dropping in the same second.
    Bursts(CommonArgs),
    /// One row per incident: drops that share a cause and a window, grouped.
    Incidents(CommonArgs),
    /// The normalised event stream, one row per event, for reading an incident.
    Timeline(CommonArgs),
    /// Show how one drop was attributed: the rules tried, which matched and why, and the
    /// evidence lines in full.
    #[command(mut_arg("format", |arg| arg
        .hide_possible_values(true)
        .help("Output format: table (text) or json, jsonl [default: from the --output file's \
               extension (.json, .jsonl or .ndjson, .txt for table), else table]; csv is rejected")))]
    Explain(ExplainArgs),
    /// Write a self-contained HTML incident report to --html FILE: a timeline of each source's
    /// coverage with drops, bursts and incidents, then the incidents and the drops with their
    /// evidence lines. With --output, the drops rows are written there too.
    Report(ReportArgs),
    /// Compare this run's drops with a saved `drops` output, for regression checks in CI.
    ///
    /// Runs the same analysis as `drops`, then pairs its rows with those of --expect by user
    /// and client IP, with times and durations at most 1 s apart. Prints one line per
    /// difference on stdout (`missing:`, `extra:`, `changed COLUMN:`) and a `check:` summary
    /// line. Every column but drop_id is compared. A change in the attribution is a
    /// difference: segment, rule, kind, cause, or burst membership, which is the set of other
    /// drops in the drop's burst. Burst ids are not compared, because they are renumbered when
    /// another drop appears. A change in dur_ms, reconnect_ms, confidence, reason, evidence,
    /// traefik_status, traefik_dur_ms, sources or incident membership is printed but counts
    /// only with --strict-fields. rule and kind are compared only against a JSON or JSON Lines
    /// file, since the CSV has no such columns. A column missing from the expected file is
    /// named once in a `not compared:` line and skipped, except that time, user, client_ip,
    /// segment and confidence are required. The rows of this run are written only with
    /// --output. Changes that do not count are printed after those that do. A failed check
    /// ends with the `drops` command that writes this run's rows into the --expect file as the
    /// new baseline.
    ///
    /// Exit status: 0 when nothing counted differs, 1 when something does (or a drop falls in a
    /// --fail-on segment), 2 for a usage error or an input that cannot be read.
    Check(CheckArgs),
    /// Print a shell completion script on stdout, for example
    /// `t3forensics completions bash > ~/.local/share/bash-completion/completions/t3forensics`.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff) on stdout, for example `t3forensics man | man -l -`.
    Man {
        /// Print the page of this subcommand instead of the overview.
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
    /// Print the journalctl, kubectl and logcli commands that export one time window in the
    /// forms this tool reads best (prints them, never runs them).
    ExportCommands(crate::export_commands::ExportArgs),
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The drop to explain, as printed in the drop_id column (D0003).
    #[arg(value_name = "DROP_ID")]
    pub drop_id: String,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `drops`: the shared ones and --fail-on.
#[derive(Debug, Args)]
pub struct DropsArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Exit with status 1 when a printed drop is attributed to one of these segments
    /// (comma-separated, repeatable). The rows are written all the same.
    #[arg(long, value_name = "SEGMENT[,SEGMENT]", value_delimiter = ',', value_parser = segment_parser())]
    pub fail_on: Vec<Segment>,
}

/// Options of `report`: the HTML file to write, and the shared options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write the HTML report to FILE (written whole, then renamed into place; a device or FIFO
    /// such as /dev/null is written directly). The file loads nothing from the network and runs
    /// no script.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `check`: the saved output to compare with, and every option of `drops`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A saved `drops` output to compare with: CSV, JSON or JSON Lines (detected from content).
    /// CSV written with or without --csv-raw reads the same.
    #[arg(long, value_name = "FILE")]
    pub expect: PathBuf,

    /// Count a change in any compared column as a difference, not only a change in the
    /// attribution (segment, rule, kind, cause, burst membership).
    #[arg(long)]
    pub strict_fields: bool,

    #[command(flatten)]
    pub drops: DropsArgs,
}

/// Accepts a segment name as `drops` writes it (`t3_serve`, `cluster_path`, ...).
fn segment_parser() -> impl TypedValueParser<Value = Segment> {
    PossibleValuesParser::new(Segment::ALL.map(Segment::as_str)).map(|name| {
        Segment::ALL
            .into_iter()
            .find(|segment| segment.as_str() == name)
            // The possible values above admit only the names of Segment::ALL.
            .unwrap_or(Segment::Unknown)
    })
}

/// Options shared by every subcommand.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Log files to read (plain, gzip or zstd). `-`, or no path while stdin is not a terminal, reads
    /// stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Output format [default: from the --output file's extension (.csv, .json, .jsonl or
    /// .ndjson, .txt for table), else csv when stdout is not a terminal and table when it is].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the rows to FILE instead of stdout (written whole, then renamed into place; a device
    /// or FIFO such as /dev/null is written directly). A name ending in .gz or .zst is
    /// written compressed, its format picked by the extension before it (drops.csv.gz).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Print only rows at or after this time: RFC 3339, or `YYYY-MM-DD HH:MM:SS` (UTC unless an
    /// offset is given; --tz does not apply here). Rows are compared at their printed
    /// millisecond. A drop or event row is selected by its own time; a burst or incident that
    /// reaches into the window is listed whole. Evidence may still come from just before it.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Print only rows at or before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Zone of timestamps that carry none (journal short modes, Go log prefixes), as an IANA
    /// name such as Europe/Berlin.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: String,

    /// Year of journal `short` lines, which carry none. It is the year of each such input's
    /// first line, its newest line in a newest-first (`journalctl -r`) export. Later lines
    /// follow across New Year [default: from dated lines in the inputs, such as the Go log
    /// prefix of dispatch lines, or journalctl's `-- Journal begins at …` line].
    #[arg(long, value_name = "YYYY", value_parser = parse_year, allow_hyphen_values = true)]
    pub year: Option<i32>,

    /// A socket that lived less than this many milliseconds is a drop.
    #[arg(long, value_name = "MS", default_value_t = 120_000, value_parser = parse_short_ms, allow_hyphen_values = true)]
    pub short_ms: u64,

    /// A socket of the same user and client starting this close to a close makes it a drop
    /// (a duration: 30s, 1500ms, 1m; a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub reconnect_window: i64,

    /// The minimum number of drops of distinct clients that make a burst (2 or more). N or more
    /// cancel lines (`proxy error: context canceled`) in one window also make a burst when the
    /// window contains drops of N-1 clients (2 at least), since a lost `ws close` line leaves a
    /// client out.
    /// Before the journal's first `ws` line, cancel lines alone make one.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = parse_burst_min, allow_hyphen_values = true)]
    pub burst_min: usize,

    /// The time within which a burst's drops fall: 1s means the same UTC second. A wider
    /// window slides and takes its fullest position, and keeps drops each less than a second
    /// after the one before in one burst, up to the window's length (a duration of at least
    /// 1s: 1s, 2s, 5m; a bare number is seconds). Shorter windows are rejected, because CLF
    /// and cancel lines carry whole seconds.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_burst_window, allow_hyphen_values = true)]
    pub burst_window: i64,

    /// devvm's clock minus the cluster's, in seconds (positive: devvm ahead), instead of
    /// measuring it from sockets seen by both dispatch and Traefik (which finds offsets up to
    /// 10 min). Accepts 1.5, 1.5s, -200ms, within 24 h either way.
    #[arg(long, value_name = "SECONDS", value_parser = parse_skew, allow_hyphen_values = true)]
    pub skew: Option<i64>,

    /// Evidence is looked for from this long before a drop (a duration: 30s, 1500ms, 1m; a
    /// bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub window_before: i64,

    /// Evidence is looked for until this long after a drop (a duration: 5s, 500ms; a bare
    /// number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub window_after: i64,

    /// Traefik ending a socket this much earlier than dispatch logs its close means devvm
    /// stalled (a duration above 0: 5s, 2500ms; a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_stall_lag, allow_hyphen_values = true)]
    pub stall_lag: i64,

    /// Git timeouts in the serves of this many users in one window mean devvm stalled (1 or
    /// more). With 1, one user's timeouts count, although a slow remote alone causes those.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = parse_git_timeout_users, allow_hyphen_values = true)]
    pub git_timeout_users: usize,

    /// A graceful close after this much socket life, with nothing else wrong, is the client's
    /// heartbeat timeout (a duration: 20s, 1m; a bare number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub heartbeat: i64,

    /// The shortest silence of the devvm journal or Traefik that counts as a gap (a duration:
    /// 30s, 1m; a bare number is seconds). A gap is also at least ten times the source's
    /// usual (median) spacing.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, allow_hyphen_values = true)]
    pub gap_min: i64,

    /// Drops with the same cause this close together form one incident (a duration: 2m, 90s;
    /// a bare number is seconds). A
    /// user's serve dying groups that user's drops, and a shared cause (dispatch, devvm,
    /// Cloudflare, the cluster path) groups every user's. last_mile and unknown drops share no
    /// known cause, so they group only within 5 s of each other, whatever this is.
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration, allow_hyphen_values = true)]
    pub incident_gap: i64,

    /// devvm's IO stall rate above which it is under IO pressure, in stalled seconds per
    /// second (read from node_pressure_io_stalled_seconds_total).
    #[arg(long, value_name = "RATE", default_value_t = 0.25, value_parser = parse_rate, allow_hyphen_values = true)]
    pub io_pressure: f64,

    /// devvm's memory stall rate above which it is under memory pressure, in stalled seconds
    /// per second (read from node_pressure_memory_stalled_seconds_total).
    #[arg(long, value_name = "RATE", default_value_t = 0.1, value_parser = parse_rate, allow_hyphen_values = true)]
    pub memory_pressure: f64,

    /// Force the type of inputs: TYPE for all of them, or TYPE:PATH for one (repeatable).
    /// Types: journal, journal-json, journal-export, traefik, cloudflared, kubectl (also CRI
    /// files), logcli-jsonl, logcli, loki-api, grafana-text, grafana-json, prometheus,
    /// grafana-csv. A forced input of which no line reads as that type (some malformed, none
    /// giving a time) exits 2.
    #[arg(long, value_name = "TYPE[:PATH]")]
    pub input_type: Vec<String>,

    /// Traefik routers whose `GET /ws` lines are t3 sockets (a regular expression).
    #[arg(long, value_name = "REGEX", default_value = DEFAULT_ROUTER)]
    pub router: String,

    /// The path of the browser WebSocket on those routers (starting with /).
    #[arg(long, value_name = "PATH", default_value = "/ws", value_parser = parse_ws_path)]
    pub ws_path: String,

    /// Read only the journal lines of this host (the name journalctl prints after the time,
    /// or `_HOSTNAME` in json and export, such as devvm), for inputs that hold several hosts'
    /// journals. Other hosts' lines are counted as ignored. Loki and Grafana journal lines
    /// name no host and are all read. [default: the host where t3-dispatch runs, when one
    /// host's lines include dispatch's. A file that mixes it with other hosts is read again
    /// for it alone, with a warning. Mixed stdin gets a warning only.]
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,

    /// The serve port of a user, USER=PORT (repeatable). Ports are also learned from dispatch
    /// close causes that name 127.0.0.1:PORT.
    #[arg(long, value_name = "USER=PORT", value_parser = parse_serve_port)]
    pub serve_port: Vec<(String, u16)>,

    /// Lines longer than this many bytes (1024 or more) are skipped and counted as malformed.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20, value_parser = parse_max_line_bytes, allow_hyphen_values = true)]
    pub max_line_bytes: usize,

    /// Threads used to read inputs, at most 1024; 0 or 1 reads on one thread [default: all
    /// cores].
    #[arg(long, value_name = "N", value_parser = parse_threads, allow_hyphen_values = true)]
    pub threads: Option<usize>,

    /// Leave CSV text cells that start with =, +, -, @, tab or CR as they are (by default they
    /// get a leading ' so a spreadsheet never evaluates log text).
    #[arg(long)]
    pub csv_raw: bool,

    /// Show a progress bar on stderr while reading: auto shows it when stderr is a terminal.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub progress: ProgressMode,

    /// Fail with exit status 2, writing no rows, when any line is malformed, an input ends
    /// early (a truncated gzip or zstd stream, a file truncated while it was read), or a gzip
    /// file has bytes after its last member, or when no input contains a log entry (only empty
    /// files or `-- No entries --`). The error names the first such file:line. An empty input
    /// among others only gets a warning.
    #[arg(long)]
    pub strict: bool,

    /// Do not print the summary on stderr. Warnings (an input that ended early or was empty, a
    /// doubtful clock offset) are still printed.
    #[arg(long, short)]
    pub quiet: bool,

    /// Colour `--format table` rows by segment: auto colours only when stdout is a terminal and
    /// NO_COLOR is unset or empty.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorMode::Auto)]
    pub color: ColorMode,

    /// The width `--format table` fits, in columns: the widest cells (reasons, texts) wrap
    /// onto more lines, none narrower than 24 columns. 0 never wraps. Default: the terminal's
    /// width when stdout is a terminal, else 0.
    #[arg(long, value_name = "COLUMNS")]
    pub table_width: Option<usize>,

    /// Show every column in a drops or incidents table: without it, `--format table` leaves
    /// out the drops' cause, reconnect_ms, traefik_status, traefik_dur_ms and sources
    /// (`--format csv` and `explain` show them) and the incidents' end, clients and drop_ids.
    /// The drops' evidence column is never in a table.
    #[arg(long)]
    pub wide: bool,
}

/// When to show the progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// Show it when stderr is a terminal and --quiet is not given.
    Auto,
    /// Show it even when stderr is a file or a pipe.
    Always,
    /// Never show it.
    Never,
}

/// Parses a whole number of at least `min`, or returns `too_few` for a smaller one.
fn parse_count(text: &str, min: usize, too_few: &str) -> std::result::Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(count) if count >= min => Ok(count),
        Ok(count) => Err(format!("{count} {too_few}")),
        Err(_) => Err(format!(
            "`{text}` is not a whole number {min} or more, such as {}",
            min.max(2)
        )),
    }
}

/// Parses `--year`: a year from 1970 to 9999.
fn parse_year(text: &str) -> std::result::Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(year) if (1970..=9999).contains(&year) => Ok(year),
        _ => Err(format!(
            "`{text}` is not a year from 1970 to 9999; give the year of the journal's first \
             line, such as 2026"
        )),
    }
}

/// Parses `--threads`: a whole number from 0 to 1024.
fn parse_threads(text: &str) -> std::result::Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(threads) if threads <= 1024 => Ok(threads),
        _ => Err(format!(
            "`{text}` is not a thread count from 0 to 1024; give one such as 2, or leave \
             --threads out to use every core"
        )),
    }
}

/// Parses `--short-ms`: whole milliseconds, 0 to 365 days.
fn parse_short_ms(text: &str) -> std::result::Result<u64, String> {
    let max = (MAX_DURATION / MILLI) as u64;
    let digits = text.trim();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match digits.parse::<u64>() {
            Ok(ms) if ms <= max => Ok(ms),
            _ => Err(format!(
                "`{text}` is too large; give at most {max} (365 days)"
            )),
        };
    }
    Err(format!(
        "`{text}` is not a whole number of milliseconds 0 or more, such as 120000"
    ))
}

/// Parses `--max-line-bytes`: a byte count of 1024 or more.
fn parse_max_line_bytes(text: &str) -> std::result::Result<usize, String> {
    parse_count(text, 1024, "bytes is too few: give 1024 or more")
}

/// Parses `--ws-path`: a request path, which starts with `/` as in a Traefik request line.
fn parse_ws_path(text: &str) -> std::result::Result<String, String> {
    if text.starts_with('/') && !text.contains(char::is_whitespace) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is no request path; give the path as Traefik logs it, starting with /, \
             such as /ws"
        ))
    }
}

/// Parses `--burst-min`: a count of 2 or more, since one drop alone is no burst.
fn parse_burst_min(text: &str) -> std::result::Result<usize, String> {
    parse_count(
        text,
        2,
        "is too few: a burst is 2 or more clients dropping together",
    )
}

/// Parses `--stall-lag`: a duration above 0. Traefik's end and dispatch's close of one socket
/// often fall in the same instant, so a lag of 0 would read every socket as a devvm stall.
fn parse_stall_lag(text: &str) -> std::result::Result<i64, String> {
    match parse_duration(text)? {
        0 => Err(
            "0 would read every socket as a devvm stall; give a duration above 0, such as 5s"
                .to_string(),
        ),
        lag => Ok(lag),
    }
}

/// Parses `--burst-window`: a duration of 1 s or more. Bursts are counted in whole UTC
/// seconds, because Traefik's CLF lines and the proxy's cancel lines carry whole-second times,
/// so a shorter window cannot be applied.
fn parse_burst_window(text: &str) -> std::result::Result<i64, String> {
    // A negative value gets the same message as a short one, because parse_duration's
    // "zero or more" would suggest that 0 is valid here.
    let window = if text.trim().starts_with('-') {
        0
    } else {
        parse_duration(text)?
    };
    match window {
        window if window < SECOND => Err(format!(
            "`{}` is shorter than 1s; bursts are counted in whole seconds, because Traefik's \
             CLF lines and the proxy's cancel lines carry whole-second times, so give 1s (the \
             same UTC second) or more",
            text.trim()
        )),
        window => Ok(window),
    }
}

/// Parses `--git-timeout-users`: a count of 1 or more.
fn parse_git_timeout_users(text: &str) -> std::result::Result<usize, String> {
    parse_count(
        text,
        1,
        "users would read every window as a devvm stall; give 1 or more",
    )
}

/// Parses a duration: `30s`, `1500ms`, `2m`, `1h`, or a bare number of seconds. Returns
/// microseconds.
pub fn parse_duration(text: &str) -> std::result::Result<i64, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number.trim().parse().map_err(|_| {
        format!("invalid duration `{text}`; expected a number with a unit, such as 30s or 1500ms")
    })?;
    let scale = match unit {
        "us" | "µs" => 1.0,
        "ms" => MILLI as f64,
        "s" => SECOND as f64,
        "m" | "min" => 60.0 * SECOND as f64,
        "h" => 3600.0 * SECOND as f64,
        _ => {
            return Err(format!(
                "invalid duration unit `{unit}` in `{text}`; use ms, s, m or h"
            ));
        }
    };
    if !value.is_finite() || value < 0.0 {
        return Err(format!(
            "invalid duration `{text}`; it must be zero or more"
        ));
    }
    let micros = value * scale;
    if micros > MAX_DURATION as f64 {
        return Err(format!(
            "invalid duration `{text}`; it must be at most 365 days"
        ));
    }
    Ok(micros.round() as i64)
}

/// The maximum duration an option takes: far beyond any log window, and small enough that
/// adding it to a time cannot overflow.
const MAX_DURATION: i64 = 365 * 24 * 3600 * SECOND;

/// The maximum `--skew`. A clock that far off is a time-zone or date mistake, which `--tz`
/// and `--year` fix, not a skew.
const MAX_SKEW: i64 = 24 * 3600 * SECOND;

/// Parses `--skew`: seconds, possibly negative, with an optional unit.
fn parse_skew(text: &str) -> std::result::Result<i64, String> {
    let (negative, rest) = match text.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim().trim_start_matches('+')),
    };
    let too_large = || {
        format!(
            "invalid --skew `{text}`; it must be within 24 h, and a larger offset is a time-zone \
             or date mistake: set --tz or --year instead"
        )
    };
    let micros = parse_duration(rest).map_err(|error| {
        if error.contains("at most") {
            too_large()
        } else {
            format!("invalid --skew `{text}`; expected seconds such as 1.5 or -2, or a duration such as 1500ms")
        }
    })?;
    if micros > MAX_SKEW {
        return Err(too_large());
    }
    Ok(if negative { -micros } else { micros })
}

/// Parses a stall rate of `--io-pressure` or `--memory-pressure`: stalled seconds per second,
/// above 0 and at most 1, since a stall cannot last longer than the time it is measured over.
fn parse_rate(text: &str) -> std::result::Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate > 0.0 && rate <= 1.0 => Ok(rate),
        _ => Err(format!(
            "invalid rate `{text}`; expected stalled seconds per second, above 0 and at most 1, \
             such as 0.25"
        )),
    }
}

fn parse_serve_port(text: &str) -> std::result::Result<(String, u16), String> {
    let (user, port) = text.split_once('=').ok_or_else(|| {
        format!("invalid --serve-port `{text}`; expected USER=PORT, such as bob=3774")
    })?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|port| *port > 0)
        .ok_or_else(|| format!("invalid port in --serve-port `{text}`; expected 1 to 65535"))?;
    if crate::parse::user_name_len(user.as_bytes()) != user.len() || user.is_empty() {
        return Err(format!(
            "invalid user in --serve-port `{text}`; expected a user name such as bob"
        ));
    }
    Ok((user.to_string(), port))
}

/// Returns the inputs of a run, with `--input-type` applied.
fn input_specs(args: &CommonArgs) -> Result<Vec<InputSpec>> {
    let mut all_type = None;
    let mut per_path: Vec<(String, InputType)> = Vec::new();
    for value in &args.input_type {
        match value.split_once(':') {
            Some((kind, path)) => {
                per_path.push((path.to_string(), kind.parse().map_err(Error::Usage)?))
            }
            None => all_type = Some(value.parse::<InputType>().map_err(Error::Usage)?),
        }
    }
    let mut names = args.inputs.clone();
    if names.is_empty() {
        if io::stdin().is_terminal() {
            return Err(Error::Usage(
                "no input: pass log files, or pipe one in (journalctl -o short-iso | t3forensics drops)".to_string(),
            ));
        }
        names.push("-".to_string());
    }
    if names.iter().filter(|n| *n == "-").count() > 1 {
        return Err(Error::Usage(
            "stdin (`-`) can be read only once".to_string(),
        ));
    }
    if let Some((path, _)) = per_path.iter().find(|(path, _)| !names.contains(path)) {
        return Err(Error::Usage(format!(
            "--input-type names `{path}`, which is not among the inputs; give the path exactly as \
             it is passed as an input"
        )));
    }
    Ok(names
        .into_iter()
        .map(|name| {
            let forced = per_path
                .iter()
                .find(|(p, _)| *p == name)
                .map(|(_, t)| *t)
                .or(all_type);
            let source = if name == "-" {
                InputSource::Stdin
            } else {
                InputSource::Path(PathBuf::from(&name))
            };
            InputSpec {
                source,
                forced_type: forced,
            }
        })
        .collect())
}

/// Rejects an output path that names an input, since writing it would replace the log being
/// read, and two outputs that name one file, since one would overwrite the other.
fn check_output_paths(specs: &[InputSpec], outputs: &[(&str, &Path)]) -> Result<()> {
    for (index, (flag, path)) in outputs.iter().enumerate() {
        let input = specs.iter().find(|spec| match &spec.source {
            InputSource::Path(input) => same_file(input, path),
            InputSource::Stdin => false,
        });
        if let Some(input) = input {
            return Err(Error::Usage(format!(
                "{flag} {} is also an input ({}); writing it would replace the log being read, \
                 so give another path",
                path.display(),
                input.name()
            )));
        }
        if let Some((other, _)) = outputs[..index]
            .iter()
            .find(|(_, other)| same_file(other, path))
        {
            return Err(Error::Usage(format!(
                "{flag} and {other} both name {}; give them different paths",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Tells whether two paths name one file: the same file when both exist, else the same
/// absolute path once links are followed (a link may name a file still to be written).
fn same_file(a: &Path, b: &Path) -> bool {
    match (crate::run::file_identity(a), crate::run::file_identity(b)) {
        (Some(a), Some(b)) => a == b,
        _ => {
            let (a, b) = (
                output::file::resolve_links(a),
                output::file::resolve_links(b),
            );
            match (std::path::absolute(&a), std::path::absolute(&b)) {
                (Ok(a), Ok(b)) => a == b,
                _ => a == b,
            }
        }
    }
}

/// Runs one command. Returns the exit code for a run that completed.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Drops(args) => run_drops(&args),
        Command::Bursts(args) => write_command(&args, Rows::Bursts).map(|_| 0),
        Command::Incidents(args) => write_command(&args, Rows::Incidents).map(|_| 0),
        Command::Timeline(args) => write_command(&args, Rows::Timeline).map(|_| 0),
        Command::Explain(args) => run_explain(&args),
        Command::Check(args) => run_check(&args),
        Command::Report(args) => {
            let mut outputs = vec![("--html", args.html.as_path())];
            if let Some(output) = &args.common.output {
                outputs.push(("--output", output.as_path()));
            }
            check_output_paths(&input_specs(&args.common)?, &outputs)?;
            let analyzed = analyze(&args.common)?;
            let report = analyzed.report(Rows::Drops);
            output::html::write_file(&args.html, &report).map_err(|source| Error::Write {
                path: args.html.display().to_string(),
                source,
            })?;
            let common = &args.common;
            if common.output.is_some() {
                let options = output_options(common, false);
                write_rows(&common.output, &report, Rows::Drops, &options)?;
            }
            let mut stderr = io::stderr().lock();
            if !common.quiet {
                let _ = output::summary::write_summary(&mut stderr, &report);
                let _ = writeln!(stderr, "  report: {}", args.html.display());
            } else {
                let _ = output::summary::write_warnings(&mut stderr, &report);
            }
            Ok(0)
        }
        Command::Completions { shell } => print_completions(shell).map(|_| 0),
        Command::Man { command } => print_man(command.as_deref()).map(|_| 0),
        Command::ExportCommands(export) => crate::export_commands::run(&export),
    }
}

/// Prints the completion script of `shell`, generated from the same definitions as `--help`.
fn print_completions(shell: Shell) -> Result<()> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "t3forensics", &mut script);
    write_stdout(&script)
}

/// Prints the manual page of the tool, or of one subcommand, as roff.
fn print_man(subcommand: Option<&str>) -> Result<()> {
    let mut command = Cli::command();
    // Building gives subcommands their full names (`t3forensics-drops`) for their pages.
    command.build();
    if let Some(name) = subcommand {
        command = command.find_subcommand(name).cloned().ok_or_else(|| {
            let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
            Error::Usage(format!(
                "invalid command `{name}` for `man`; use one of: {}",
                names.join(", ")
            ))
        })?;
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|source| Error::Write {
            path: "<stdout>".to_string(),
            source,
        })?;
    write_stdout(&page)
}

/// An analysis with the input reports and the `--since`/`--until` window it is printed with.
pub struct Analyzed {
    pub analysis: Analysis,
    pub inputs: Vec<InputReport>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Analyzed {
    /// Selects the rows to print: those inside the window, and for the timeline the events in
    /// time order.
    pub fn report(&self, rows: Rows) -> Report<'_> {
        // Times are compared as printed, to the millisecond, so a row's own printed time given
        // as --until (or --since) selects it.
        let printed = |t: i64| t.div_euclid(MILLI) * MILLI;
        let in_range = |t: i64| {
            let t = printed(t);
            self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
        };
        // A burst or incident that reaches into the window is selected whole, so every burst
        // and incident id a selected drop names has its row.
        let overlaps = |start: i64, end: i64| {
            self.since.is_none_or(|s| printed(end) >= s)
                && self.until.is_none_or(|u| printed(start) <= u)
        };
        let analysis = &self.analysis;
        Report {
            analysis,
            inputs: &self.inputs,
            drops: analysis.drops.iter().filter(|d| in_range(d.time)).collect(),
            bursts: analysis
                .bursts
                .iter()
                .filter(|b| overlaps(b.start, b.end))
                .collect(),
            incidents: analysis
                .incidents
                .iter()
                .filter(|i| overlaps(i.start, i.end))
                .collect(),
            events: if rows == Rows::Timeline {
                let mut events: Vec<_> = analysis
                    .events
                    .iter()
                    .filter(|e| in_range(e.time) && !is_silence_without_gap(e, analysis))
                    .collect();
                events.sort_by_key(|e| (e.time, e.origin));
                events
            } else {
                Vec::new()
            },
            since: self.since,
            until: self.until,
        }
    }
}

/// Tells whether `text` has the shape of a drop id: `D` and digits (`D0003`, any case).
fn is_drop_id(text: &str) -> bool {
    text.strip_prefix(['D', 'd'])
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Tells whether an event marks the edge of a journal silence that the coverage found no gap
/// in. The parser marks every silence of `--gap-min` or more, but a sparse journal (one unit's
/// export) is silent between most of its lines, and those silences are no freeze. A gap's edge
/// line lies within a second of its ends, because the coverage counts whole seconds.
fn is_silence_without_gap(event: &Event, analysis: &Analysis) -> bool {
    let EventKind::JournalSilence { after, .. } = event.kind else {
        return false;
    };
    let gaps = analysis
        .coverage
        .journal
        .as_ref()
        .map_or(&[][..], |journal| journal.gaps.as_slice());
    !gaps.iter().any(|&(start, end)| {
        let edge = if after { end } else { start };
        (event.time - edge).abs() <= SECOND
    })
}

/// Reads the inputs and runs the analysis with the options of `args`.
pub fn analyze(args: &CommonArgs) -> Result<Analyzed> {
    let zone = Zone::parse(&args.tz).ok_or_else(|| {
        Error::Usage(format!(
            "invalid --tz `{}`; use an IANA zone name such as Europe/Berlin, or UTC",
            args.tz
        ))
    })?;
    let router = Regex::new(&args.router)
        .map_err(|e| Error::Usage(format!("invalid --router regular expression: {e}")))?;
    let since = bound(&args.since, "--since")?;
    let until = bound(&args.until, "--until")?;
    if let (Some(from), Some(to)) = (since, until)
        && from > to
    {
        return Err(Error::Usage(format!(
            "--since {} is after --until {}; swap them",
            args.since.as_deref().unwrap_or_default(),
            args.until.as_deref().unwrap_or_default()
        )));
    }
    let specs = input_specs(args)?;
    if let Some(output) = &args.output {
        check_output_paths(&specs, &[("--output", output)])?;
    }

    let read_options = ReadOptions {
        parse: ParseOptions {
            zone,
            year: args.year,
            router,
            ws_path: args.ws_path.clone(),
            metrics: crate::parse::metrics::MetricOptions {
                io_pressure: args.io_pressure,
                memory_pressure: args.memory_pressure,
            },
            host: args.host.clone(),
            silence_min: args.gap_min,
        },
        max_line_bytes: args.max_line_bytes.max(64),
        progress: match args.progress {
            ProgressMode::Always => Some(true),
            ProgressMode::Never => None,
            ProgressMode::Auto => (io::stderr().is_terminal() && !args.quiet).then_some(false),
        },
        ..ReadOptions::default()
    };
    let mut options = CorrelateOptions::with_defaults();
    options.drops.short_ms = args.short_ms;
    options.drops.reconnect_window = args.reconnect_window;
    options.burst_min = args.burst_min;
    options.burst_window = args.burst_window;
    options.join.skew = args.skew;
    options.zone = zone;
    options.rules.window_before = args.window_before;
    options.rules.window_after = args.window_after;
    options.rules.stall_lag = args.stall_lag;
    options.rules.git_timeout_users = args.git_timeout_users;
    options.rules.heartbeat_ms = (args.heartbeat / MILLI) as u64;
    options.coverage.gap_min = args.gap_min;
    options.incidents.serve_gap = args.incident_gap;
    options.incidents.shared_gap = args.incident_gap;
    options.serve_ports = args
        .serve_port
        .iter()
        .map(|(u, p)| (Box::from(u.as_str()), *p))
        .collect();

    let mut parsed = match args.threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
            .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?
            .install(|| run::read_inputs(&specs, &read_options))?,
        None => run::read_inputs(&specs, &read_options)?,
    };
    // A mistyped --host reads no journal line; in CI, --fail-on would then pass.
    if let Some(host) = &args.host {
        let hosts = &parsed.journal_hosts.0;
        if !hosts.is_empty() && !hosts.iter().any(|h| &*h.host == host) {
            let names: Vec<&str> = hosts.iter().map(|h| &*h.host).collect();
            return Err(Error::Usage(format!(
                "no journal line is from host `{host}` (--host); the journal's hosts are {}",
                names.join(", ")
            )));
        }
    }
    if args.strict {
        run::check_strict(&parsed.inputs)?;
    }
    warn_if_window_misses(&mut parsed, since, until);
    warn_if_stdin_unread(&mut parsed, &specs);
    let inputs = parsed.inputs.clone();
    let analysis = correlate::analyze(parsed, &options);
    // Rows on one side of an uncorrected step compare devvm's lines with the cluster's of
    // another moment, which --strict does not accept.
    if args.strict
        && let Some(step) = &analysis.offset.step
        && step.corrected.is_none()
    {
        let name = crate::run::input_name(&inputs, step.line.input);
        return Err(Error::StrictClockStep {
            name: name.to_string(),
            line: step.line.line(),
            reason: step.warning(name),
        });
    }
    Ok(Analyzed {
        analysis,
        inputs,
        since,
        until,
    })
}

/// Warns when stdin is a pipe with data waiting in it that no input names: `journalctl … |
/// t3forensics drops traefik.log` reads only the file, and the journal piped in would be lost
/// without a word. A redirected file is left alone, because `while read f; do …; done < list`
/// gives every run in the loop its list as stdin.
///
/// NOTE: a pipe whose writer has not written yet when the reading ends does not warn, and a
/// loop reading its list from a pipe warns in its first runs.
fn warn_if_stdin_unread(parsed: &mut run::ParsedInputs, specs: &[InputSpec]) {
    use std::os::unix::fs::FileTypeExt;
    if specs
        .iter()
        .any(|spec| matches!(spec.source, InputSource::Stdin))
    {
        return;
    }
    let Ok(metadata) = io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|file| file.metadata())
    else {
        return;
    };
    // Job runners often leave stdin an empty pipe, so a pipe counts only with bytes waiting in
    // it: by now the files are read, and a journal piped in has filled the pipe's buffer.
    if metadata.file_type().is_fifo() {
        let stdin = io::stdin();
        let mut waiting = [rustix::event::PollFd::new(
            &stdin,
            rustix::event::PollFlags::IN,
        )];
        let now = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let ready = rustix::event::poll(&mut waiting, Some(&now)).unwrap_or(0);
        if ready == 0 || !waiting[0].revents().contains(rustix::event::PollFlags::IN) {
            return;
        }
    } else {
        return;
    }
    if let Some(input) = parsed.inputs.first_mut() {
        input.warnings.push(
            "stdin is a pipe with data in it, but no input is `-`, so it was not read; if it \
             holds logs, add `-` to the inputs (journalctl ... | t3forensics drops - traefik.log)"
                .to_string(),
        );
    }
}

/// Warns when `--since`/`--until` select a window that no input reaches: no row can fall in
/// it, and a mistyped date is the likely cause.
fn warn_if_window_misses(parsed: &mut run::ParsedInputs, since: Option<i64>, until: Option<i64>) {
    let tracks = || parsed.activity.tracks.values();
    let (Some(first), Some(last)) = (
        tracks().map(|t| t.first).min(),
        tracks().map(|t| t.last).max(),
    ) else {
        return;
    };
    let misses = since.is_some_and(|s| s > last) || until.is_some_and(|u| u < first);
    if !misses {
        return;
    }
    let bound = |t: Option<i64>| t.map_or("…".to_string(), time::format_seconds);
    let warning = format!(
        "the --since/--until window ({} to {}) lies outside the inputs, which span {} to {}: \
         no row can fall in it",
        bound(since),
        bound(until),
        time::format_seconds(first),
        time::format_seconds(last)
    );
    if let Some(input) = parsed.inputs.first_mut() {
        input.warnings.push(warning);
    }
}

/// Prints how one drop was attributed: text, or JSON with `--format json` or `jsonl`, to
/// stdout or `--output`.
fn run_explain(args: &ExplainArgs) -> Result<i32> {
    // A forgotten drop id makes the first log file the id, so reject it before reading.
    let id = &args.drop_id;
    if !is_drop_id(id) {
        return Err(Error::Usage(format!(
            "`{id}` is not a drop id; give the drop id first, as printed in the drop_id column: \
             `t3forensics explain D0003 FILE...`"
        )));
    }
    // As for the other commands, the --output file's extension sets the format when --format
    // is not given.
    let format = args
        .common
        .format
        .or_else(|| args.common.output.as_deref().and_then(format_of_path));
    let json = match format {
        None | Some(Format::Table) => false,
        Some(Format::Json | Format::Jsonl) => true,
        Some(Format::Csv) => {
            return Err(Error::Usage(
                "explain writes text or JSON, not CSV; use --format json or --format table, \
                 or an --output file ending in .json or .txt"
                    .to_string(),
            ));
        }
    };
    let analyzed = analyze(&args.common)?;
    let analysis = &analyzed.analysis;
    let Some(index) = analysis
        .drops
        .iter()
        .position(|d| d.id.eq_ignore_ascii_case(id))
    else {
        let found = match analysis.drops.len() {
            0 => "they hold no drops".to_string(),
            1 => "1 drop, D0001".to_string(),
            n => format!("{n} drops, D0001 to D{n:04}"),
        };
        return Err(Error::Usage(format!(
            "no drop {id} in these inputs ({found}); run `drops` with the same inputs and \
             options to list them"
        )));
    };
    let report = analyzed.report(Rows::Drops);
    let write = |out: &mut dyn io::Write| -> io::Result<()> {
        if json {
            let value = output::explain::explanation_json(&report, index);
            match format {
                Some(Format::Jsonl) => serde_json::to_writer(&mut *out, &value)?,
                _ => serde_json::to_writer_pretty(&mut *out, &value)?,
            }
            writeln!(out)
        } else {
            output::explain::write_explanation(out, analysis, &analyzed.inputs, index)
        }
    };
    let (path, result) = match &args.common.output {
        Some(path) => (
            path.display().to_string(),
            output::file::write_file(path, write),
        ),
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let result = write(&mut out).and_then(|_| out.flush());
            ("<stdout>".to_string(), result)
        }
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Write { path, source: e }),
        _ => Ok(0),
    }
}

/// Runs the analysis and writes its rows to stdout or --output, with the summary on stderr.
fn write_command(args: &CommonArgs, rows: Rows) -> Result<Analyzed> {
    let analyzed = analyze(args)?;
    let report = analyzed.report(rows);

    let stdout_terminal = io::stdout().is_terminal() && args.output.is_none();
    write_rows(
        &args.output,
        &report,
        rows,
        &output_options(args, stdout_terminal),
    )?;

    // The summary goes to stderr when the rows do not go to a terminal (a pipe or --output).
    // Its warnings go there in every case: an input that ended early changes what the rows
    // mean.
    let stderr = io::stderr();
    if !args.quiet && !stdout_terminal {
        let _ = output::summary::write_summary(&mut stderr.lock(), &report);
    } else {
        let _ = output::summary::write_warnings(&mut stderr.lock(), &report);
    }
    Ok(analyzed)
}

fn output_options(args: &CommonArgs, stdout_terminal: bool) -> OutputOptions {
    let from_extension = args.output.as_deref().and_then(format_of_path);
    // A path such as `drops.xyz` gets CSV with a warning. A path with no extension
    // (`/dev/null`) gets CSV silently.
    if let Some(path) = args.output.as_deref()
        && args.format.is_none()
        && from_extension.is_none()
        && path.extension().is_some()
    {
        // `.bz2`, `.xz` and the like are compressions this tool does not write.
        let uncompressed = match path.extension().and_then(|e| e.to_str()) {
            Some("bz2" | "xz" | "lz4" | "lzma" | "zip" | "br") => " uncompressed",
            _ => "",
        };
        eprintln!(
            "t3forensics: warning: {}: its extension names no output format, so CSV is \
             written{uncompressed}; use .csv, .json, .jsonl, .ndjson or .txt (with .gz or .zst to \
             compress), or pass --format",
            path.display()
        );
    }
    let format = args
        .format
        .or(from_extension)
        .unwrap_or(if stdout_terminal {
            Format::Table
        } else {
            Format::Csv
        });
    // A table on a terminal fits its width. One written to a file or a pipe is left whole
    // unless --table-width sets a width.
    let table_width = match args.table_width {
        Some(0) => None,
        Some(columns) => Some(columns),
        None if stdout_terminal => {
            terminal_size::terminal_size().map(|(terminal_size::Width(columns), _)| columns.into())
        }
        None => None,
    };
    OutputOptions {
        format,
        csv_raw: args.csv_raw,
        color: args.color.enabled(stdout_terminal),
        table_width,
        wide: args.wide,
    }
}

/// Returns the format an output file's extension names, so `--output drops.json` writes JSON.
fn format_of_path(path: &std::path::Path) -> Option<Format> {
    // `drops.csv.gz` is a CSV file, written compressed.
    let path = if crate::output::file::compression_of(path).is_some() {
        std::path::Path::new(path.file_stem()?)
    } else {
        path
    };
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "csv" => Some(Format::Csv),
        "json" => Some(Format::Json),
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        "txt" => Some(Format::Table),
        _ => None,
    }
}

fn run_drops(args: &DropsArgs) -> Result<i32> {
    let analyzed = write_command(&args.common, Rows::Drops)?;
    let report = analyzed.report(Rows::Drops);
    Ok(fail_on_code(&report, args))
}

/// Returns 1 when a printed drop falls in a --fail-on segment, and names those drops on
/// stderr even with --quiet, since that line explains the exit status.
fn fail_on_code(report: &Report, args: &DropsArgs) -> i32 {
    let hits: Vec<String> = report
        .drops
        .iter()
        .filter(|d| args.fail_on.contains(&d.segment))
        .map(|d| format!("{} {}", d.id, d.segment.as_str()))
        .collect();
    if hits.is_empty() {
        return 0;
    }
    eprintln!(
        "t3forensics: {} drop(s) in --fail-on segments: {}",
        hits.len(),
        hits.join(", ")
    );
    1
}

/// Runs `check`: the expected file is read first so a bad path fails before the analysis.
fn run_check(args: &CheckArgs) -> Result<i32> {
    // check prints its differences as text; --format only shapes the rows of --output.
    let common = &args.drops.common;
    if common.format.is_some() && common.output.is_none() {
        return Err(Error::Usage(
            "check prints its differences as text; --format sets the format of this run's \
             drops written with --output FILE, so give --output with it or leave --format out"
                .to_string(),
        ));
    }
    let expected_text = check::read_expected_text(&args.expect)?;
    let expected_name = args.expect.display().to_string();
    let expected = check::parse_expected(&expected_name, &expected_text)?;
    // An empty file is what `drops --format jsonl` writes when it finds no drop, but also what
    // a failed redirect leaves behind, so it is read as no drops with a warning. The warning
    // shows even with --quiet, since it questions the comparison itself.
    if expected_text.trim().is_empty() {
        eprintln!(
            "t3forensics: warning: {expected_name} is empty, so it is read as no drops (what \
             `drops --format jsonl` writes when it finds none); if it should hold drops, save \
             them again with `t3forensics drops --output {expected_name} ...`"
        );
    }
    let analyzed = analyze(common)?;
    let report = analyzed.report(Rows::Drops);

    if common.output.is_some() {
        write_rows(
            &common.output,
            &report,
            Rows::Drops,
            &output_options(common, false),
        )?;
    }
    let stderr = io::stderr();
    if !common.quiet {
        let _ = output::summary::write_summary(&mut stderr.lock(), &report);
    } else {
        let _ = output::summary::write_warnings(&mut stderr.lock(), &report);
    }

    let actual: Vec<DropRow> = report
        .drops
        .iter()
        .map(|d| DropRow::from_drop(d, &analyzed.analysis, &analyzed.inputs))
        .collect();
    let comparison = check::compare(&expected, &actual);
    let mut out = Vec::new();
    let tally = comparison
        .write(&mut out, args.strict_fields)
        .map_err(|source| Error::Write {
            path: "<stdout>".to_string(),
            source,
        })?;
    if tally.failed() {
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let format = check::expected_format(&expected_text);
        let accept = check::accept_line(&Cli::command(), &args, &expected_name, format);
        out.extend_from_slice(accept.as_bytes());
        out.push(b'\n');
    }
    write_stdout(&out)?;

    let fail_on = fail_on_code(&report, &args.drops);
    Ok(if tally.failed() { 1 } else { fail_on })
}

/// Writes `bytes` to stdout. A closed stdout (`| head`) ends the run quietly.
fn write_stdout(bytes: &[u8]) -> Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(Error::Write {
            path: "<stdout>".to_string(),
            source,
        }),
        Ok(()) => Ok(()),
    }
}

fn bound(value: &Option<String>, flag: &str) -> Result<Option<i64>> {
    match value {
        None => Ok(None),
        Some(text) => time::parse_bound(text).map(Some).ok_or_else(|| {
            Error::Usage(format!("invalid {flag} `{text}`; use RFC 3339 (2026-06-10T19:00:00Z) or `2026-06-10 19:00:00`"))
        }),
    }
}

/// Writes rows to stdout, or to `--output` through [`output::file::write_file`], so a failed run
/// never leaves half a report. A closed stdout (`| head`) ends the run quietly.
fn write_rows(
    path: &Option<PathBuf>,
    report: &Report,
    rows: Rows,
    options: &OutputOptions,
) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let result = output::write(&mut out, report, rows, options).and_then(|_| out.flush());
            match result {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(Error::Write {
                    path: "<stdout>".to_string(),
                    source: e,
                }),
                Ok(()) => Ok(()),
            }
        }
        Some(path) => {
            output::file::write_file(path, |out| output::write(out, report, rows, options)).map_err(
                |source| Error::Write {
                    path: path.display().to_string(),
                    source,
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(30 * SECOND));
        assert_eq!(parse_duration("1500ms"), Ok(1_500_000));
        assert_eq!(parse_duration("2m"), Ok(120 * SECOND));
        assert_eq!(parse_duration("30"), Ok(30 * SECOND));
        assert_eq!(parse_duration("0.5s"), Ok(500_000));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3d").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn burst_window_limits() {
        assert_eq!(parse_burst_window("1s"), Ok(SECOND));
        assert_eq!(parse_burst_window("1500ms"), Ok(1500 * MILLI));
        assert_eq!(parse_burst_window("5m"), Ok(300 * SECOND));
        for short in ["0", "0s", "100ms", "999ms", "0.5", "-1", "-2s"] {
            let error = parse_burst_window(short).unwrap_err();
            assert!(error.contains("shorter than 1s"), "{short}: {error}");
        }
        assert!(parse_burst_window("soon").is_err());
    }

    #[test]
    fn stall_lag_and_git_users_limits() {
        assert_eq!(parse_stall_lag("5s"), Ok(5 * SECOND));
        assert_eq!(parse_stall_lag("200ms"), Ok(200 * MILLI));
        assert!(parse_stall_lag("0").is_err());
        assert!(parse_stall_lag("0ms").is_err());
        assert_eq!(parse_git_timeout_users("1"), Ok(1));
        assert_eq!(parse_git_timeout_users(" 4 "), Ok(4));
        assert!(parse_git_timeout_users("0").is_err());
        assert!(parse_git_timeout_users("two").is_err());
    }

    #[test]
    fn skews() {
        assert_eq!(parse_skew("1.5"), Ok(1_500_000));
        assert_eq!(parse_skew("-200ms"), Ok(-200_000));
        assert_eq!(parse_skew("+2s"), Ok(2 * SECOND));
    }

    #[test]
    fn serve_ports() {
        assert_eq!(parse_serve_port("bob=3774"), Ok(("bob".to_string(), 3774)));
        assert!(parse_serve_port("bob").is_err());
        assert!(parse_serve_port("bob=99999").is_err());
        assert!(parse_serve_port("bob=0").is_err());
        assert!(parse_serve_port("=3773").is_err());
        assert!(parse_serve_port("bob smith=3773").is_err());
    }

    #[test]
    fn bounds_of_numbers() {
        assert!(parse_skew("9223372036854775807").is_err());
        assert!(parse_skew("100000000000").is_err());
        assert!(parse_skew("-25h").is_err());
        assert_eq!(parse_skew("-24h"), Ok(-24 * 3600 * SECOND));
        assert!(parse_duration("400d").is_err());
        assert!(parse_duration("9000h").is_err());
        assert_eq!(parse_rate("0.25"), Ok(0.25));
        assert!(parse_rate("nan").is_err());
        assert!(parse_rate("inf").is_err());
        assert!(parse_rate("-0.1").is_err());
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("101").is_err());
        assert_eq!(parse_rate("1"), Ok(1.0));
    }

    #[test]
    fn short_ms_ws_path_and_line_limit() {
        assert_eq!(parse_short_ms("120000"), Ok(120_000));
        assert!(parse_short_ms("1.5").is_err());
        assert!(parse_short_ms("-1").is_err());
        assert!(parse_short_ms("2m").is_err());
        let too_long = parse_short_ms("99999999999999999999").unwrap_err();
        assert!(too_long.contains("too large"), "{too_long}");
        assert_eq!(parse_short_ms("31536000000"), Ok(31_536_000_000));
        assert!(parse_short_ms("31536000001").is_err());
        assert_eq!(parse_ws_path("/ws"), Ok("/ws".to_string()));
        assert!(parse_ws_path("ws").is_err());
        assert!(parse_ws_path("").is_err());
        assert!(parse_ws_path("/w s").is_err());
        assert_eq!(parse_max_line_bytes("1024"), Ok(1024));
        assert!(parse_max_line_bytes("100").is_err());
    }

    #[test]
    fn negative_durations_reach_the_parser() {
        // Without hyphen values clap would take `-5s` for an option and name no value.
        for args in [
            ["t3forensics", "drops", "--window-before", "-5s"],
            ["t3forensics", "drops", "--reconnect-window", "-1s"],
            ["t3forensics", "drops", "--short-ms", "-1"],
        ] {
            let error = Cli::try_parse_from(args).unwrap_err().to_string();
            assert!(error.contains(args[3]), "{error}");
            assert!(!error.contains("unexpected argument"), "{error}");
        }
    }

    #[test]
    fn cli_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
