//! Loki's `logcli query` output.
//!
//! Checked against logcli 3.x. Two of its output modes wrap the line:
//!
//! ```text
//! {"labels":{"namespace":"traefik","pod":"traefik-7d9f-abcde"},"line":"LINE","timestamp":"2026-06-10T19:30:12.123456789Z"}
//! 2026-06-10T19:30:12Z {namespace="traefik", pod="traefik-7d9f-abcde"}  LINE
//! ```
//!
//! `--output=jsonl` gives the full-precision time in logcli's local zone. `--output=default`
//! gives whole seconds, drops the labels common to all streams (leaving `{}` when none are
//! left) and pads the label set with spaces to the width of the widest one. `--output=raw`
//! prints the line alone and needs no unwrapping. Label values in the default mode are Go
//! quoted strings.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

use super::{Labels, Unwrapped};
use crate::time::{self, Precision, Zone};

/// One jsonl entry; `line` and `timestamp` are borrowed unless they contain escapes.
#[derive(Deserialize)]
struct JsonlEntry<'a> {
    #[serde(borrow, default)]
    labels: Labels<'a>,
    #[serde(borrow)]
    line: Cow<'a, str>,
    #[serde(borrow)]
    timestamp: Cow<'a, str>,
}

/// A string borrowed from the input when it has no escapes.
pub(super) struct Text<'a>(pub(super) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
            // Grafana writes some label values as numbers or booleans.
            fn visit_u64<E>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed("")))
            }
        }
        let Text(text) = deserializer.deserialize_any(TextVisitor)?;
        Ok(Text(text))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Labels<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelsVisitor;
        impl<'de> Visitor<'de> for LabelsVisitor {
            type Value = Labels<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of labels")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels<'de>, A::Error> {
                let mut labels = Labels::default();
                while let Some(Text(name)) = map.next_key::<Text>()? {
                    let Text(value) = map.next_value::<Text>()?;
                    labels.insert(&name, value);
                }
                Ok(labels)
            }
            fn visit_unit<E>(self) -> Result<Labels<'de>, E> {
                Ok(Labels::default())
            }
        }
        let labels: Labels<'de> = deserializer.deserialize_any(LabelsVisitor)?;
        Ok(labels)
    }
}

/// Returns a `--output=jsonl` time as exact. logcli marshals it as Go's RFC3339Nano, which drops
/// trailing zeros, so a time without a fraction is not cut to the second: it lies on the second,
/// or comes from a source of one-second resolution. The router decides which from the
/// stream's other times. (`--output=default` prints RFC3339, which does cut the fraction.)
fn exact(parsed: &time::Parsed) -> (i64, Precision) {
    (parsed.micros, Precision::Micro)
}

/// Unwraps one `--output=jsonl` line.
pub fn unwrap_jsonl(line: &[u8]) -> Result<Option<Unwrapped<'_>>, &'static str> {
    let trimmed = line.trim_ascii();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let Ok(entry) = serde_json::from_slice::<JsonlEntry>(trimmed) else {
        return Err("not a logcli jsonl entry (labels, line, timestamp)");
    };
    let Some(parsed) = time::parse_iso(entry.timestamp.as_bytes(), Zone::Utc) else {
        return Err("invalid logcli timestamp");
    };
    let line = match entry.line {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    };
    Ok(Some(Unwrapped {
        time: Some(exact(&parsed)),
        // A time on the whole second comes from a second-resolution source (a pipeline that
        // takes the Go log prefix's time), where identical lines are real repeats.
        precise: parsed.precision != Precision::Second,
        labels: entry.labels,
        line,
    }))
}

/// Unwraps one `--output=default` line. A line without a leading time is the continuation of
/// a line that held a newline, and gives `Ok(None)`.
///
/// logcli trims the spaces around every line in this mode, so an indented journal detail line
/// (t3 serve's git timeout detail) loses its indent. The router indents a serve line that is no
/// header again, and `--output=jsonl` keeps the indent.
pub fn unwrap_default(line: &[u8]) -> Result<Option<Unwrapped<'_>>, &'static str> {
    if line.trim_ascii().is_empty() {
        return Ok(None);
    }
    let Some(parsed) = time::parse_iso(line, Zone::Utc) else {
        return Ok(None);
    };
    let Some(rest) = line.get(parsed.len..).and_then(|r| r.strip_prefix(b" ")) else {
        return Err("no space after the logcli timestamp");
    };
    let (labels, rest) = match rest.first() {
        Some(b'{') => {
            let Some((labels, used)) = label_set(rest) else {
                return Err("invalid logcli label set");
            };
            // The label set is padded with spaces to the widest one of its batch, and the line
            // was trimmed, so every space before it is padding.
            (labels, rest[used..].trim_ascii_start())
        }
        // `--no-labels`.
        _ => (Labels::default(), rest),
    };
    Ok(Some(Unwrapped {
        time: Some((parsed.micros, parsed.precision)),
        // logcli prints RFC 3339 whole seconds here, and a journal stream logs the same line
        // several times in one second (chronyd, kernel audit, a burst of cancel lines) at
        // distinct Loki times. So a repeated whole-second entry may be real and is kept.
        precise: parsed.precision != Precision::Second,
        labels,
        line: Cow::Borrowed(rest),
    }))
}

/// Reads `{name="value", name2="value2"}` at the start of `bytes`, returning the labels and the
/// bytes used.
pub fn label_set(bytes: &[u8]) -> Option<(Labels<'_>, usize)> {
    let mut labels = Labels::default();
    let mut pos = 1;
    if bytes.first() != Some(&b'{') {
        return None;
    }
    loop {
        match bytes.get(pos)? {
            b'}' => return Some((labels, pos + 1)),
            b' ' | b',' => pos += 1,
            _ => {
                let eq = pos + memchr::memchr(b'=', &bytes[pos..])?;
                let name = std::str::from_utf8(&bytes[pos..eq]).ok()?;
                if bytes.get(eq + 1) != Some(&b'"') {
                    return None;
                }
                let (value, used) = go_quoted(&bytes[eq + 2..])?;
                labels.insert(name, value);
                pos = eq + 2 + used;
            }
        }
    }
}

/// Reads a Go quoted string body up to its closing quote (consumed). Borrowed when it has no
/// escapes; `\"`, `\\`, `\n`, `\t` and `\r` are unescaped, other escapes are kept as written.
fn go_quoted(bytes: &[u8]) -> Option<(Cow<'_, str>, usize)> {
    let end = memchr::memchr2(b'"', b'\\', bytes)?;
    if bytes[end] == b'"' {
        return Some((
            Cow::Borrowed(std::str::from_utf8(&bytes[..end]).ok()?),
            end + 1,
        ));
    }
    let mut out = Vec::with_capacity(bytes.len().min(256));
    let mut i = 0;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some((Cow::Owned(String::from_utf8(out).ok()?), i + 1)),
            b'\\' => {
                let escaped = *bytes.get(i + 1)?;
                match escaped {
                    b'"' | b'\\' => out.push(escaped),
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    _ => out.extend_from_slice(&[b'\\', escaped]),
                }
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// Scores a `--output=jsonl` line: 2 when it has the three keys.
pub fn sniff_jsonl(line: &[u8]) -> u8 {
    let line = line.trim_ascii_start();
    let keys = [&b"\"labels\""[..], b"\"line\"", b"\"timestamp\""];
    if line.starts_with(b"{") && keys.iter().all(|k| crate::parse::contains(line, k)) {
        2
    } else {
        0
    }
}

/// Scores a `--output=default` line: 2 for a time followed by a label set (`{}` or
/// `{name="`); a JSON line after a time starts `{"` instead.
pub fn sniff_default(line: &[u8]) -> u8 {
    let Some(parsed) = time::parse_iso(line, Zone::Utc) else {
        return 0;
    };
    let Some(rest) = line.get(parsed.len..).and_then(|r| r.strip_prefix(b" ")) else {
        return 0;
    };
    if rest.starts_with(b"{}") {
        return 2;
    }
    if rest.starts_with(b"{\"") || rest.first() != Some(&b'{') {
        return 0;
    }
    match label_set(rest) {
        Some((labels, _)) if labels.count > 0 => 2,
        _ => 0,
    }
}
