//! The library's error type. Every message names the input (and line where there is one) and
//! says what to do about it; the binary prints it as `t3forensics: MESSAGE` and exits with 2.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot open: {source}; check the path and its permissions")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "{}: is a directory; pass the log files inside it, for example {}/*.log",
        path.display(),
        path.display().to_string().trim_end_matches('/')
    )]
    IsDirectory { path: PathBuf },

    #[error("{name}: read failed after line {line}: {source}{}", read_hint(source))]
    Read {
        name: String,
        line: u64,
        source: std::io::Error,
    },

    #[error(
        "{name}: cannot tell what kind of log this is from its first {sampled} line(s){hint}; \
         name it with --input-type TYPE:{target} (types: {types})",
        target = type_target(name)
    )]
    UnknownType {
        name: String,
        sampled: usize,
        types: &'static str,
        /// A reason the sample may be too short to decide, such as a stream cut in its first
        /// block. It is empty, or starts with `; `.
        hint: String,
    },

    #[error(
        "no input holds a log entry ({names}); check the command that exported the logs (its \
         time window, unit or query), because --strict fails a run with nothing to read"
    )]
    StrictNoEntry { names: String },

    #[error(
        "{name}: the input is {format} data, which this tool does not decompress (it reads plain, \
         gzip and zstd input); decompress it first, for example `{command} | t3forensics drops -`"
    )]
    UnsupportedCompression {
        name: String,
        /// The archive or compression format, such as `xz`.
        format: &'static str,
        /// The command that writes the decompressed text to stdout, with `FILE` for the input.
        command: String,
    },

    #[error("{name}: --input-type {forced} does not fit it: {read}; {hint}")]
    ForcedTypeUnfit {
        name: String,
        /// The type `--input-type` named.
        forced: &'static str,
        /// The counts of its lines, with the first malformed line's reason.
        read: String,
        /// The type the content looks like, and the fix.
        hint: String,
    },

    #[error(
        "{name}: the input is {outer} data that contains {inner} data, compressed twice, and this \
         tool undoes one layer; decompress both first, for example `{command} | t3forensics \
         drops -`"
    )]
    CompressedTwice {
        name: String,
        /// The format of the file's own bytes, such as `gzip`.
        outer: &'static str,
        /// The format of the bytes inside it.
        inner: &'static str,
        /// The command that writes the text inside both layers to stdout.
        command: String,
    },

    #[error(
        "{name}: the input is {encoding} text, and this tool reads UTF-8; convert it first \
         ({convert})"
    )]
    Utf16 {
        name: String,
        /// The encoding as iconv names it, such as `UTF-16LE`.
        encoding: &'static str,
        /// The shell command that converts this input to UTF-8.
        convert: String,
    },

    #[error(
        "{name}: {place} is only NUL bytes, as in a file that was preallocated and never \
         written or one cut by a crash, so no log type can be detected from it; leave it out, \
         or cut the NUL bytes off first ({strip})",
        place = nul_line_place(*line)
    )]
    OnlyNulBytes {
        name: String,
        /// The first line that is not blank or a journalctl note.
        line: u64,
        /// The shell command that strips the NUL bytes from this input. It decompresses a
        /// compressed input first, because `tr -d` on compressed bytes corrupts the stream.
        strip: String,
    },

    #[error(
        "{name}: is t3forensics {command} output, not a log, so it was not read; {}",
        own_output_hint(name, command)
    )]
    OwnOutput {
        name: String,
        /// The command that writes it: `drops`, `bursts`, `incidents`, `timeline`, `explain`
        /// or `report --html`.
        command: &'static str,
    },

    #[error("{name}:{line}: unsupported journal output mode: {hint}")]
    JournalMode {
        name: String,
        line: u64,
        /// The mode and how to export the journal again, from [`crate::parse::journal::journal_mode_hint`].
        hint: &'static str,
    },

    #[error(
        "{name}:{line}: cannot read this journal: {}",
        crate::parse::journal::LOCALIZED_MONTH
    )]
    LocalizedMonth { name: String, line: u64 },

    #[error(
        "{name}: its first {lines} line(s) are longer than --max-line-bytes ({limit} bytes), so \
         none could be read to tell what kind of log this is; pass --max-line-bytes {longest} \
         or more, the length of the longest"
    )]
    LinesTooLong {
        name: String,
        lines: usize,
        /// The length of the longest of those lines, in bytes.
        longest: u64,
        limit: usize,
    },

    #[error(
        "{name}:{line}: journal `short` lines carry no year and no other input gives one\
         {detail}; pass --year YYYY"
    )]
    YearUnknown {
        name: String,
        line: u64,
        /// The reason the journal header gave no year: empty, or text that starts with `; `.
        detail: String,
    },

    #[error("{0}")]
    Usage(String),

    #[error("{path}: cannot write: {source}{}", write_hint(source))]
    Write {
        path: String,
        source: std::io::Error,
    },

    #[error(
        "{name}: {reason}; --expect takes a file written by `t3forensics drops` (CSV, JSON or \
         JSON Lines)"
    )]
    Expected { name: String, reason: String },

    #[error(
        "{name}: {reason}; the file looks cut short after it was written, so restore the saved \
         copy or write it again with `t3forensics drops`"
    )]
    ExpectedCut { name: String, reason: String },

    #[error(
        "{name}:{line}: {reason} (--strict stops at the first malformed line or damaged input)"
    )]
    Strict {
        name: String,
        line: u64,
        reason: String,
    },

    #[error(
        "{name}:{line}: {reason} (--strict stops when a step of devvm's clock leaves one side's \
         sockets unjoined)"
    )]
    StrictClockStep {
        name: String,
        line: u64,
        reason: String,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

/// Returns the fix for a failed read, after `; `. EIO (os error 5) means the device, the file
/// system or a special file (one under /proc or /sys) could not return the bytes.
fn read_hint(error: &std::io::Error) -> &'static str {
    const EIO: i32 = 5;
    match (error.kind(), error.raw_os_error()) {
        (_, Some(EIO)) => {
            "; the device or file system reported an I/O error (see `dmesg`), or the file is a \
             special file that cannot be read as a log; copy the log to a working disk and read \
             the copy"
        }
        (std::io::ErrorKind::PermissionDenied, _) => "; check the file's permissions",
        _ => "; check that the file can be read, for example with `cat FILE > /dev/null`",
    }
}

/// Returns the fix for a failed write, after `; `, or nothing when the error names no usual
/// cause.
fn write_hint(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::NotFound => "; create its directory first, or write elsewhere",
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "; write to a directory you can write to"
        }
        std::io::ErrorKind::StorageFull => "; free space on that file system, or write elsewhere",
        _ => "",
    }
}

/// Returns what to do with t3forensics output given as a log input: a drops output (a saved
/// baseline) goes to `check --expect`, which takes no stdin, and any other output is left out.
fn own_output_hint(name: &str, command: &str) -> String {
    match (command, name == crate::input::STDIN_NAME) {
        ("drops", false) => format!(
            "leave it out of the log inputs; to compare a run with it as a saved baseline, give \
             it as `check --expect {name}` when it is CSV or JSON (a table cannot be compared)"
        ),
        ("drops", true) => "leave it out of the log inputs; to compare a run with it as a \
                            saved baseline, save it to a file and give that as `check --expect \
                            FILE` when it is CSV or JSON (a table cannot be compared)"
            .to_string(),
        ("explain" | "report --html", _) => "leave it out of the log inputs and give the logs \
                                            it was written from instead"
            .to_string(),
        _ => {
            "leave it out of the log inputs (`check --expect` takes only drops output)".to_string()
        }
    }
}

/// Names the line of [`Error::OnlyNulBytes`]: line 1, or a later one after journalctl's notes
/// (`-- Journal begins at … --`) or blank lines.
fn nul_line_place(line: u64) -> String {
    if line == 1 {
        "its first line".to_string()
    } else {
        format!("line {line}, its first line after blank lines and journalctl notes,")
    }
}

/// Returns how `--input-type TYPE:PATH` names an input: stdin is `-`, as on the command line.
fn type_target(name: &str) -> &str {
    if name == crate::input::STDIN_NAME {
        "-"
    } else {
        name
    }
}
