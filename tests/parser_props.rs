//! Bounded property tests for the parsers that have no property test beside them: arbitrary
//! and mutated lines never panic, and every line is accounted for exactly once.

use proptest::prelude::*;
use t3forensics::event::EventKind;
use t3forensics::input::detect;
use t3forensics::parse::client::client_of_chain;
use t3forensics::parse::journal::JournalParser;
use t3forensics::parse::journal_json::JournalJsonParser;
use t3forensics::parse::{LineClass, LineCtx, LineParser, ParseOptions, Sink};

const JOURNAL_LINES: &[&str] = &[
    "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: 2026/06/10 19:56:01 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
    "Jun 10 19:56:01 devvm t3-dispatch[812]: 2026/06/10 19:56:01 ws open user=alice ip=203.0.113.7, 10.10.1.12",
    "Wed 2026-06-10 19:55:40 UTC devvm t3-serve@bob.service[4711]: [19:55:40.120] WARN (#412): git remote status refresh failed",
    "1781121361.123456 devvm kernel: oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/system.slice/system-t3\\x2dserve.slice/t3-serve@bob.service,task=node,pid=4711,uid=1000",
    "2026-06-10T19:56:05.123456+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.",
    "2026-06-10T21:30:14+02:00 gw cloudflared[77]: 2026-06-10T19:30:12Z INF Unregistered tunnel connection connIndex=2 event=0 ip=198.41.192.7",
    "-- Boot 0123456789abcdef0123456789abcdef --",
];

const JSON_LINES: &[&str] = &[
    r#"{"__REALTIME_TIMESTAMP":"1781121361123456","SYSLOG_IDENTIFIER":"t3-dispatch","_PID":"812","MESSAGE":"2026/06/10 19:56:01 ws close user=alice ip=203.0.113.7 dur_ms=5 cause=graceful"}"#,
    r#"{"MESSAGE":[104,105,255],"__REALTIME_TIMESTAMP":"1781121361123456","SYSLOG_IDENTIFIER":"t3","_SYSTEMD_UNIT":"t3-serve@bob.service"}"#,
    r#"{"__REALTIME_TIMESTAMP":"1781121361123456","SYSLOG_IDENTIFIER":"t3-dispatch","MESSAGE":null}"#,
];

/// A valid line with a few bytes replaced, inserted or cut.
fn mutated(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(pool),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..6),
    )
        .prop_map(|(line, edits)| {
            let mut bytes = line.as_bytes().to_vec();
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            bytes
        })
}

fn any_line(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => mutated(pool),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

/// Feeds lines to a parser and checks the accounting invariants.
fn feed(parser: &mut dyn LineParser, lines: &[Vec<u8>]) {
    let mut sink = Sink::new(0);
    for (n, line) in lines.iter().enumerate() {
        let before = sink.events.len();
        let class = parser.parse_line(line, &LineCtx::plain(n as u64 + 1), &mut sink);
        // A journal line after a long silence also adds a silence event, whatever its class.
        let silences = sink.events[before..]
            .iter()
            .filter(|e| matches!(e.kind, EventKind::JournalSilence { .. }))
            .count();
        assert!(silences <= 1, "at most one silence event per line");
        let added = sink.events.len() - before - silences;
        match class {
            LineClass::Used => assert_eq!(added, 1, "a used line adds one event"),
            _ => assert_eq!(added, 0, "an ignored or malformed line adds none"),
        }
        for event in &sink.events[before..] {
            assert_eq!(event.origin.line(), n as u64 + 1);
        }
    }
    parser.finish(&mut sink).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn journal_text_lines(lines in prop::collection::vec(any_line(JOURNAL_LINES), 1..20)) {
        feed(&mut JournalParser::new(&ParseOptions::default()), &lines);
    }

    #[test]
    fn journal_json_lines(lines in prop::collection::vec(any_line(JSON_LINES), 1..20)) {
        feed(&mut JournalJsonParser::new(&ParseOptions::default()), &lines);
    }

    #[test]
    fn client_chain_never_panics(chain in any_line(&["203.0.113.7, 10.10.1.12", "[2001:db8::7]:443", "1.2.3.4 dur_ms=1, 203.0.113.7"])) {
        let _ = client_of_chain(&chain);
    }

    #[test]
    fn detection_never_panics(lines in prop::collection::vec(any_line(JOURNAL_LINES), 0..30)) {
        let _ = detect::detect(lines.iter().map(Vec::as_slice));
    }
}
