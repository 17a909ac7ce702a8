//! `journalctl -o export` tests: framing traps, then routing.

use proptest::prelude::*;

use super::*;
use crate::event::{EventKind, Source};

fn text(key: &str, value: &str) -> Vec<u8> {
    format!("{key}={value}\n").into_bytes()
}

fn binary(key: &str, value: &[u8]) -> Vec<u8> {
    let mut out = format!("{key}\n").into_bytes();
    out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    out.extend_from_slice(value);
    out.push(b'\n');
    out
}

fn read(input: &[u8]) -> (Vec<(u64, LineClass)>, Sink, JournalExportReader) {
    let mut reader = JournalExportReader::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    let mut classes = Vec::new();
    let bytes = reader
        .read_records(&mut &input[..], &mut sink, &mut |line, class| {
            classes.push((line, class))
        })
        .unwrap();
    assert_eq!(bytes, input.len() as u64);
    (classes, sink, reader)
}

const CLOSE: &str = "2026/06/10 19:30:12 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful";

#[test]
fn text_entries_route_by_identifier_and_unit() {
    let mut input = Vec::new();
    input.extend(text("__CURSOR", "s=1;i=2"));
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812654321"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(text("_PID", "812"));
    input.extend(text("MESSAGE", CLOSE));
    input.push(b'\n');
    input.extend(text("__REALTIME_TIMESTAMP", "1781119813000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3"));
    input.extend(text("_SYSTEMD_UNIT", "t3-serve@bob.service"));
    input.extend(text("MESSAGE", "[19:30:12.900] INFO (#1): T3 Code running"));
    input.push(b'\n');
    let (classes, sink, _) = read(&input);
    assert_eq!(classes, vec![(1, LineClass::Used), (7, LineClass::Used)]);
    assert_eq!(sink.events[0].kind.name(), "ws_close");
    assert_eq!(sink.events[0].time, 1_781_119_812_654_321);
    assert_eq!(sink.events[0].source, Source::Journal);
    // The unit names the serve's user.
    assert_eq!(sink.events[1].kind.user(), Some("bob"));
}

#[test]
fn binary_fields_hold_newlines_and_length_bytes() {
    // A message with a newline is binary; a length of 10 is the byte 0x0a, a newline too.
    let message = format!("{CLOSE}\n");
    let mut input = Vec::new();
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
    input.extend(binary("SYSLOG_RAW", b"<30>x\n\r\n\n"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(binary("MESSAGE", message.as_bytes()));
    input.push(b'\n');
    input.extend(text("__REALTIME_TIMESTAMP", "1781119813000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(text("MESSAGE", CLOSE));
    input.push(b'\n');
    let (classes, sink, _) = read(&input);
    assert_eq!(classes.len(), 2);
    assert_eq!(classes[0], (1, LineClass::Used));
    assert_eq!(classes[1].1, LineClass::Used);
    // Line numbers count every newline byte, those inside binary values included.
    let second_start = input
        .windows(21)
        .rposition(|w| w == b"__REALTIME_TIMESTAMP=")
        .unwrap();
    let expected = input[..second_start]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1;
    assert_eq!(classes[1].0, expected);
    assert_eq!(sink.events.len(), 2);
}

#[test]
fn non_utf8_message_bytes_are_kept() {
    let mut message = b"2026/06/10 19:30:12 http: proxy error: context canceled ".to_vec();
    message.push(0xff);
    let mut input = Vec::new();
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(binary("MESSAGE", &message));
    input.push(b'\n');
    let (classes, sink, _) = read(&input);
    assert_eq!(classes, vec![(1, LineClass::Used)]);
    assert!(
        sink.events[0].text.contains("\\xff"),
        "{}",
        sink.events[0].text
    );
}

#[test]
fn repeated_field_keeps_first_value() {
    let mut input = Vec::new();
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(text("SYSLOG_IDENTIFIER", "sshd"));
    input.extend(text("MESSAGE", CLOSE));
    let (classes, _, _) = read(&input);
    // No blank line at the end: the last entry still counts.
    assert_eq!(classes, vec![(1, LineClass::Used)]);
}

#[test]
fn broken_entries() {
    let mut input = Vec::new();
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(text("MESSAGE", CLOSE));
    input.push(b'\n');
    input.extend(text("__REALTIME_TIMESTAMP", "soon"));
    input.push(b'\n');
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "sshd"));
    input.push(b'\n');
    let (classes, _, _) = read(&input);
    assert_eq!(
        classes,
        vec![
            (
                1,
                LineClass::Malformed("entry without __REALTIME_TIMESTAMP")
            ),
            (
                4,
                LineClass::Malformed("__REALTIME_TIMESTAMP is not a number of microseconds")
            ),
            // Another program without a MESSAGE is of no interest.
            (6, LineClass::Ignored),
        ]
    );
}

#[test]
fn truncated_binary_field_is_noted() {
    let mut input = Vec::new();
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(b"MESSAGE\n");
    input.extend(100u64.to_le_bytes());
    input.extend(b"short");
    let (classes, _, reader) = read(&input);
    assert_eq!(classes.len(), 1);
    assert!(matches!(classes[0].1, LineClass::Malformed(_)));
    assert_eq!(reader.notes("x").len(), 1);
    assert!(reader.cut().is_some(), "--strict fails on it");
}

/// Builds an entry with a dispatch close in a binary MESSAGE whose length field is `len`
/// instead of the value's length, then a good text entry.
fn entry_with_binary_length(len: u64) -> Vec<u8> {
    let mut input = Vec::new();
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(b"MESSAGE\n");
    input.extend(len.to_le_bytes());
    input.extend(CLOSE.as_bytes());
    input.push(b'\n');
    input.extend(text("_PID", "812"));
    input.push(b'\n');
    input.extend(text("__REALTIME_TIMESTAMP", "1781119813000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(text("MESSAGE", CLOSE));
    input.push(b'\n');
    input
}

#[test]
fn wrong_binary_length_skips_one_entry() {
    // (length field, why it is wrong): too short, and too long by 3 bytes, which runs into the
    // `_PID=812` line so that the byte after the value is no newline.
    let cases = [
        (CLOSE.len() as u64 - 20, "short"),
        (CLOSE.len() as u64 + 3, "long"),
    ];
    for (len, name) in cases {
        let input = entry_with_binary_length(len);
        let (classes, sink, reader) = read(&input);
        assert_eq!(classes.len(), 2, "{name}: {classes:?}");
        assert_eq!(classes[0], (1, FRAMING_LOST), "{name}");
        assert_eq!(classes[1], (7, LineClass::Used), "{name}");
        assert_eq!(sink.events.len(), 1, "{name}");
        assert_eq!(reader.cut(), None, "{name}");
    }
}

/// Builds the entry of `entry_with_binary_length` followed by `count` text entries of one
/// close each, five lines apiece.
fn entries_after_bad_length(len: u64, count: usize) -> Vec<u8> {
    let mut input = entry_with_binary_length(len);
    for i in 0..count {
        input.extend(text(
            "__REALTIME_TIMESTAMP",
            &format!("17811198{}0000000", 14 + i),
        ));
        input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
        input.extend(text("_PID", "812"));
        input.extend(text("MESSAGE", CLOSE));
        input.push(b'\n');
    }
    input
}

#[test]
fn length_past_following_entries_reads_them_again() {
    // (length field, why): far into the entries after it, past the end of the input, and
    // beyond any journal field.
    let cases = [
        (CLOSE.len() as u64 + 400, "inside later entries"),
        (100_000, "past the end"),
        (u64::MAX, "garbage"),
    ];
    for (len, name) in cases {
        let input = entries_after_bad_length(len, 5);
        let (classes, sink, reader) = read(&input);
        let lines: Vec<u64> = classes.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![1, 7, 11, 16, 21, 26, 31], "{name}: {classes:?}");
        assert_eq!(classes[0].1, FRAMING_LOST, "{name}");
        assert!(
            classes[1..].iter().all(|(_, c)| *c == LineClass::Used),
            "{name}: {classes:?}"
        );
        // Entries far apart in time add silence events, which this count leaves out.
        let closes = sink
            .events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::JournalSilence { .. }))
            .count();
        assert_eq!(closes, 6, "{name}");
        assert_eq!(reader.cut(), None, "{name}");
    }
}

#[test]
fn right_binary_length_reads_both_entries() {
    let input = entry_with_binary_length(CLOSE.len() as u64);
    let (classes, sink, _) = read(&input);
    assert_eq!(classes, vec![(1, LineClass::Used), (7, LineClass::Used)]);
    assert_eq!(sink.events.len(), 2);
}

#[test]
fn last_entry_without_blank_line_is_noted() {
    let mut input = Vec::new();
    input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
    input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
    input.extend(text("MESSAGE", CLOSE));
    let (classes, _, reader) = read(&input);
    assert_eq!(
        classes,
        vec![(1, LineClass::Used)],
        "its fields still count"
    );
    let notes = reader.notes("x");
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("no closing blank line"), "{notes:?}");
    assert!(reader.cut().is_some(), "--strict fails on it");

    input.push(b'\n');
    let (_, _, reader) = read(&input);
    assert!(reader.notes("x").is_empty(), "a closed entry is complete");
}

#[test]
fn export_head_detection() {
    assert!(is_export_head(
        b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1\nMESSAGE=x\n"
    ));
    assert!(is_export_head(
        b"__REALTIME_TIMESTAMP=1\nMESSAGE\n\x05\0\0\0\0\0\0\0hello\n"
    ));
    assert!(!is_export_head(b"MESSAGE=x\n"));
    assert!(!is_export_head(b"time=\"2026\" level=info msg=x\n"));
    assert!(!is_export_head(b"2026-06-10T19:30:12Z INF x\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut reader = JournalExportReader::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let _ = reader.read_records(&mut &bytes[..], &mut sink, &mut |_, _| {});
        is_export_head(&bytes);
    }

    #[test]
    fn mutated_entries_never_panic(cut in 0usize..300, byte in any::<u8>(), at in 0usize..300) {
        let mut input = Vec::new();
        input.extend(text("__REALTIME_TIMESTAMP", "1781119812000000"));
        input.extend(text("SYSLOG_IDENTIFIER", "t3-dispatch"));
        input.extend(binary("MESSAGE", CLOSE.as_bytes()));
        input.push(b'\n');
        input.truncate(cut.max(1));
        let at = at % input.len();
        input[at] = byte;
        let mut reader = JournalExportReader::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let _ = reader.read_records(&mut &input[..], &mut sink, &mut |_, _| {});
    }
}
