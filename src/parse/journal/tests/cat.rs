//! Tests of `-o cat` journals, where only dispatch lines carry a date and every other
//! evidence line takes the time of a dated neighbour.

use super::*;

#[test]
fn cat_mode_uses_go_prefix() {
    let (sink, classes) = parse_all(
        &[
            "2026/06/10 19:56:01 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
            "Accepted publickey for alice",
        ],
        true,
    );
    assert_eq!(sink.events.len(), 1);
    assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01Z"));
    assert_eq!(classes[0], LineClass::Used);
    assert_eq!(classes[1], LineClass::Ignored);
}

const CAT_OOM: &str =
    "t3-serve@bob.service: A process of this unit has been killed by the OOM killer.";
const CAT_CLOSE: &str =
    "2026/06/10 19:56:05 ws close user=bob ip=203.0.113.8, 10.10.1.12 dur_ms=881000 cause=graceful";

#[test]
fn cat_evidence_takes_next_dated_time() {
    let (sink, classes) = parse_all(
        &[
            "2026/06/10 19:56:01 ws open user=alice ip=203.0.113.7, 10.10.1.12",
            CAT_OOM,
            CAT_CLOSE,
        ],
        true,
    );
    assert_eq!(
        classes[1],
        LineClass::Used,
        "evidence without a time is kept"
    );
    let oom = sink.events.iter().find(|e| e.origin.line() == 2).unwrap();
    assert_eq!(
        oom.time,
        utc("2026-06-10T19:56:05Z"),
        "the next dated line's time"
    );
    assert_eq!(oom.precision, Precision::Second);
}

#[test]
fn cat_evidence_at_end_takes_last_time() {
    let options = ParseOptions::default();
    let mut parser = JournalParser::new(&options);
    parser.set_cat_mode(true);
    let mut sink = Sink::new(0);
    for (n, line) in [CAT_CLOSE, CAT_OOM].iter().enumerate() {
        parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink);
    }
    parser.finish(&mut sink).unwrap();
    let oom = sink.events.iter().find(|e| e.origin.line() == 2).unwrap();
    assert_eq!(oom.time, utc("2026-06-10T19:56:05Z"));
    assert_eq!(parser.notes("j.log").len(), 1, "the placement is noted");
}

/// A serve event's kind, user, UTC time and whether that time is estimated.
type ServeEventSummary = (&'static str, Option<String>, i64, bool);

/// The serve events of `-o cat` lines read in the order given, with the input's notes.
fn cat_serve_events(
    lines: &[&str],
    newest_first: bool,
    zone: Zone,
) -> (Vec<ServeEventSummary>, Vec<String>) {
    let options = ParseOptions {
        zone,
        ..ParseOptions::default()
    };
    let mut parser = JournalParser::new(&options);
    parser.set_cat_mode(true);
    parser.set_newest_first(newest_first);
    let mut sink = Sink::new(0);
    for (n, line) in lines.iter().enumerate() {
        parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink);
    }
    parser.finish(&mut sink).unwrap();
    let events = sink
        .events
        .iter()
        .filter(|event| {
            matches!(
                event.kind,
                EventKind::ServeGitTimeout { .. } | EventKind::ServeStarted { .. }
            )
        })
        .map(|event| {
            (
                event.kind.name(),
                event.kind.user().map(String::from),
                event.time,
                event.estimated,
            )
        })
        .collect();
    (events, parser.notes("j.log"))
}

/// A name, `-o cat` lines oldest first, the zone of --tz, and the serve events expected:
/// kind, user, UTC time and whether the time is estimated.
type CatServeCase<'a> = (
    &'a str,
    &'a [&'a str],
    &'a str,
    &'a [(&'a str, Option<&'a str>, &'a str, bool)],
);

#[test]
fn cat_serve_lines_in_either_order() {
    const OPEN: &str = "2026/03/14 10:13:56 ws open user=wendy ip=2001:db8::106, 10.10.2.13";
    const CLOSE: &str = "2026/03/14 10:14:08 ws close user=wendy ip=2001:db8::106, 10.10.2.13 dur_ms=406000 cause=graceful";
    const HEADER: &str = "[10:14:00.500] WARN (#355): git remote status refresh failed";
    const DETAIL: &str = "  Command failed: git fetch --quiet origin: timed out.";
    let cases: &[CatServeCase] = &[
        (
            "a header and its detail line take the header's time of day",
            &[
                OPEN,
                "Invalid user ubuntu from 192.0.2.200 port 40239",
                HEADER,
                DETAIL,
                CLOSE,
            ],
            "UTC",
            &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
        ),
        (
            "two serves' timeouts without a home path stay two events without a user",
            &[
                OPEN,
                HEADER,
                DETAIL,
                "[10:14:02.889] INFO (#471): opened project /home/victor/src/app",
                "[10:14:03.200] WARN (#613): git remote status refresh failed",
                DETAIL,
                CLOSE,
            ],
            "UTC",
            &[
                ("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false),
                ("serve_git_timeout", None, "2026-03-14T10:14:03.200Z", false),
            ],
        ),
        (
            "the user of a home path in the header",
            &[
                OPEN,
                "[10:14:03.200] WARN (#613): git status failed in /home/peggy/src/app",
                DETAIL,
                CLOSE,
            ],
            "UTC",
            &[(
                "serve_git_timeout",
                Some("peggy"),
                "2026-03-14T10:14:03.200Z",
                false,
            )],
        ),
        (
            "the user of a home path in the detail line",
            &[
                OPEN,
                HEADER,
                "  Command failed: git -C /home/wendy/src/app fetch --quiet origin: timed out.",
                CLOSE,
            ],
            "UTC",
            &[(
                "serve_git_timeout",
                Some("wendy"),
                "2026-03-14T10:14:00.500Z",
                false,
            )],
        ),
        (
            "a second timed-out detail line of the header is no second timeout",
            &[
                OPEN,
                HEADER,
                DETAIL,
                "  GitCommandError: git fetch timed out.",
                CLOSE,
            ],
            "UTC",
            &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
        ),
        (
            "a header that says timed out counts once with its detail line",
            &[
                OPEN,
                "[10:14:00.500] WARN (#355): git fetch timed out.",
                DETAIL,
                CLOSE,
            ],
            "UTC",
            &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
        ),
        (
            "a header just before midnight takes the day before the next dated line",
            &[
                "2026/06/10 23:59:58 ws open user=bob ip=203.0.113.22, 10.10.1.12",
                "[23:59:59.900] WARN (#412): git remote status refresh failed",
                DETAIL,
                "2026/06/11 00:00:02 ws close user=bob ip=203.0.113.22, 10.10.1.12 dur_ms=4000 cause=graceful",
            ],
            "UTC",
            &[("serve_git_timeout", None, "2026-06-10T23:59:59.900Z", false)],
        ),
        (
            "a header before the first dated line and one after the last",
            &[
                "[10:13:50.000] WARN (#1): git remote status refresh failed",
                DETAIL,
                OPEN,
                CLOSE,
                "[10:14:20.250] WARN (#2): git remote status refresh failed",
                DETAIL,
            ],
            "UTC",
            &[
                ("serve_git_timeout", None, "2026-03-14T10:13:50Z", false),
                ("serve_git_timeout", None, "2026-03-14T10:14:20.250Z", false),
            ],
        ),
        (
            "a detail line without a header takes the next dated line's time",
            &[OPEN, DETAIL, CLOSE],
            "UTC",
            &[("serve_git_timeout", None, "2026-03-14T10:14:08Z", true)],
        ),
        (
            "a T3 Code running header is a start without a user",
            &[
                OPEN,
                "[10:14:01.100] INFO (#562): T3 Code running on http://127.0.0.1:3774",
                CLOSE,
            ],
            "UTC",
            &[("serve_started", None, "2026-03-14T10:14:01.100Z", false)],
        ),
        (
            "header times of day are devvm's local time, as the Go prefix is",
            &[
                "2026/03/14 11:13:56 ws open user=wendy ip=2001:db8::106, 10.10.2.13",
                "[11:14:00.500] WARN (#355): git remote status refresh failed",
                DETAIL,
                "2026/03/14 11:14:08 ws close user=wendy ip=2001:db8::106, 10.10.2.13 dur_ms=406000 cause=graceful",
            ],
            "Europe/Berlin",
            &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
        ),
        (
            "an INFO header and a stack line are no evidence",
            &[
                OPEN,
                "[10:14:00.425] INFO (#613): opened project /home/trent/src/app",
                "    at ChildProcess.exithandler (node:child_process:422:12)",
                CLOSE,
            ],
            "UTC",
            &[],
        ),
    ];
    for (name, lines, zone, expected) in cases {
        let zone = Zone::parse(zone).unwrap();
        let expected: Vec<ServeEventSummary> = expected
            .iter()
            .map(|(kind, user, time, estimated)| {
                (*kind, user.map(String::from), utc(time), *estimated)
            })
            .collect();
        let (oldest_first, _) = cat_serve_events(lines, false, zone);
        assert_eq!(oldest_first, expected, "{name}, oldest first");

        let reversed: Vec<&str> = lines.iter().rev().copied().collect();
        let (mut newest_first, _) = cat_serve_events(&reversed, true, zone);
        newest_first.sort_by_key(|(_, _, time, _)| *time);
        assert_eq!(newest_first, expected, "{name}, newest first");
    }
}

#[test]
fn cat_serve_without_user_is_noted() {
    let lines = [
        "2026/03/14 10:13:56 ws open user=wendy ip=2001:db8::106, 10.10.2.13",
        "[10:14:00.500] WARN (#355): git remote status refresh failed",
        "  Command failed: git fetch --quiet origin: timed out.",
        "[10:14:03.200] WARN (#613): git status failed in /home/peggy/src/app",
        "  Command failed: git fetch --quiet origin: timed out.",
    ];
    let (_, notes) = cat_serve_events(&lines, false, Zone::Utc);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("j.log: 1 t3 serve"), "{}", notes[0]);
}

#[test]
fn cat_evidence_without_any_time_is_dropped() {
    let (sink, classes) = parse_all(&[CAT_OOM, "Accepted publickey for alice"], true);
    assert_eq!(classes[0], LineClass::Used);
    assert!(sink.events.is_empty(), "no time to place it at");
}

#[test]
fn cat_mode_reads_go_header_with_file() {
    let (sink, classes) = parse_all(
        &[
            "2026/06/10 19:56:01.123456 main.go:88: ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
            "2026/13/10 19:56:02 ws close user=bob ip=203.0.113.22 dur_ms=5 cause=graceful",
            "Accepted publickey for alice",
            "/usr/lib/python3/dist-packages/apt.py:12: DeprecationWarning: old",
            "2026/06/10 19:56:02 ws close user=al2026/06/10 19:56:02 ws close user=bob ip=203.0.113.22 dur_ms=5 cause=graceful",
        ],
        true,
    );
    assert_eq!(sink.events.len(), 1);
    assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01.123456Z"));
    assert_eq!(classes[0], LineClass::Used);
    assert!(
        matches!(classes[1], LineClass::Malformed(text) if text.contains("invalid date")),
        "{:?}",
        classes[1]
    );
    assert_eq!(classes[2], LineClass::Ignored);
    assert_eq!(classes[3], LineClass::Ignored);
    assert!(
        matches!(classes[4], LineClass::Malformed(text) if text.contains("joined")),
        "{:?}",
        classes[4]
    );
}
