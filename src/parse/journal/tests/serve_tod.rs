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
    assert!(
        warning.starts_with("j.jsonl: 2 of 2 t3 serve header"),
        "{warning}"
    );
    assert!(
        warning.contains("(the first on line 1, by +2.0 h)"),
        "{warning}"
    );
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

/// Returns the serve header tallies of `lines` read with `--tz` `tz`.
fn header_tallies(lines: &[&str], tz: &str) -> TimeOfDayMismatch {
    let options = ParseOptions {
        zone: Zone::parse(tz).unwrap(),
        year: Some(2026),
        ..ParseOptions::default()
    };
    let (_, sink) = parse_with(&options, lines);
    sink.serve_time_of_day
}

#[test]
fn every_serve_header_compared() {
    // A journal printed in Berlin (`+02:00`) of a devvm on UTC: every header lies 2 h off,
    // whether it becomes an event (the git timeout) or not (the INFO lines). The detail line
    // is no header and is not counted.
    let lines = [
        "2026-06-10T21:40:00+02:00 devvm t3[4723]: [19:40:00.100] INFO (#1): opened project /home/bob/web",
        "2026-06-10T21:41:02+02:00 devvm t3[4723]: [19:41:02.860] WARN (#252): git remote status refresh failed",
        "2026-06-10T21:41:02+02:00 devvm t3[4723]:   Command failed: git fetch --quiet origin: timed out.",
        "2026-06-10T21:42:00+02:00 devvm t3[4723]: [19:42:00.000] INFO (#3): opened project /home/bob/x",
        "2026-06-10T21:42:01+02:00 devvm sshd[99]: Accepted publickey for bob",
    ];
    let tallies = header_tallies(&lines, "UTC");
    let tally = tallies.line_offset;
    assert_eq!(tally.compared, 3);
    assert_eq!(tally.count, 3);
    // The first header that disagrees, not the detail line of the first event.
    assert_eq!(tally.first, Some((1, -2 * 3600 * SECOND + 100_000)));
    assert_eq!(tallies.tz.compared, 0);
    assert_eq!(tallies.line_local_time.compared, 0);
}

#[test]
fn serve_header_comparison_per_mode() {
    let hour = 3600 * SECOND;
    // (case, lines, --tz, the reading's tally: compared, disagreeing, first line and mismatch)
    type Case<'a> = (
        &'a str,
        Vec<&'a str>,
        &'a str,
        TimeOfDayReading,
        (u64, u64, Option<(u64, i64)>),
    );
    let cases: Vec<Case> = vec![
        (
            "short-iso agreeing, one header across a minute",
            vec![
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:39:59.990] INFO (#1): a",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:40:00.010] INFO (#2): b",
                "2026-06-10T19:40:07+00:00 devvm t3[4723]: [19:40:03.000] INFO (#3): stamped 4 s late",
            ],
            "UTC",
            TimeOfDayReading::LineOffset,
            (3, 0, None),
        ),
        (
            // After the first mismatch, headers whose minutes lie 9 or more from the line's
            // count without their seconds, and 7 or 8 minutes away are read whole.
            "short-iso around the rounding to a quarter hour",
            vec![
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [21:40:00.000] INFO (#1): +2 h",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:47:29.900] INFO (#2): +449.9 s",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:47:30.100] INFO (#3): +450.1 s",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:46:59.000] INFO (#4): +419 s",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:49:00.000] INFO (#5): +9 min",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [23:40:00.000] INFO (#6): +4 h",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:32:29.000] INFO (#7): -451 s",
                "2026-06-10T19:40:00+00:00 devvm t3[4723]: [19:32:31.000] INFO (#8): -449 s",
            ],
            "UTC",
            TimeOfDayReading::LineOffset,
            (8, 5, Some((1, 2 * hour))),
        ),
        (
            "short-iso-precise printed in New York, devvm on UTC",
            vec![
                "2026-06-10T15:40:00.120000-04:00 devvm t3[4723]: [19:40:00.100] INFO (#1): a",
                "2026-06-10T15:40:00.130000-04:00 devvm t3[4723]: [19:40:00.125] INFO (#2): b",
            ],
            "UTC",
            TimeOfDayReading::LineOffset,
            (2, 2, Some((1, 4 * hour - 20_000))),
        ),
        (
            "short printed in Berlin, devvm on UTC",
            vec![
                "Jun 10 21:40:00 devvm t3[4723]: [19:40:00.100] INFO (#1): a",
                "Jun 10 21:40:01 devvm t3[4723]: [19:40:01.100] INFO (#2): b",
            ],
            "Europe/Berlin",
            TimeOfDayReading::LineLocalTime,
            (2, 2, Some((1, -2 * hour + 100_000))),
        ),
        (
            "short on UTC across midnight",
            vec!["Jun 11 00:00:00 devvm t3[4723]: [23:59:59.900] INFO (#1): a"],
            "UTC",
            TimeOfDayReading::LineLocalTime,
            (1, 0, None),
        ),
        (
            "with-unit in --tz, devvm on UTC",
            vec![
                "Wed 2026-06-10 21:40:00 CEST devvm t3-serve@bob.service[4723]: [19:40:00.100] INFO (#1): a",
            ],
            "Europe/Berlin",
            TimeOfDayReading::Tz,
            (1, 1, Some((1, -2 * hour + 100_000))),
        ),
        (
            "with-unit in --tz on devvm's zone",
            vec![
                "Wed 2026-06-10 21:40:00 CEST devvm t3-serve@bob.service[4723]: [21:40:00.100] INFO (#1): a",
            ],
            "Europe/Berlin",
            TimeOfDayReading::Tz,
            (1, 0, None),
        ),
        (
            // Berlin changes to summer time at 2026-03-29T01:00:00Z. A devvm in Berlin wrote
            // 01:59:59 CET two seconds before the first line, and a devvm on UTC wrote the
            // third header: no one offset reads all three.
            "with-unit next to a DST change of --tz",
            vec![
                "Sun 2026-03-29 03:00:01 CEST devvm t3-serve@bob.service[4723]: [01:59:59.000] INFO (#1): a",
                "Sun 2026-03-29 03:00:02 CEST devvm t3-serve@bob.service[4723]: [03:00:01.900] INFO (#2): b",
                "Sun 2026-03-29 03:00:02 CEST devvm t3-serve@bob.service[4723]: [01:00:00.000] INFO (#3): c",
            ],
            "Europe/Berlin",
            TimeOfDayReading::Tz,
            (3, 1, Some((3, -hour - 2 * SECOND))),
        ),
    ];
    for (case, lines, tz, reading, (compared, count, first)) in cases {
        let mut tallies = header_tallies(&lines, tz);
        let tally = *tallies.tally(reading);
        assert_eq!(tally.compared, compared, "{case}");
        assert_eq!(tally.count, count, "{case}");
        assert_eq!(tally.first, first, "{case}");
    }
}

#[test]
fn serve_header_without_line_clock_compared() {
    // Entries with an exact time and no clock in their line (JSON, export, Loki): the header
    // is compared with the entry time read in --tz.
    let berlin = ParseOptions {
        zone: Zone::parse("Europe/Berlin").unwrap(),
        ..ParseOptions::default()
    };
    let mut parser = JournalParser::new(&berlin);
    let mut sink = Sink::new(0);
    let entries = [
        // Berlin's time of day in Berlin, the same minute, the next minute, and UTC's.
        ("[21:20:09.191] INFO (#1): a", "2026-06-10T19:20:09.193Z"),
        ("[21:20:59.990] INFO (#2): b", "2026-06-10T19:21:00.010Z"),
        ("[19:20:10.000] INFO (#3): c", "2026-06-10T19:20:10.002Z"),
        ("no header at all", "2026-06-10T19:20:11Z"),
    ];
    for (n, (message, time)) in entries.iter().enumerate() {
        let prefix = Prefix {
            host: b"",
            identifier: b"t3",
            pid: None,
            message: message.as_bytes(),
        };
        parser.handle(
            Program::Serve(Some("bob".into())),
            Stamp::Real(utc(time), Precision::Micro),
            &prefix,
            prefix.message,
            &LineCtx::plain(n as u64 + 1),
            &mut sink,
        );
    }
    let tally = sink.serve_time_of_day.tz;
    assert_eq!(tally.compared, 3);
    assert_eq!(tally.count, 1);
    assert_eq!(tally.first, Some((3, -2 * 3600 * SECOND - 2_000)));
}
