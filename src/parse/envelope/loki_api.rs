//! Loki HTTP API responses for log queries, saved to a file.
//!
//! Written to the response format in the HTTP API documentation of Loki 2.9 and 3.x
//! (`/loki/api/v1/query_range` and `/loki/api/v1/query` with a log query):
//!
//! ```text
//! {"status":"success","data":{"resultType":"streams","result":[
//!   {"stream":{"namespace":"traefik","pod":"traefik-7d9f-abcde"},
//!    "values":[["1781119812123456789","LINE"],...]}],"stats":{...}}}
//! ```
//!
//! Each stream carries its full label set and its entries as `[epoch ns, line]` pairs, newest
//! first unless the request asked for `direction=forward`. A pair may carry a third element
//! (structured metadata, with the `categorize-labels` encoding flag), which is skipped. A
//! metric query's `matrix` or `vector` result is a Prometheus response and is detected as one,
//! except after `jq -S`, which sorts `result` before `resultType`: such a result is skipped here
//! with a note. Several responses may follow each other in one file (one page per request,
//! `curl … >> loki.json`). An entry means what the same entry in `logcli --output=jsonl` means:
//! the same labels, routing and paging-repeat check.
//!
//! The response is read as a stream of JSON tokens, so memory stays at one entry, except for a
//! stream object whose `values` come before its `stream` labels, whose entries are held until
//! the labels are read. Loki caps the entries of one response (`max_entries_limit_per_query`,
//! 5,000 by default), which bounds that.
//!
//! NOTE: a response is one JSON document that is often on one line, so evidence gives the
//! entry's position in the file (from 1, counting every stream's entries in file order) in
//! place of a line number.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::grafana::Counting;
use super::loki::Text;
use super::{Labels, RecordReader, Router, Unwrapped, epoch_digits};
use crate::parse::{LineClass, ParseOptions, Sink};
use crate::time::{Precision, SECOND};

/// Tells whether the first bytes of an input start a Loki API response with log streams: a
/// JSON object whose `resultType` is `streams`, or, where the result type comes later (`jq
/// -S`), whose first result item has a `stream` label object. A Prometheus series has
/// `metric` in its place.
pub fn is_response_head(head: &[u8]) -> bool {
    let trimmed = head.trim_ascii_start();
    if trimmed.first() != Some(&b'{') {
        return false;
    }
    if let Some(value) = key_value(trimmed, b"\"resultType\"") {
        return value.starts_with(b"\"streams\"");
    }
    key_value(trimmed, b"\"stream\"").is_some_and(|value| value.starts_with(b"{"))
        && crate::parse::contains(trimmed, b"\"values\"")
}

/// Returns the bytes after the first `KEY :` in `bytes`, with the spaces before the value
/// skipped.
fn key_value<'b>(bytes: &'b [u8], key: &[u8]) -> Option<&'b [u8]> {
    let at = memchr::memmem::find(bytes, key)?;
    let rest = bytes[at + key.len()..].trim_ascii_start();
    Some(rest.strip_prefix(b":")?.trim_ascii_start())
}

/// Reads Loki API responses of log queries.
pub struct LokiApiReader {
    router: Router,
    /// The entries read, over every response: the position that evidence names.
    entries: u64,
    /// Responses whose `status` was not `success`, with the first such status.
    failed: Option<(u64, String)>,
    /// Results of another type (`matrix`, `vector`) that were skipped, with the first type.
    skipped: Option<(u64, String)>,
    /// The JSON error that ended the read early, with the entry position it came after.
    error: Option<String>,
}

impl LokiApiReader {
    pub fn new(options: &ParseOptions) -> LokiApiReader {
        LokiApiReader {
            router: Router::new(options),
            entries: 0,
            failed: None,
            skipped: None,
            error: None,
        }
    }

    /// Routes one entry of a stream and accounts for it.
    fn entry(
        &mut self,
        labels: &Labels,
        pair: Pair,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
    ) {
        self.entries += 1;
        let class = match pair {
            Pair::Entry { time, line } => match entry_time(&time) {
                Some((time, precise)) => {
                    let entry = Unwrapped {
                        time: Some(time),
                        precise,
                        labels: labels.clone(),
                        line: Cow::Borrowed(line.as_bytes()),
                    };
                    self.router.route(&entry, self.entries, sink)
                }
                None => LineClass::Malformed("entry time is not a number of epoch nanoseconds"),
            },
            Pair::Invalid => LineClass::Malformed("entry is not a [time, line] pair"),
        };
        account(self.entries, class);
    }
}

/// Reads an entry time, epoch nanoseconds as a string of digits (Loki writes a string; a bare
/// number is accepted too). Returns the time and whether it has sub-second digits. As in
/// logcli's jsonl, a nanosecond time is exact. One on the whole second comes from a
/// second-resolution source, where identical lines are real repeats, not paging repeats, and
/// the router reads it at whole-second precision unless its stream shows finer times.
fn entry_time(text: &str) -> Option<((i64, Precision), bool)> {
    let (micros, precision) = epoch_digits(text.as_bytes())?;
    if text.len() == 19 {
        return Some(((micros, Precision::Micro), !text.ends_with("000000000")));
    }
    Some(((micros, precision), micros.rem_euclid(SECOND) != 0))
}

/// One element of a stream's `values`.
enum Pair {
    Entry { time: String, line: String },
    Invalid,
}

impl<'de> serde::Deserialize<'de> for Pair {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PairVisitor)
    }
}

struct PairVisitor;

impl<'de> Visitor<'de> for PairVisitor {
    type Value = Pair;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a [time, line] pair")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pair, A::Error> {
        let time = seq.next_element::<Option<Text>>()?.flatten();
        let line = match time {
            Some(_) => seq.next_element::<Option<Text>>()?.flatten(),
            None => None,
        };
        // Structured metadata, or anything else after the pair.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        match (time, line) {
            (Some(Text(time)), Some(Text(line))) => Ok(Pair::Entry {
                time: time.into_owned(),
                line: line.into_owned(),
            }),
            _ => Ok(Pair::Invalid),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pair, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Pair::Invalid)
    }

    fn visit_str<E>(self, _: &str) -> Result<Pair, E> {
        Ok(Pair::Invalid)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Pair, E> {
        Ok(Pair::Invalid)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Pair, E> {
        Ok(Pair::Invalid)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Pair, E> {
        Ok(Pair::Invalid)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Pair, E> {
        Ok(Pair::Invalid)
    }

    fn visit_unit<E>(self) -> Result<Pair, E> {
        Ok(Pair::Invalid)
    }
}

/// The state the visitors share while one input is read.
struct Pass<'p> {
    reader: &'p mut LokiApiReader,
    sink: &'p mut Sink,
    account: &'p mut dyn FnMut(u64, LineClass),
    /// The number of the response being read, from 1.
    response: u64,
}

/// Visits one response object: `status`, `data` and keys that do not matter here.
struct ResponseVisitor<'q, 'p>(&'q mut Pass<'p>);

impl<'de> Visitor<'de> for ResponseVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Loki API response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let pass = self.0;
        while let Some(Text(key)) = map.next_key::<Text>()? {
            match key.as_ref() {
                "status" => {
                    let status = map.next_value::<Option<Text>>()?;
                    let status = status.map_or(Cow::Borrowed("null"), |Text(s)| s);
                    if status != "success" && pass.reader.failed.is_none() {
                        pass.reader.failed = Some((pass.response, status.into_owned()));
                    }
                }
                "data" => map.next_value_seed(DataSeed(&mut *pass))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Reads `data`: `resultType`, `result` and keys that do not matter here (`stats`).
struct DataSeed<'q, 'p>(&'q mut Pass<'p>);

impl<'de> DeserializeSeed<'de> for DataSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Loki API data object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let pass = self.0;
        let mut result_type: Option<String> = None;
        while let Some(Text(key)) = map.next_key::<Text>()? {
            match key.as_ref() {
                "resultType" => {
                    let value = map.next_value::<Option<Text>>()?;
                    let value = value.map_or(String::from("null"), |Text(t)| t.into_owned());
                    if value != "streams" && pass.reader.skipped.is_none() {
                        pass.reader.skipped = Some((pass.response, value.clone()));
                    }
                    result_type = Some(value);
                }
                // A result of a known other type is not read as log streams.
                "result" if result_type.as_deref().is_none_or(|t| t == "streams") => {
                    map.next_value_seed(ResultSeed(&mut *pass))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Reads `result`, an array of stream objects.
struct ResultSeed<'q, 'p>(&'q mut Pass<'p>);

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Loki streams")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(StreamSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// Reads one stream object, `{"stream": {labels}, "values": [pairs]}`.
struct StreamSeed<'q, 'p>(&'q mut Pass<'p>);

impl<'de> DeserializeSeed<'de> for StreamSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StreamSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Loki stream object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let pass = self.0;
        let mut labels: Option<Labels> = None;
        // Entries read before the labels, routed once the labels are known.
        let mut before_labels: Vec<Pair> = Vec::new();
        while let Some(Text(key)) = map.next_key::<Text>()? {
            match key.as_ref() {
                "stream" => labels = Some(map.next_value::<Labels>()?),
                "values" => map.next_value_seed(ValuesSeed {
                    pass: &mut *pass,
                    labels: labels.as_ref(),
                    before_labels: &mut before_labels,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let labels = labels.unwrap_or_default();
        for pair in before_labels {
            pass.reader
                .entry(&labels, pair, &mut *pass.sink, &mut *pass.account);
        }
        Ok(())
    }
}

/// Reads a stream's `values`, routing each entry, or holding it while the labels are unknown.
struct ValuesSeed<'q, 'p, 'l, 'a> {
    pass: &'q mut Pass<'p>,
    labels: Option<&'l Labels<'a>>,
    before_labels: &'q mut Vec<Pair>,
}

impl<'de> DeserializeSeed<'de> for ValuesSeed<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ValuesSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of [time, line] pairs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let pass = self.pass;
        while let Some(pair) = seq.next_element::<Pair>()? {
            match self.labels {
                Some(labels) => {
                    pass.reader
                        .entry(labels, pair, &mut *pass.sink, &mut *pass.account)
                }
                None => self.before_labels.push(pair),
            }
        }
        Ok(())
    }
}

/// Skips the whitespace between two responses. Returns whether another response follows.
fn more_follows(reader: &mut dyn BufRead) -> io::Result<bool> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(false);
        }
        let spaces = buffer
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let more = spaces < buffer.len();
        reader.consume(spaces);
        if more {
            return Ok(true);
        }
    }
}

impl RecordReader for LokiApiReader {
    fn read_records(
        &mut self,
        reader: &mut dyn BufRead,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
    ) -> io::Result<u64> {
        let mut bytes = 0;
        let mut response = 0;
        while more_follows(reader)? {
            response += 1;
            let mut counting = Counting {
                inner: &mut *reader,
                bytes: 0,
            };
            // serde_json reads one byte at a time from an `io::Read` and stops at the closing
            // brace, so the next response is still in `reader`.
            let mut deserializer = serde_json::Deserializer::from_reader(&mut counting);
            let mut pass = Pass {
                reader: self,
                sink,
                account,
                response,
            };
            let result = deserializer.deserialize_map(ResponseVisitor(&mut pass));
            bytes += counting.bytes;
            if let Err(error) = result {
                if error.is_io() {
                    return Err(error.into());
                }
                let after = self.entries;
                account(
                    after + 1,
                    LineClass::Malformed("invalid JSON in the Loki API response"),
                );
                self.error = Some(format!(
                    "response {response}, after entry {after}: {error}; the entries before it \
                     were read"
                ));
                break;
            }
        }
        Ok(bytes)
    }

    fn notes(&self, name: &str) -> Vec<String> {
        let mut notes = self.router.notes(name);
        if let Some((response, status)) = &self.failed {
            notes.push(format!(
                "{name}: response {response} has status `{status}`, not `success`; its entries, \
                 if any, were read, but the query may have failed: run it again"
            ));
        }
        if let Some((response, result_type)) = &self.skipped {
            notes.push(format!(
                "{name}: response {response} holds a `{result_type}` result, not log streams, \
                 and was skipped; give a metric query's response as an input of its own"
            ));
        }
        if let Some(error) = &self.error {
            notes.push(format!("{name}: the JSON ends early at {error}"));
        }
        notes
    }

    fn cut(&self) -> Option<String> {
        self.error
            .as_ref()
            .map(|error| format!("the Loki API response ends early ({error})"))
    }
}
