//! Tests of a t3 serve header's time of day placed by its journal entry's time, read through
//! `JournalParser`. The tests of the placement functions alone are in journal_tod.rs.

use super::*;

#[test]
fn serve_header_in_loki_zone_warns_once() {
    // A Berlin devvm's serve header in an export whose entry time is exact, read without
    // --tz: the event takes the entry's instant, and the input is warned about.
    let mut parser = JournalParser::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    let prefix = Prefix {
        host: b"",
        identifier: b"t3",
        pid: None,
        message: b"[21:20:09.191] INFO (#1): T3 Code running on http://127.0.0.1:3774",
    };
    let entry = utc("2026-06-10T19:20:09.193Z");
    for _ in 0..2 {
        let class = parser.handle(
            Program::Serve(Some("bob".into())),
            Stamp::Real(entry, Precision::Micro),
            &prefix,
            prefix.message,
            &LineCtx::plain(1),
            &mut sink,
        );
        assert_eq!(class, LineClass::Used);
    }
    let times: Vec<i64> = sink.events.iter().map(|e| e.time).collect();
    assert_eq!(times, vec![utc("2026-06-10T19:20:09.191Z"); 2]);
    assert_eq!(sink.serve_time_of_day.tz.count, 2);
    let warnings = sink.serve_time_of_day.warnings("j.jsonl");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert!(warning.contains("(the first by +2.0 h)"), "{warning}");
    assert!(warning.contains("set --tz"), "{warning}");
}

#[test]
fn serve_time_of_day_reads_in_line_offset() {
    // A serve's header time is the host's local time, which an ISO line's offset names,
    // whatever --tz is. Each case: the lines, --tz, the git timeout's UTC time.
    let cases = [
        (
            [
                "2026-06-10T21:41:02+02:00 devvm t3[4723]: [21:41:02.860] WARN (#252): git remote status refresh failed",
                "2026-06-10T21:41:02+02:00 devvm t3[4723]:   Command failed: git fetch --quiet origin: timed out.",
            ],
            "UTC",
            "2026-06-10T19:41:02.86Z",
        ),
        (
            [
                "2026-06-10T19:41:02+00:00 devvm t3[4723]: [19:41:02.860] WARN (#252): git remote status refresh failed",
                "2026-06-10T19:41:02+00:00 devvm t3[4723]:   Command failed: git fetch --quiet origin: timed out.",
            ],
            "Europe/Berlin",
            "2026-06-10T19:41:02.86Z",
        ),
        (
            [
                "2026-06-10T21:41:02.861234+02:00 devvm t3[4723]: [21:41:02.860] WARN (#252): git remote status refresh failed timed out",
                "2026-06-10T21:41:02.861300+02:00 devvm t3[4723]: another line",
            ],
            "UTC",
            "2026-06-10T19:41:02.86Z",
        ),
    ];
    for (lines, zone, expected) in cases {
        let options = ParseOptions {
            zone: Zone::parse(zone).unwrap(),
            ..ParseOptions::default()
        };
        let (_, sink) = parse_with(&options, &lines);
        let timeout = sink
            .events
            .iter()
            .find(|e| matches!(e.kind, EventKind::ServeGitTimeout { .. }))
            .unwrap_or_else(|| panic!("no timeout: {lines:?}"));
        assert_eq!(timeout.time, utc(expected), "{lines:?} with --tz {zone}");
    }
}

#[test]
fn serve_time_of_day_placed_by_entry_time() {
    // A serve header carries devvm's local time of day. When journalctl ran in another
    // zone, the line's offset (`short-iso`) or local time (`short`) is not devvm's, and
    // the entry's time decides the instant. Within the slack, the header's own time wins.
    struct Case {
        name: &'static str,
        lines: [&'static str; 2],
        tz: &'static str,
        timeout: &'static str,
        /// The expected mismatches in the line's offset and on the line's local clock.
        line_offset: u64,
        line_local_time: u64,
    }
    let header = "WARN (#355): git remote status refresh failed";
    let detail = "  Command failed: git fetch --quiet origin: timed out.";
    let cases = [
        Case {
            name: "iso printed in Berlin, devvm on UTC",
            lines: [
                "2026-03-14T11:14:00.500000+01:00 devvm t3[5103]: [10:14:00.500] HEADER",
                "2026-03-14T11:14:00.501000+01:00 devvm t3[5103]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-03-14T10:14:00.5Z",
            line_offset: 1,
            line_local_time: 0,
        },
        Case {
            name: "iso printed in Berlin, --tz has no effect",
            lines: [
                "2026-03-14T11:14:00.500000+01:00 devvm t3[5103]: [10:14:00.500] HEADER",
                "2026-03-14T11:14:00.501000+01:00 devvm t3[5103]: DETAIL",
            ],
            tz: "Europe/Berlin",
            timeout: "2026-03-14T10:14:00.5Z",
            line_offset: 1,
            line_local_time: 0,
        },
        Case {
            name: "iso printed in New York, devvm on UTC, whole-second mode",
            lines: [
                "2026-03-14T05:14:00-05:00 devvm t3[5103]: [10:14:00.500] HEADER",
                "2026-03-14T05:14:00-05:00 devvm t3[5103]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-03-14T10:14:00.5Z",
            line_offset: 1,
            line_local_time: 0,
        },
        Case {
            name: "iso on devvm in Berlin summer time",
            lines: [
                "2026-06-10T21:41:02.861234+02:00 devvm t3[4723]: [21:41:02.860] HEADER",
                "2026-06-10T21:41:02.861300+02:00 devvm t3[4723]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-06-10T19:41:02.86Z",
            line_offset: 0,
            line_local_time: 0,
        },
        Case {
            name: "iso stamped 4 s late by a stalled host",
            lines: [
                "2026-06-10T19:41:06.900000+00:00 devvm t3[4723]: [19:41:02.860] HEADER",
                "2026-06-10T19:41:06.900100+00:00 devvm t3[4723]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-06-10T19:41:02.86Z",
            line_offset: 0,
            line_local_time: 0,
        },
        Case {
            name: "iso printed in Berlin and stamped 4 s late",
            lines: [
                "2026-06-10T21:41:06.900000+02:00 devvm t3[4723]: [19:41:02.860] HEADER",
                "2026-06-10T21:41:06.900100+02:00 devvm t3[4723]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-06-10T19:41:02.86Z",
            line_offset: 1,
            line_local_time: 0,
        },
        Case {
            name: "iso stamped 7 minutes late keeps the header's time",
            lines: [
                "2026-06-10T19:48:02.900000+00:00 devvm t3[4723]: [19:41:02.860] HEADER",
                "2026-06-10T19:48:02.900100+00:00 devvm t3[4723]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-06-10T19:41:02.86Z",
            line_offset: 0,
            line_local_time: 0,
        },
        Case {
            name: "iso printed in Berlin and stamped 8 s late",
            lines: [
                "2026-06-10T21:41:10.900000+02:00 devvm t3[4723]: [19:41:02.860] HEADER",
                "2026-06-10T21:41:10.900100+02:00 devvm t3[4723]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-06-10T19:41:02.86Z",
            line_offset: 1,
            line_local_time: 0,
        },
        Case {
            name: "short printed in Berlin, devvm on UTC, right --tz",
            lines: [
                "Mar 14 11:14:00 devvm t3[5103]: [10:14:00.500] HEADER",
                "Mar 14 11:14:00 devvm t3[5103]: DETAIL",
            ],
            tz: "Europe/Berlin",
            timeout: "2026-03-14T10:14:00.5Z",
            line_offset: 0,
            line_local_time: 1,
        },
        Case {
            name: "short-precise printed in Berlin summer time, devvm on UTC",
            lines: [
                "Jun 10 21:41:02.861234 devvm t3[4723]: [19:41:02.860] HEADER",
                "Jun 10 21:41:02.861300 devvm t3[4723]: DETAIL",
            ],
            tz: "Europe/Berlin",
            timeout: "2026-06-10T19:41:02.86Z",
            line_offset: 0,
            line_local_time: 1,
        },
        Case {
            name: "short on devvm in Berlin",
            lines: [
                "Mar 14 11:14:00 devvm t3[5103]: [11:14:00.500] HEADER",
                "Mar 14 11:14:00 devvm t3[5103]: DETAIL",
            ],
            tz: "Europe/Berlin",
            timeout: "2026-03-14T10:14:00.5Z",
            line_offset: 0,
            line_local_time: 0,
        },
        Case {
            name: "short on UTC, stamped 4 s late",
            lines: [
                "Mar 14 10:14:04 devvm t3[5103]: [10:14:00.500] HEADER",
                "Mar 14 10:14:04 devvm t3[5103]: DETAIL",
            ],
            tz: "UTC",
            timeout: "2026-03-14T10:14:00.5Z",
            line_offset: 0,
            line_local_time: 0,
        },
        Case {
            name: "short printed in Berlin, stamped 4 s late",
            lines: [
                "Mar 14 11:14:04 devvm t3[5103]: [10:14:00.500] HEADER",
                "Mar 14 11:14:04 devvm t3[5103]: DETAIL",
            ],
            tz: "Europe/Berlin",
            timeout: "2026-03-14T10:14:00.5Z",
            line_offset: 0,
            line_local_time: 1,
        },
    ];
    for case in cases {
        let options = ParseOptions {
            zone: Zone::parse(case.tz).unwrap(),
            year: Some(2026),
            ..ParseOptions::default()
        };
        let lines = case
            .lines
            .map(|line| line.replace("HEADER", header).replace("DETAIL", detail));
        let (_, sink) = parse_with(&options, &lines);
        let timeout = sink
            .events
            .iter()
            .find(|e| matches!(e.kind, EventKind::ServeGitTimeout { .. }))
            .unwrap_or_else(|| panic!("{}: no timeout", case.name));
        assert_eq!(timeout.time, utc(case.timeout), "{}", case.name);
        let mismatches = sink.serve_time_of_day;
        assert_eq!(mismatches.tz.count, 0, "{}", case.name);
        assert_eq!(
            mismatches.line_offset.count, case.line_offset,
            "{}",
            case.name
        );
        assert_eq!(
            mismatches.line_local_time.count, case.line_local_time,
            "{}",
            case.name
        );
    }
}
