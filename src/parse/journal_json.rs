//! devvm journal exports in `journalctl -o json` (one JSON object per line), and in
//! `-o json-seq` and `-o json-sse`, which carry the same objects framed per line (see
//! [`strip_framing`]).
//!
//! Checked against journalctl from systemd 252 to 256. Every value is a string, except that a
//! value which is not valid UTF-8 is an array of byte numbers, a value of 4096 bytes or more
//! is `null` unless `--all` was given, and a field that repeats within an entry is an array of
//! those values. Key order is arbitrary. `__REALTIME_TIMESTAMP` is microseconds since the epoch.
//! Unlike the text modes, every entry names its unit (`_SYSTEMD_UNIT`), so a t3 serve line
//! carries its user directly.

use serde_json::Value;

use super::journal::{JournalParser, Prefix, Program, Stamp, route};
use super::{LineClass, LineCtx, LineParser, ParseOptions, Sink};
use crate::time::{MAX_TIME, Precision};

/// Parses `journalctl -o json`, `json-seq` and `json-sse` lines by routing each entry through the journal text parser's
/// message handling.
pub struct JournalJsonParser {
    inner: JournalParser,
}

impl JournalJsonParser {
    pub fn new(options: &ParseOptions) -> JournalJsonParser {
        JournalJsonParser {
            inner: JournalParser::new(options),
        }
    }

    /// Returns a parser for one block of an input read in parallel blocks.
    pub fn for_block(options: &ParseOptions) -> JournalJsonParser {
        JournalJsonParser {
            inner: JournalParser::for_block(options),
        }
    }
}

/// Decodes a journal JSON value to bytes: a string, an array of byte numbers, or (for a
/// repeated field) the first element of an array of those. `null` and other shapes give `None`.
fn value_bytes(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Array(items) => {
            if items.iter().all(Value::is_number) {
                items
                    .iter()
                    .map(|n| n.as_u64().and_then(|b| u8::try_from(b).ok()))
                    .collect()
            } else {
                items.first().and_then(value_bytes)
            }
        }
        _ => None,
    }
}

/// Strips the framing around a JSON object: the RS byte (0x1E) that starts each record of
/// `journalctl -o json-seq` (RFC 7464), or the `data: ` field name that starts each event of
/// `-o json-sse` (a server-sent event stream). Other lines come back unchanged.
fn strip_framing(line: &[u8]) -> &[u8] {
    if let Some(rest) = line.strip_prefix(b"\x1e") {
        return rest;
    }
    if let Some(rest) = line.strip_prefix(b"data:") {
        // The event stream format makes the space after the colon optional.
        return rest.strip_prefix(b" ").unwrap_or(rest);
    }
    line
}

impl LineParser for JournalJsonParser {
    fn parse_line(&mut self, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
        // `-o json-sse` separates its events by blank lines.
        if line.trim_ascii().is_empty() {
            return LineClass::Ignored;
        }
        let record = strip_framing(line);
        let trimmed = record.trim_ascii();
        let Ok(Value::Object(entry)) = serde_json::from_slice::<Value>(trimmed) else {
            return LineClass::Malformed("not a JSON object");
        };
        let field = |name: &str| entry.get(name).and_then(value_bytes);

        let Some(realtime) = field("__REALTIME_TIMESTAMP") else {
            return LineClass::Malformed("no __REALTIME_TIMESTAMP");
        };
        let Some(micros) = std::str::from_utf8(&realtime)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
        else {
            return LineClass::Malformed("__REALTIME_TIMESTAMP is not a number of microseconds");
        };
        if !(0..=MAX_TIME).contains(&micros) {
            return LineClass::Malformed("__REALTIME_TIMESTAMP is before 1970 or after year 9999");
        }

        let identifier = field("SYSLOG_IDENTIFIER")
            .or_else(|| field("_COMM"))
            .unwrap_or_default();
        let unit = field("_SYSTEMD_UNIT");
        let program = route(&identifier, unit.as_deref());
        let pid = field("_PID").and_then(|p| std::str::from_utf8(&p).ok()?.parse().ok());

        let message = match entry.get("MESSAGE") {
            Some(value) => value_bytes(value),
            None => None,
        };
        let Some(message) = message else {
            if program == Program::Other {
                return LineClass::Ignored;
            }
            return LineClass::Malformed(
                "MESSAGE is null or missing (journalctl writes null for values of 4096 bytes \
                 or more unless --all is given)",
            );
        };

        let host = field("_HOSTNAME").unwrap_or_default();
        let prefix = Prefix {
            host: &host,
            identifier: &identifier,
            pid,
            message: &message,
        };
        let stamp = Stamp::Real(micros, Precision::Micro);
        // The event text is the message, as for `-o export`: correlation reads fields out of
        // the text (the cloudflared pod at the end of a `ws open` line's `ip=` chain), which
        // the object's other fields and JSON quoting would hide.
        let first_event = sink.events.len();
        let class = self
            .inner
            .handle(program, stamp, &prefix, &message, ctx, sink);
        sink.set_journal_host(first_event, &host);
        class
    }
}

/// Scores how strongly a line looks like a `journalctl -o json`, `json-seq` or `json-sse` entry.
pub fn sniff(line: &[u8]) -> u8 {
    let line = strip_framing(line.trim_ascii_start()).trim_ascii_start();
    if !line.starts_with(b"{") {
        return 0;
    }
    if super::contains(line, b"\"__REALTIME_TIMESTAMP\"") {
        return 2;
    }
    if super::contains(line, b"\"__CURSOR\"") || super::contains(line, b"\"_SYSTEMD_UNIT\"") {
        return 1;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_shapes() {
        assert_eq!(value_bytes(&serde_json::json!("hi")), Some(b"hi".to_vec()));
        assert_eq!(
            value_bytes(&serde_json::json!([104, 105, 255])),
            Some(vec![104, 105, 255])
        );
        assert_eq!(value_bytes(&serde_json::json!(null)), None);
        // A repeated field: the first value wins.
        assert_eq!(
            value_bytes(&serde_json::json!(["a", "b"])),
            Some(b"a".to_vec())
        );
        assert_eq!(
            value_bytes(&serde_json::json!([[97], "b"])),
            Some(b"a".to_vec())
        );
        assert_eq!(value_bytes(&serde_json::json!([300])), None);
    }

    #[test]
    fn entries_are_read_in_any_key_order() {
        let mut parser = JournalJsonParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let lines = [
            r#"{"MESSAGE":"x","__REALTIME_TIMESTAMP":"1781121361123456","SYSLOG_IDENTIFIER":"sshd","_PID":"9"}"#,
            r#"{"_PID":"9","SYSLOG_IDENTIFIER":"sshd","__REALTIME_TIMESTAMP":"1781121362000000","MESSAGE":[104,255]}"#,
        ];
        for line in lines {
            assert_eq!(
                parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink),
                LineClass::Ignored
            );
        }
        let track = sink.activity.tracks.values().next().unwrap();
        assert_eq!(track.first, 1_781_121_361_123_456);
        assert_eq!(track.lines, 2);
    }

    #[test]
    fn broken_entries_are_malformed() {
        let mut parser = JournalJsonParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        for line in [
            r#"{"MESSAGE":"x"}"#,
            r#"{"__REALTIME_TIMESTAMP":"soon"}"#,
            // Times the output cannot write, and whose windows overflow in correlation.
            r#"{"__REALTIME_TIMESTAMP":"9223372036854775807","SYSLOG_IDENTIFIER":"t3-dispatch","MESSAGE":"ws open user=bob ip=203.0.113.22"}"#,
            r#"{"__REALTIME_TIMESTAMP":"-9223372036854775808","SYSLOG_IDENTIFIER":"t3-dispatch","MESSAGE":"ws open user=bob ip=203.0.113.22"}"#,
            r#"{"__REALTIME_TIMESTAMP":"253402300800000000","SYSLOG_IDENTIFIER":"t3-dispatch","MESSAGE":"ws open user=bob ip=203.0.113.22"}"#,
            "{not json",
            "[1,2]",
        ] {
            let class = parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink);
            assert!(
                matches!(class, LineClass::Malformed(_)),
                "{line}: {class:?}"
            );
        }
    }

    #[test]
    fn null_message_of_dispatch_is_malformed() {
        let mut parser = JournalJsonParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let line = r#"{"__REALTIME_TIMESTAMP":"1781121361123456","SYSLOG_IDENTIFIER":"t3-dispatch","MESSAGE":null}"#;
        let class = parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink);
        assert!(matches!(class, LineClass::Malformed(_)), "{class:?}");
    }

    #[test]
    fn framed_records_read_like_json_lines() {
        // One dispatch entry as `journalctl -o json`, `json-seq` and `json-sse` (systemd 252)
        // write it. Each framing must give the same event as the plain line.
        let entry = r#"{"_HOSTNAME":"devvm","__REALTIME_TIMESTAMP":"1781121361123456","SYSLOG_IDENTIFIER":"t3-dispatch","_PID":"812","MESSAGE":"2026/06/10 19:56:01 ws open user=bob ip=203.0.113.22, 10.10.1.12"}"#;
        let framed = [
            ("json", entry.to_string()),
            ("json-seq", format!("\x1e{entry}")),
            ("json-sse", format!("data: {entry}")),
            ("json-sse without the space", format!("data:{entry}")),
        ];
        let mut expected = None;
        for (mode, line) in &framed {
            let mut parser = JournalJsonParser::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            let class = parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink);
            assert_eq!(class, LineClass::Used, "{mode}");
            assert_eq!(sink.events.len(), 1, "{mode}");
            let event = &sink.events[0];
            assert_eq!(event.time, 1_781_121_361_123_456, "{mode}");
            // The evidence text is the message, from which the pod address can be read.
            assert_eq!(
                &*event.text, "2026/06/10 19:56:01 ws open user=bob ip=203.0.113.22, 10.10.1.12",
                "{mode}"
            );
            assert_eq!(
                crate::parse::dispatch::ws_open_pod(event.text.as_bytes()),
                Some("10.10.1.12".parse().unwrap()),
                "{mode}"
            );
            let seen = format!("{:?}", event.kind);
            assert_eq!(
                expected.get_or_insert_with(|| seen.clone()),
                &seen,
                "{mode}"
            );
        }
    }

    #[test]
    fn framing_lines_without_an_entry() {
        let mut parser = JournalJsonParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        // (line, expected class): the blank line between two `json-sse` events is ignored,
        // and a frame around nothing or around text that is not JSON is malformed.
        let cases: [(&[u8], bool); 5] = [
            (b"", false),
            (b"   ", false),
            (b"\x1e", true),
            (b"data: ", true),
            (b"data: not json", true),
        ];
        for (line, malformed) in cases {
            let class = parser.parse_line(line, &LineCtx::plain(1), &mut sink);
            let text = String::from_utf8_lossy(line);
            if malformed {
                assert!(
                    matches!(class, LineClass::Malformed(_)),
                    "{text:?}: {class:?}"
                );
            } else {
                assert_eq!(class, LineClass::Ignored, "{text:?}");
            }
        }
    }

    #[test]
    fn sniff_scores() {
        assert_eq!(
            sniff(br#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1"}"#),
            2
        );
        assert_eq!(sniff(br#"{"level":"error","connIndex":2}"#), 0);
        assert_eq!(sniff(b"\x1e{\"__REALTIME_TIMESTAMP\":\"1\"}"), 2);
        assert_eq!(sniff(br#"data: {"__REALTIME_TIMESTAMP":"1"}"#), 2);
        assert_eq!(sniff(b"data: hello"), 0);
        assert_eq!(sniff(b"plain"), 0);
    }
}
