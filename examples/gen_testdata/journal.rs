//! devvm journal entries and their rendering in the `journalctl -o MODE` output modes.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use clap::ValueEnum;

use crate::clock::{self, HOUR, MINUTE};
use crate::rng::Rng;
use crate::scenario::USERS;

/// The `journalctl -o` output mode to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum JournalFormat {
    Short,
    ShortPrecise,
    ShortIso,
    ShortIsoPrecise,
    ShortUnix,
    WithUnit,
    Json,
    Cat,
}

impl JournalFormat {
    pub fn file_name(self) -> &'static str {
        if self == JournalFormat::Json {
            "devvm-journal.json"
        } else {
            "devvm-journal.log"
        }
    }
}

pub enum Message {
    Text(String),
    /// A message with bytes that are not printable UTF-8, shown as `[1.2K blob data]`.
    Blob(Vec<u8>),
}

/// One journal entry. `time` is the devvm realtime clock in microseconds (true time plus skew).
pub struct Entry {
    pub time: i64,
    pub identifier: &'static str,
    /// `None` for kernel messages, which carry no `_PID`.
    pub pid: Option<u32>,
    /// `_SYSTEMD_UNIT`; `None` for kernel messages.
    pub unit: Option<String>,
    /// `UNIT=`, which systemd adds to its own messages about a unit.
    pub about_unit: Option<String>,
    pub priority: u8,
    pub transport: &'static str,
    pub message: Message,
}

/// Builds the entries of the devvm programs, stamping them with the devvm clock.
pub struct Devvm {
    skew: i64,
    rng: Rng,
}

/// t3-dispatch's PID, which stays the same for the whole input because dispatch never restarts.
pub const DISPATCH_PID: u32 = 812;

impl Devvm {
    pub fn new(skew: i64, rng: Rng) -> Devvm {
        Devvm { skew, rng }
    }

    /// Returns the journal time of a message written at true time `at`. journald receives it
    /// 20-450 µs later, so the journal time cut to milliseconds is the true time plus the skew.
    fn stamp(&mut self, at: i64) -> i64 {
        at + self.skew + self.rng.range(20, 450)
    }

    /// Builds a t3-dispatch message, which Go's `log` prefixes with the devvm local time.
    pub fn dispatch(&mut self, at: i64, message: &str) -> Entry {
        let prefix = clock::go_log_prefix(at + self.skew);
        let text = format!("{prefix} {message}");
        self.program(
            at,
            "t3-dispatch",
            DISPATCH_PID,
            "t3-dispatch.service",
            6,
            text,
        )
    }

    /// Builds a t3 serve header line of Effect's pretty logger: `[HH:MM:SS.mmm] LEVEL (#fiber): text`.
    pub fn serve(
        &mut self,
        at: i64,
        user: usize,
        pid: u32,
        level: &str,
        fiber: u32,
        text: &str,
    ) -> Entry {
        let time_of_day = clock::time_of_day_millis(at + self.skew);
        let message = format!("[{time_of_day}] {level} (#{fiber}): {text}");
        let priority = if level == "WARN" { 4 } else { 6 };
        self.serve_raw(at, user, pid, priority, Message::Text(message))
    }

    /// Builds a serve detail line, which the pretty logger indents by two spaces.
    pub fn serve_detail(&mut self, at: i64, user: usize, pid: u32, text: &str) -> Entry {
        self.serve_raw(at, user, pid, 4, Message::Text(format!("  {text}")))
    }

    pub fn serve_raw(
        &mut self,
        at: i64,
        user: usize,
        pid: u32,
        priority: u8,
        message: Message,
    ) -> Entry {
        let unit = format!("t3-serve@{}.service", USERS[user].name);
        Entry {
            time: self.stamp(at),
            identifier: "t3",
            pid: Some(pid),
            unit: Some(unit),
            about_unit: None,
            priority,
            transport: "stdout",
            message,
        }
    }

    /// Builds a message of systemd itself (PID 1) about `about_unit`.
    pub fn systemd(&mut self, at: i64, about_unit: &str, priority: u8, message: String) -> Entry {
        Entry {
            time: self.stamp(at),
            identifier: "systemd",
            pid: Some(1),
            unit: Some("init.scope".to_string()),
            about_unit: Some(about_unit.to_string()),
            priority,
            transport: "journal",
            message: Message::Text(message),
        }
    }

    pub fn kernel(&mut self, at: i64, priority: u8, message: String) -> Entry {
        Entry {
            time: self.stamp(at),
            identifier: "kernel",
            pid: None,
            unit: None,
            about_unit: None,
            priority,
            transport: "kernel",
            message: Message::Text(message),
        }
    }

    /// Builds a message of any other program, by its identifier, PID and unit.
    pub fn program(
        &mut self,
        at: i64,
        identifier: &'static str,
        pid: u32,
        unit: &str,
        priority: u8,
        message: String,
    ) -> Entry {
        Entry {
            time: self.stamp(at),
            identifier,
            pid: Some(pid),
            unit: Some(unit.to_string()),
            about_unit: None,
            priority,
            transport: if identifier == "t3-dispatch" {
                "stdout"
            } else {
                "syslog"
            },
            message: Message::Text(message),
        }
    }

    /// Returns the devvm clock reading at true time `at`, without the journald delay.
    pub fn local(&self, at: i64) -> i64 {
        at + self.skew
    }
}

/// Writes entries in one output mode, numbering them as journald's cursor does.
pub struct JournalWriter {
    format: JournalFormat,
    out: BufWriter<File>,
    boot_id: String,
    seqnum_id: String,
    boot_time: i64,
    seqnum: u64,
    rng: Rng,
}

impl JournalWriter {
    /// Creates the file. The volatile journal of devvm starts at its last boot, three days before
    /// `first`, and the export ran a few minutes after `last`.
    pub fn create(
        path: &Path,
        format: JournalFormat,
        first: i64,
        last: i64,
        mut rng: Rng,
    ) -> io::Result<JournalWriter> {
        let boot_time = first - 3 * 24 * HOUR + 11 * HOUR + 14 * MINUTE + 2_417_093;
        let boot_id = rng.hex(32);
        let seqnum_id = rng.hex(32);
        let mut writer = JournalWriter {
            format,
            out: BufWriter::with_capacity(1 << 16, File::create(path)?),
            boot_id,
            seqnum_id,
            boot_time,
            seqnum: 0x3_9c41,
            rng,
        };
        // NOTE: whether journalctl prints this line in `-o cat` mode is not checked; the
        // generator writes it in every mode except json.
        if format != JournalFormat::Json {
            let begins = clock::weekday_full(boot_time + 1_204_511);
            let ends = clock::weekday_full(last + 6 * MINUTE + 31_551_120);
            writeln!(
                writer.out,
                "-- Journal begins at {begins}, ends at {ends}. --"
            )?;
        }
        Ok(writer)
    }

    pub fn write(&mut self, entry: &Entry) -> io::Result<()> {
        self.seqnum += 1;
        match self.format {
            JournalFormat::Json => self.write_json(entry),
            JournalFormat::Cat => self.write_cat(entry),
            _ => self.write_short(entry),
        }
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn write_short(&mut self, entry: &Entry) -> io::Result<()> {
        let time = match self.format {
            JournalFormat::Short => clock::syslog(entry.time, false),
            JournalFormat::ShortPrecise => clock::syslog(entry.time, true),
            JournalFormat::ShortIso => clock::iso_offset(entry.time, false),
            JournalFormat::ShortIsoPrecise => clock::iso_offset(entry.time, true),
            JournalFormat::ShortUnix => clock::epoch_micros(entry.time),
            _ => clock::weekday_full(entry.time),
        };
        let source = match (self.format, &entry.unit, entry.pid) {
            (JournalFormat::WithUnit, Some(unit), Some(pid)) => format!("{unit}[{pid}]"),
            (_, _, Some(pid)) => format!("{}[{pid}]", entry.identifier),
            (_, _, None) => entry.identifier.to_string(),
        };
        let prefix = format!("{time} devvm {source}: ");
        self.out.write_all(prefix.as_bytes())?;
        match &entry.message {
            Message::Text(text) => {
                // journalctl indents continuation lines to the width of the prefix.
                let indent = " ".repeat(prefix.len());
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        self.out.write_all(indent.as_bytes())?;
                    }
                    writeln!(self.out, "{line}")?;
                }
            }
            Message::Blob(bytes) => writeln!(self.out, "[{} blob data]", blob_size(bytes.len()))?,
        }
        Ok(())
    }

    /// `-o cat` prints the message as stored: continuation lines unindented, a blob as raw bytes.
    fn write_cat(&mut self, entry: &Entry) -> io::Result<()> {
        match &entry.message {
            Message::Text(text) => self.out.write_all(text.as_bytes())?,
            Message::Blob(bytes) => self.out.write_all(bytes)?,
        }
        self.out.write_all(b"\n")
    }

    fn write_json(&mut self, entry: &Entry) -> io::Result<()> {
        let realtime = entry.time;
        let monotonic = realtime - self.boot_time;
        let cursor = format!(
            "s={};i={:x};b={};m={:x};t={:x};x={:016x}",
            self.seqnum_id,
            self.seqnum,
            self.boot_id,
            monotonic,
            realtime,
            self.rng.next_u64()
        );

        let mut fields: Vec<(&str, String)> = vec![
            ("__CURSOR", json_string(&cursor)),
            ("__REALTIME_TIMESTAMP", json_string(&realtime.to_string())),
            ("__MONOTONIC_TIMESTAMP", json_string(&monotonic.to_string())),
            ("_BOOT_ID", json_string(&self.boot_id)),
            ("_HOSTNAME", json_string("devvm")),
            ("SYSLOG_IDENTIFIER", json_string(entry.identifier)),
            ("PRIORITY", json_string(&entry.priority.to_string())),
            ("_TRANSPORT", json_string(entry.transport)),
        ];
        if let Some(pid) = entry.pid {
            fields.push(("_PID", json_string(&pid.to_string())));
            let uid = if entry.identifier == "t3" {
                "1000"
            } else {
                "0"
            };
            fields.push(("_UID", json_string(uid)));
        }
        if let Some(unit) = &entry.unit {
            fields.push(("_SYSTEMD_UNIT", json_string(unit)));
        }
        if let Some(unit) = &entry.about_unit {
            fields.push(("UNIT", json_string(unit)));
        }

        let message = match &entry.message {
            Message::Text(text) => json_string(text),
            Message::Blob(bytes) => {
                let numbers: Vec<String> = bytes.iter().map(u8::to_string).collect();
                format!("[{}]", numbers.join(","))
            }
        };
        fields.push(("MESSAGE", message));

        // journalctl's key order follows the stored entry, which differs between writers.
        self.rng.shuffle(&mut fields);
        self.out.write_all(b"{")?;
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            write!(self.out, "\"{key}\":{value}")?;
        }
        self.out.write_all(b"}\n")
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// Formats a size as journalctl does in `[1.2K blob data]`.
fn blob_size(len: usize) -> String {
    if len < 1024 {
        format!("{len}B")
    } else {
        format!("{:.1}K", len as f64 / 1024.0)
    }
}
