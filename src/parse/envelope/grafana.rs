//! Grafana Explore's log downloads.
//!
//! Checked against Grafana 11 (`downloadLogsModelAsTxt` and `logRowsToReadableJson` in its
//! source). The text download is a few `Label: "value"` meta lines and two blank lines, then
//! one row per log line:
//!
//! ```text
//! 1781121012123<TAB>2026-06-10T19:30:12.123Z<TAB>LINE
//! ```
//!
//! The JSON download is one array on one line, `JSON.stringify` of objects
//! `{"line": "...", "timestamp": "<epoch ns>", "date": "<ISO time>", "fields": {labels}}`
//! (`date` since Grafana 11). It is read as a stream of array elements, never whole, so memory
//! stays at one row. Other tools that write similar arrays use `Line`, `ts`, `tsNs`, `Time` or
//! `labels`/`Labels`; those names are accepted too.
//!
//! NOTE: the whole JSON download is one line, so evidence gives the row's position in the array
//! (from 1) in place of a line number.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead, Read};

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::Value;

use super::{Labels, RecordReader, Router, Unwrapped, epoch_digits};
use crate::parse::{LineClass, ParseOptions, Sink};
use crate::time::{self, Precision, Zone};

/// Unwraps one row of the text download. Meta lines, blank lines and continuation lines of a
/// multi-line entry give `Ok(None)`.
pub fn unwrap_text(line: &[u8]) -> Result<Option<Unwrapped<'_>>, &'static str> {
    let Some((epoch_ms, rest)) = split_tab(line) else {
        return Ok(None);
    };
    let Some((iso, inner)) = split_tab(rest) else {
        return Ok(None);
    };
    let time = match epoch_digits(epoch_ms) {
        Some(time) => time,
        None => match time::parse_iso(iso, Zone::Utc) {
            Some(parsed) => (parsed.micros, parsed.precision),
            None => return Ok(None),
        },
    };
    if time::parse_iso(iso, Zone::Utc).is_none() {
        return Ok(None);
    }
    Ok(Some(Unwrapped {
        time: Some(time),
        precise: false,
        labels: Labels::default(),
        line: Cow::Borrowed(inner),
    }))
}

/// Reads the text download's `Common labels: {"app":"cloudflared","pod":"…"}` meta line, the
/// labels every row shares, which the rows themselves do not repeat.
pub fn common_labels(line: &[u8]) -> Option<Labels<'static>> {
    let object = line.strip_prefix(b"Common labels: ")?;
    let map: std::collections::BTreeMap<String, Value> = serde_json::from_slice(object).ok()?;
    let mut labels = Labels::default();
    for (name, value) in map {
        if let Value::String(text) = value {
            labels.insert(&name, Cow::Owned(text));
        }
    }
    Some(labels)
}

fn split_tab(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let tab = memchr::memchr(b'\t', bytes)?;
    Some((&bytes[..tab], &bytes[tab + 1..]))
}

/// Scores a text download row: 2 for `epoch ms<TAB>ISO time<TAB>`, 1 for the download's
/// `Common labels: {…}` meta line, which a download with no rows still has.
pub fn sniff_text(line: &[u8]) -> u8 {
    if common_labels(line).is_some() {
        return 1;
    }
    match split_tab(line) {
        Some((ms, rest)) if ms.len() == 13 && ms.iter().all(u8::is_ascii_digit) => {
            u8::from(time::parse_iso(rest, Zone::Utc).is_some()) * 2
        }
        _ => 0,
    }
}

/// Tells whether the first bytes of an input start a JSON array of objects (or an empty one).
pub fn is_json_array_head(head: &[u8]) -> bool {
    let Some(rest) = head.trim_ascii_start().strip_prefix(b"[") else {
        return false;
    };
    matches!(rest.trim_ascii_start().first(), Some(b'{') | Some(b']'))
}

/// One element of the JSON download.
#[derive(Deserialize)]
struct Row<'a> {
    #[serde(alias = "Line", alias = "entry")]
    line: Option<String>,
    timestamp: Option<Value>,
    #[serde(rename = "tsNs")]
    ts_ns: Option<Value>,
    ts: Option<Value>,
    #[serde(alias = "time")]
    #[serde(rename = "Time")]
    time_field: Option<Value>,
    date: Option<Value>,
    #[serde(borrow, alias = "labels", alias = "Labels")]
    fields: Option<Labels<'a>>,
}

impl Row<'_> {
    /// The row's time: nanoseconds `timestamp`/`tsNs` first, then `ts`, `Time` and `date`.
    fn time(&self) -> Option<(i64, Precision)> {
        [
            &self.timestamp,
            &self.ts_ns,
            &self.ts,
            &self.time_field,
            &self.date,
        ]
        .into_iter()
        .flatten()
        .find_map(value_time)
    }
}

/// Reads a time that is a number or a string of epoch digits, or an ISO time string.
fn value_time(value: &Value) -> Option<(i64, Precision)> {
    match value {
        Value::Number(n) => epoch_digits(n.to_string().as_bytes()),
        Value::String(s) => epoch_digits(s.as_bytes()).or_else(|| {
            let parsed = time::parse_iso(s.as_bytes(), Zone::Utc)?;
            Some((parsed.micros, parsed.precision))
        }),
        _ => None,
    }
}

/// Reads Grafana's JSON download.
pub struct GrafanaJsonReader {
    router: Router,
    error: Option<String>,
}

impl GrafanaJsonReader {
    pub fn new(options: &ParseOptions) -> GrafanaJsonReader {
        GrafanaJsonReader {
            router: Router::new(options),
            error: None,
        }
    }
}

/// Counts the bytes that pass through a reader.
pub(super) struct Counting<'r> {
    pub(super) inner: &'r mut dyn BufRead,
    pub(super) bytes: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

struct RowsVisitor<'p> {
    router: &'p mut Router,
    sink: &'p mut Sink,
    account: &'p mut dyn FnMut(u64, LineClass),
    index: u64,
}

impl<'de> Visitor<'de> for RowsVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of log rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(row) = seq.next_element::<Row>()? {
            self.index += 1;
            let class = self.row(row);
            (self.account)(self.index, class);
        }
        Ok(())
    }
}

impl RowsVisitor<'_> {
    fn row(&mut self, row: Row) -> LineClass {
        let Some(line) = &row.line else {
            return LineClass::Malformed("row without a line");
        };
        let Some(time) = row.time() else {
            return LineClass::Malformed("row without a timestamp");
        };
        let entry = Unwrapped {
            time: Some(time),
            precise: time.1 != Precision::Second,
            labels: row.fields.clone().unwrap_or_default(),
            line: Cow::Borrowed(line.as_bytes()),
        };
        self.router.route(&entry, self.index, self.sink)
    }
}

impl RecordReader for GrafanaJsonReader {
    fn read_records(
        &mut self,
        reader: &mut dyn BufRead,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
    ) -> io::Result<u64> {
        let mut counting = Counting {
            inner: reader,
            bytes: 0,
        };
        // serde_json reads byte by byte from an `io::Read`; the reader under it is buffered.
        let mut deserializer = serde_json::Deserializer::from_reader(&mut counting);
        let mut index = 0;
        let visitor = RowsVisitor {
            router: &mut self.router,
            sink,
            account: &mut |line, class| {
                index = line;
                account(line, class)
            },
            index: 0,
        };
        if let Err(error) = deserializer.deserialize_seq(visitor) {
            account(
                index + 1,
                LineClass::Malformed("invalid JSON in the Grafana download"),
            );
            self.error = Some(format!(
                "row {}: {error}; the rows before it were read",
                index + 1
            ));
        }
        Ok(counting.bytes)
    }

    fn notes(&self, name: &str) -> Vec<String> {
        let mut notes = self.router.notes(name);
        if let Some(error) = &self.error {
            notes.push(format!("{name}: the JSON array ends early at {error}"));
        }
        notes
    }
}
