//! Tests of `short` lines, which carry no year: the provisional calendar, the year taken
//! from Go `log` dates or `--year`, New Year steps in either order, and the hour that the DST
//! fall-back repeats.

use super::*;

#[test]
fn short_is_provisional_until_year_known() {
    let mut parser = JournalParser::new(&ParseOptions::default());
    let (stamp, _) = parser.stamp(b"Jun 10 19:56:01 devvm t3[4711]: x").unwrap();
    let Stamp::Provisional(t, Precision::Second, _) = stamp else {
        panic!("{stamp:?}")
    };
    assert_eq!(
        real_time(t, 2026, Zone::Utc, Fold::Earlier),
        Some(utc("2026-06-10T19:56:01Z"))
    );
    // Space-padded day and microseconds.
    let (stamp, _) = parser
        .stamp(b"Jun  1 19:56:01.500000 devvm t3[4711]: x")
        .unwrap();
    let Stamp::Provisional(t, Precision::Micro, _) = stamp else {
        panic!("{stamp:?}")
    };
    assert_eq!(
        real_time(t, 2026, Zone::Utc, Fold::Earlier),
        Some(utc("2026-06-01T19:56:01.5Z"))
    );
}

#[test]
fn short_year_changes_in_either_order() {
    // Each case: `short` timestamps in file order, and their times with 2026 as the year of
    // the first line's roll-over.
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "time order",
            &[
                ("Dec 31 23:59:59", "2026-12-31T23:59:59Z"),
                ("Jan  1 00:00:01", "2027-01-01T00:00:01Z"),
                ("Jan  1 00:00:02", "2027-01-01T00:00:02Z"),
            ],
        ),
        (
            "newest first (journalctl -r)",
            &[
                ("Jan  1 00:00:01", "2026-01-01T00:00:01Z"),
                ("Dec 31 23:59:59", "2025-12-31T23:59:59Z"),
                ("Dec 31 23:59:58", "2025-12-31T23:59:58Z"),
            ],
        ),
        (
            "newest first over two New Years",
            &[
                ("Jan  2 10:00:00", "2026-01-02T10:00:00Z"),
                ("Dec 30 10:00:00", "2025-12-30T10:00:00Z"),
                ("Jun 10 10:00:00", "2025-06-10T10:00:00Z"),
                ("Jan  1 10:00:00", "2025-01-01T10:00:00Z"),
                ("Dec 31 10:00:00", "2024-12-31T10:00:00Z"),
            ],
        ),
        (
            "time order stepping back across midnight",
            &[
                ("Dec 31 23:59:59", "2026-12-31T23:59:59Z"),
                ("Jan  1 00:00:01", "2027-01-01T00:00:01Z"),
                ("Dec 31 23:59:58", "2026-12-31T23:59:58Z"),
                ("Jan  1 00:00:02", "2027-01-01T00:00:02Z"),
            ],
        ),
    ];
    for (name, lines) in cases {
        let mut parser = JournalParser::new(&ParseOptions::default());
        for (stamp, expected) in *lines {
            let line = format!("{stamp} devvm t3[1]: x");
            let Some((Stamp::Provisional(t, ..), _)) = parser.stamp(line.as_bytes()) else {
                panic!("{name}: {line}")
            };
            assert_eq!(
                real_time(t, 2026, Zone::Utc, Fold::Earlier),
                Some(utc(expected)),
                "{name}: {line}"
            );
        }
    }
}

/// Reads `short` timestamps in order and returns their times with 2026 as the year.
fn short_times(stamps: &[&str], newest_first: bool, zone: Zone) -> Vec<i64> {
    let options = ParseOptions {
        zone,
        ..ParseOptions::default()
    };
    let mut parser = JournalParser::new(&options);
    parser.set_newest_first(newest_first);
    stamps
        .iter()
        .map(|stamp| {
            let line = format!("{stamp} devvm sshd[1]: x");
            let Some((Stamp::Provisional(t, _, pass), _)) = parser.stamp(line.as_bytes()) else {
                panic!("{line}")
            };
            real_time(t, 2026, zone, parser.year.fold(pass)).unwrap()
        })
        .collect()
}

#[test]
fn short_times_across_dst_fall_back() {
    // Europe/Berlin repeats 02:00-03:00 on 2026-10-25: first CEST (+02:00), then CET.
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    struct Case {
        name: &'static str,
        /// Timestamps in time order, with their UTC times.
        lines: &'static [(&'static str, &'static str)],
        /// Whether the same lines printed newest first read the same times. A journal that
        /// starts inside the repeated hour cannot tell which pass it starts on.
        newest_first_too: bool,
    }
    let cases = [
        Case {
            name: "short",
            lines: &[
                ("Oct 25 01:59:59", "2026-10-24T23:59:59Z"),
                ("Oct 25 02:30:00", "2026-10-25T00:30:00Z"),
                ("Oct 25 02:59:59", "2026-10-25T00:59:59Z"),
                ("Oct 25 02:00:00", "2026-10-25T01:00:00Z"),
                ("Oct 25 02:30:00", "2026-10-25T01:30:00Z"),
                ("Oct 25 02:59:59", "2026-10-25T01:59:59Z"),
                ("Oct 25 03:00:00", "2026-10-25T02:00:00Z"),
                ("Oct 25 03:10:00", "2026-10-25T02:10:00Z"),
            ],
            newest_first_too: true,
        },
        Case {
            name: "short-precise with lines out of order by less than the step",
            lines: &[
                ("Oct 25 01:59:59.500000", "2026-10-24T23:59:59.5Z"),
                ("Oct 25 02:59:58.900000", "2026-10-25T00:59:58.9Z"),
                ("Oct 25 02:59:58.100000", "2026-10-25T00:59:58.1Z"),
                ("Oct 25 02:00:01.250000", "2026-10-25T01:00:01.25Z"),
                ("Oct 25 02:00:00.750000", "2026-10-25T01:00:00.75Z"),
                ("Oct 25 03:00:00.500000", "2026-10-25T02:00:00.5Z"),
            ],
            newest_first_too: true,
        },
        Case {
            name: "a silence through most of the first pass",
            lines: &[
                ("Oct 25 01:50:00", "2026-10-24T23:50:00Z"),
                ("Oct 25 02:40:00", "2026-10-25T00:40:00Z"),
                ("Oct 25 02:20:00", "2026-10-25T01:20:00Z"),
                ("Oct 25 03:20:00", "2026-10-25T02:20:00Z"),
            ],
            newest_first_too: true,
        },
        Case {
            name: "a clock stepped back by 10 minutes in the first pass",
            lines: &[
                ("Oct 25 02:40:00", "2026-10-25T00:40:00Z"),
                ("Oct 25 02:30:00", "2026-10-25T00:30:00Z"),
            ],
            newest_first_too: false,
        },
        Case {
            name: "the spring change skips 02:00-03:00",
            lines: &[
                ("Mar 29 01:59:59", "2026-03-29T00:59:59Z"),
                ("Mar 29 03:00:00", "2026-03-29T01:00:00Z"),
            ],
            newest_first_too: true,
        },
    ];
    for case in &cases {
        let stamps: Vec<&str> = case.lines.iter().map(|(stamp, _)| *stamp).collect();
        let expected: Vec<i64> = case.lines.iter().map(|(_, time)| utc(time)).collect();
        let in_order = short_times(&stamps, false, berlin);
        assert_eq!(in_order, expected, "{}, time order", case.name);
        if case.newest_first_too {
            let reversed: Vec<&str> = stamps.iter().rev().copied().collect();
            let mut newest_first = short_times(&reversed, true, berlin);
            newest_first.reverse();
            assert_eq!(newest_first, expected, "{}, newest first", case.name);
        }
    }
}

#[test]
fn repeated_hour_keeps_activity_of_both_passes() {
    let options = ParseOptions {
        zone: Zone::parse("Europe/Berlin").unwrap(),
        ..ParseOptions::default()
    };
    let mut parser = JournalParser::new(&options);
    let mut sink = Sink::new(0);
    let lines = [
        "Oct 25 02:30:00 devvm t3-dispatch[812]: 2026/10/25 02:30:00 t3-dispatch listening on :3780",
        "Oct 25 02:59:00 devvm sshd[1]: x",
        "Oct 25 02:00:10 devvm sshd[1]: x",
        "Oct 25 02:29:00 devvm t3-dispatch[812]: 2026/10/25 02:29:00 t3-dispatch listening on :3780",
    ];
    for (n, line) in lines.iter().enumerate() {
        parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink);
    }
    parser.finish(&mut sink).unwrap();

    // The dispatch lines' events; the lines are half an hour apart, so silence events
    // come between them.
    let times: Vec<i64> = sink
        .events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::JournalSilence { .. }))
        .map(|e| e.time)
        .collect();
    assert_eq!(
        times,
        [utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:29:00Z")]
    );
    let tracks: Vec<_> = sink.activity.tracks.values().collect();
    assert_eq!(tracks.len(), 1, "one journal track");
    let track = tracks[0];
    assert_eq!(track.first, utc("2026-10-25T00:30:00Z"));
    assert_eq!(track.last, utc("2026-10-25T01:29:00Z"));
    assert_eq!(track.lines, 4);
    for time in ["2026-10-25T00:59:00Z", "2026-10-25T01:00:10Z"] {
        assert!(track.seconds.contains(utc(time) / SECOND), "{time}");
    }
}

#[test]
fn newest_first_from_steps() {
    let cases: &[(&str, &[&str], bool)] = &[
        (
            "time order",
            &["Jun 10 19:56:01", "Jun 10 19:56:01", "Jun 10 19:56:03"],
            false,
        ),
        (
            "newest first",
            &["Jun 10 19:56:03", "Jun 10 19:56:01", "Jun 10 19:56:01"],
            true,
        ),
        (
            "newest first across New Year",
            &["Jan 01 00:00:01", "Dec 31 23:59:59", "Dec 31 23:59:58"],
            true,
        ),
        (
            "time order with one step back",
            &[
                "Jun 10 19:56:01",
                "Jun 10 19:56:05",
                "Jun 10 19:56:04",
                "Jun 10 19:56:09",
            ],
            false,
        ),
        ("one line", &["Jun 10 19:56:01"], false),
    ];
    for (name, stamps, expected) in cases {
        let lines: Vec<String> = stamps
            .iter()
            .map(|stamp| format!("{stamp} devvm sshd[1]: x"))
            .collect();
        // A journal note and a line of another mode count neither way.
        let mut with_others = vec![b"-- Boot 0123456789abcdef0123456789abcdef --".as_slice()];
        with_others.extend(lines.iter().map(|l| l.as_bytes()));
        with_others.push(b"2020-01-01T00:00:00+00:00 devvm sshd[1]: x");
        assert_eq!(runs_newest_first(with_others), *expected, "{name}");
    }
}

#[test]
fn go_dates_contradicting_year_are_noted() {
    let dispatch = |stamp: &str, go: &str| {
        format!("{stamp} devvm t3-dispatch[812]: {go} t3-dispatch listening on :3780")
    };
    struct Case {
        name: &'static str,
        lines: Vec<String>,
        year: Option<i32>,
        /// The start of the expected note, or `None` for no note.
        note: Option<&'static str>,
    }
    let cases = [
        Case {
            name: "newest first across New Year",
            lines: vec![
                dispatch("Jan  1 00:00:03", "2027/01/01 00:00:03"),
                dispatch("Dec 31 23:59:58", "2026/12/31 23:59:58"),
            ],
            year: None,
            note: None,
        },
        Case {
            name: "December missing from the export",
            lines: vec![
                dispatch("Nov 30 23:50:00", "2026/11/30 23:50:00"),
                dispatch("Jan  2 00:10:00", "2027/01/02 00:10:00"),
                dispatch("Jan  2 00:10:05", "2027/01/02 00:10:05"),
            ],
            year: None,
            note: Some(
                "j.log:2: the Go log date of this dispatch line is in 2027, but its `short` \
                 journal time was placed in 2026; 2 dispatch line(s)",
            ),
        },
        Case {
            name: "--year against the Go dates",
            lines: vec![dispatch("Jun 10 19:56:01", "2026/06/10 19:56:01")],
            year: Some(2025),
            note: Some(
                "j.log:1: the Go log date of this dispatch line is in 2026, but its `short` \
                 journal time was placed in 2025; 1 dispatch line(s)",
            ),
        },
    ];
    for Case {
        name,
        lines,
        year,
        note,
    } in cases
    {
        let options = ParseOptions {
            year,
            ..ParseOptions::default()
        };
        let (parser, _) = parse_with(&options, &lines);
        let notes = parser.notes("j.log");
        match note {
            None => assert!(notes.is_empty(), "{name}: {notes:?}"),
            Some(start) => {
                assert_eq!(notes.len(), 1, "{name}: {notes:?}");
                assert!(notes[0].starts_with(start), "{name}: {notes:?}");
            }
        }
    }
}

#[test]
fn short_mode_learns_year_from_go_prefix() {
    let (sink, _) = parse_all(
        &[
            "Jun 10 19:55:00 devvm sshd[1]: Accepted publickey for alice",
            "Jun 10 19:56:01 devvm t3-dispatch[812]: 2026/06/10 19:56:01 t3-dispatch listening on :3780",
        ],
        false,
    );
    assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01Z"));
    let track = sink.activity.tracks.values().next().unwrap();
    assert_eq!(
        track.first,
        utc("2026-06-10T19:55:00Z"),
        "activity moves to the real year too"
    );
}

#[test]
fn short_mode_without_dated_line_stays_pending() {
    let mut parser = JournalParser::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    let line = "Jun 10 19:55:00 devvm systemd[1]: t3-serve@bob.service: Main process exited, code=killed, status=9/KILL";
    parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink);
    parser.finish(&mut sink).unwrap();
    assert!(parser.year.used && parser.year.base.is_none());
    assert_eq!(parser.year.pending_events, vec![(0, Pass::First)]);
}

#[test]
fn marked_times_across_dst_fall_back() {
    // Europe/Berlin repeats 02:00-03:00 on 2026-10-25: first CEST (+02:00), then CET.
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "Sun 2026-10-25 01:59:59 CEST devvm sshd[1]: x",
            "2026-10-24T23:59:59Z",
        ),
        (
            "Sun 2026-10-25 02:30:00 CEST devvm sshd[1]: x",
            "2026-10-25T00:30:00Z",
        ),
        (
            "Sun 2026-10-25 02:30:00 CET devvm sshd[1]: x",
            "2026-10-25T01:30:00Z",
        ),
        (
            "Sun 2026-10-25 02:05:01 CET devvm t3-dispatch.service[812]: x",
            "2026-10-25T01:05:01Z",
        ),
        (
            "Sun 2026-10-25 02:30:00.250000 CET devvm sshd[1]: x",
            "2026-10-25T01:30:00.25Z",
        ),
        (
            "Sun 2026-10-25 03:00:00 CET devvm sshd[1]: x",
            "2026-10-25T02:00:00Z",
        ),
        // An abbreviation that fits neither offset leaves the earlier instant.
        (
            "Sun 2026-10-25 02:30:00 EET devvm sshd[1]: x",
            "2026-10-25T00:30:00Z",
        ),
        // 02:30 does not exist on 2026-03-29; read with the winter offset, as before.
        (
            "Sun 2026-03-29 02:30:00 CET devvm sshd[1]: x",
            "2026-03-29T01:30:00Z",
        ),
    ];
    let options = ParseOptions {
        zone: berlin,
        ..ParseOptions::default()
    };
    for (line, expected) in cases {
        let mut parser = JournalParser::new(&options);
        let (stamp, _) = parser.stamp(line.as_bytes()).unwrap();
        let Stamp::Real(t, _) = stamp else {
            panic!("{line}: {stamp:?}")
        };
        assert_eq!(t, utc(expected), "{line}");
    }
}

#[test]
fn short_year_from_header_with_file() {
    let (sink, _) = parse_all(
        &[
            "Jun 10 19:56:01 devvm t3-dispatch[812]: 2026/06/10 19:56:01 main.go:88: t3-dispatch listening on :3780",
        ],
        false,
    );
    assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01Z"));
}

#[test]
fn short_lines_have_no_year() {
    assert!(has_no_year(b"Jun 10 19:56:01 devvm t3[1]: x"));
    assert!(has_no_year(b"Jun  1 19:56:01.123456 devvm t3[1]: x"));
    assert!(!has_no_year(b"Wed 2026-06-10 19:56:01 UTC devvm t3[1]: x"));
    assert!(!has_no_year(b"2026-06-10T19:56:01+00:00 devvm t3[1]: x"));
}
